/**
 * `npm run bench:harness`: 1,000 cases × 2 models through `logbench run` against a loopback
 * OpenAI-compatible server (a separate process) that answers instantly; prompts of 50 log lines;
 * fuzzy + BLEU + ROUGE scored and everything stored in DuckDB. Whole-process wall time and peak
 * RSS, median of 3, and again with 2,000 cases for the cost per extra 1,000 cases.
 *
 * The cases are those of the peer-comparison kit (`make_cases.mjs`: same generator, same seed), so
 * the figures sit next to promptfoo's on the same workload. The two models run concurrently with
 * 8 requests in flight each: 16 in all, promptfoo's concurrency on that workload.
 *
 * Beside it, the floor: the same 2,000 requests through the `openai` client alone in a fresh
 * process (bench/clientFloor.ts), so the harness's own share of the wall time is visible; and the
 * 1,000 cases over two replicas (two server processes, `endpoints`), for what choosing one costs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HARNESS_PROMPT_HEAD, makeHarnessCases } from './harnessCases.js';
import { measureNodeProcess, median, type MeasuredProcess as Measured } from './measureProcess.js';

const cli = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const server = fileURLToPath(new URL('../test/support/loopback-openai.js', import.meta.url));
const clientFloor = fileURLToPath(new URL('./clientFloor.js', import.meta.url));
const dcgmExporter = fileURLToPath(new URL('./dcgmExporterProcess.js', import.meta.url));
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** `BENCH_ONLY=cases_1000,cases_1000_two_replicas`: those configurations only (more rounds of a pair in the same time). */
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);

interface SuiteVariant {
  telemetry?: boolean;
  /** One model after the other, 16 in flight each (the suite default), instead of both at once with 8 each. */
  sequential?: boolean;
  /** A DCGM exporter scraped every 200 ms during each batch (`gpu_metrics_url`) instead of nvidia-smi. */
  dcgmUrl?: string;
  /** Each model at these replicas (`endpoints`, a server process each) instead of the one server. */
  replicaUrls?: string[];
}

function writeSuite(dir: string, n: number, url: string, variant: SuiteVariant = {}): string {
  const data = path.join(dir, `cases-${n}.jsonl`);
  writeFileSync(data, makeHarnessCases(n).map((c, i) => JSON.stringify({ id: `case-${i}`, logs: c.logs, reference: c.reference })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'prompt.txt'), `${HARNESS_PROMPT_HEAD}{{input}}`);
  const telemetry = variant.telemetry ?? true;
  const concurrency = variant.sequential ? 16 : 8;
  const where = variant.replicaUrls ? `endpoints: [${variant.replicaUrls.join(', ')}]` : `endpoint: ${url}`;
  const model = (id: string) => `  - id: ${id}\n    provider: openai\n    model: ${id}\n    ${where}\n    concurrency: ${concurrency}\n    batch_size: 64\n`;
  const suite = path.join(dir, `harness-${n}${telemetry ? '' : '-no-telemetry'}${variant.sequential ? '-sequential' : ''}${variant.dcgmUrl ? '-dcgm' : ''}${variant.replicaUrls ? '-replicas' : ''}.yaml`);
  const dcgm = variant.dcgmUrl ? `  gpu_sample_ms: 200\n  gpu_metrics_url: ${variant.dcgmUrl}\n` : '';
  writeFileSync(
    suite,
    `name: bench-harness\ntask: text\ndataset:\n  source: jsonl\n  path: ${data}\n  input_field: logs\n  reference_field: reference\n  id_field: id\nprompt:\n  user: prompt.txt\n` +
      `metrics: [fuzzy, bleu, rouge]\nconcurrent_models: ${!variant.sequential}\ntelemetry:\n  enabled: ${telemetry}\n${dcgm}models:\n${model('qwen3-base')}${model('qwen3-ft')}`,
  );
  return suite;
}

async function startServer(script = server): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /^listening \d+ (\S+)/.exec(line);
    if (match) return { url: match[1] as string, child };
  }
  throw new Error('loopback server did not start');
}

function runOnce(suite: string, db: string): Measured {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  // --no-cache: the kit's cases repeat (193 distinct of 1,000) and the peer run queries every one.
  // --no-report: the report is its own step, measured by bench:report.
  return measureNodeProcess([cli, 'run', suite, '--db', db, '--no-cache', '--no-report'], 'logbench run');
}


const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-bench-harness-'));
const { url, child } = await startServer();
const exporter = await startServer(dcgmExporter);
const replica = await startServer();
try {
  // Configurations interleaved so machine noise hits each alike: the workload, the same with
  // telemetry off (for its overhead), with a DCGM exporter scraped every 200 ms (its overhead against
  // telemetry off), with the models one after the other, and twice the cases (for the cost per extra
  // 1,000 cases); then the client floor.
  const configs = [
    { name: 'cases_1000', suite: writeSuite(dir, 1000, url) },
    { name: 'cases_1000_telemetry_off', suite: writeSuite(dir, 1000, url, { telemetry: false }) },
    { name: 'cases_1000_dcgm_200ms', suite: writeSuite(dir, 1000, url, { dcgmUrl: exporter.url }) },
    { name: 'cases_1000_sequential_models', suite: writeSuite(dir, 1000, url, { sequential: true }) },
    { name: 'cases_2000', suite: writeSuite(dir, 2000, url) },
    // The same requests over two server processes (fewest in flight first): what choosing a replica costs.
    { name: 'cases_1000_two_replicas', suite: writeSuite(dir, 1000, url, { replicaUrls: [url, replica.url] }) },
  ];
  const measurements: { name: string; measure: () => Measured }[] = [
    ...configs.map((c) => ({ name: c.name, measure: () => runOnce(c.suite, path.join(dir, `${c.name}.duckdb`)) })),
    { name: 'client_floor_2000_requests', measure: () => measureNodeProcess([clientFloor, url, '2000'], 'client floor') },
  ].filter(({ name }) => ONLY === undefined || ONLY.includes(name));
  const runs = new Map<string, Measured[]>(measurements.map(({ name }) => [name, []]));
  for (let r = 0; r < REPEATS; r++) {
    // Rotated every round: what ran just before (a 2,000-case run leaves the server busy collecting
    // garbage) must not always precede the same configuration.
    for (let k = 0; k < measurements.length; k++) {
      const { name, measure } = measurements[(r + k) % measurements.length]!;
      runs.get(name)!.push(measure());
    }
  }
  const summary: Record<string, unknown> = { models: 2, repeats: REPEATS, cpus: os.cpus().length, node: process.version };
  for (const name of runs.keys()) {
    const m = runs.get(name)!;
    summary[name] = {
      wall_s_median: Number(median(m.map((x) => x.wallS)).toFixed(3)),
      wall_s_all: m.map((x) => Number(x.wallS.toFixed(3))),
      peak_rss_mb_median: m[0]!.peakRssMb === null ? null : Math.round(median(m.map((x) => x.peakRssMb as number))),
    };
  }
  const w = (name: string) => median(runs.get(name)!.map((x) => x.wallS));
  // Each comparison where BENCH_ONLY kept both sides.
  const figure = (names: string[], value: () => number) => (names.every((name) => runs.has(name)) ? Number(value().toFixed(3)) : undefined);
  summary.harness_beyond_client_floor_s = figure(['cases_1000', 'client_floor_2000_requests'], () => w('cases_1000') - w('client_floor_2000_requests'));
  summary.extra_1000_cases_s = figure(['cases_2000', 'cases_1000'], () => w('cases_2000') - w('cases_1000'));
  summary.telemetry_overhead_pct = figure(['cases_1000', 'cases_1000_telemetry_off'], () => ((w('cases_1000') - w('cases_1000_telemetry_off')) / w('cases_1000_telemetry_off')) * 100);
  summary.dcgm_200ms_overhead_pct = figure(['cases_1000_dcgm_200ms', 'cases_1000_telemetry_off'], () => ((w('cases_1000_dcgm_200ms') - w('cases_1000_telemetry_off')) / w('cases_1000_telemetry_off')) * 100);
  summary.two_replicas_vs_one_endpoint_ratio = figure(['cases_1000_two_replicas', 'cases_1000'], () => w('cases_1000_two_replicas') / w('cases_1000'));
  summary.promptfoo_same_workload = { wall_s_median: 16.5, peak_rss_mib: 571, source: 'shared/bench/README.md, measured on this machine kind' };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  child.kill();
  exporter.child.kill();
  replica.child.kill();
  rmSync(dir, { recursive: true, force: true });
}
