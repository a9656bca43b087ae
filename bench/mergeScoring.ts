/**
 * `npm run bench:merge-scoring`: end-of-run scoring on worker threads (issue 12).
 *
 * 1. Threshold: `scoreItems` alone, in a fresh process per measurement (cold JIT, as in a merge),
 *    on 1 and 2 threads for growing sample counts: where 2 threads start to win is where
 *    WORKER_MIN_ITEMS (harness/run/scoringPool.ts) belongs.
 * 2. `logbench merge` of a text-generation run (BENCH_SAMPLES, default 40,000, a `replay` model:
 *    deterministic answers, no server) stored as 2 shards, `--workers 1` vs `--workers 2`,
 *    interleaved, BENCH_ROUNDS rounds (default 3): medians of wall and CPU (user + system).
 *    BENCH_MERGE=0 leaves it out; BENCH_POINTS=2000,4000,… sets part 1's sample counts (empty: none).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScoringItem } from '../metrics/taskScoring.js';
import { makeHarnessCases } from './harnessCases.js';
import { measureNodeProcess, median } from './measureProcess.js';

const cli = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const self = fileURLToPath(import.meta.url);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 40_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POINTS = (process.env.BENCH_POINTS ?? '2000,4000,8000,16000,32000').split(',').filter(Boolean).map(Number);
const METRICS = ['fuzzy', 'bleu', 'sacrebleu', 'rouge', 'chrf'];

/**
 * A log-analysis answer per case: a summary sentence, some of the reference's words and a few of
 * the case's log lines (≈ 300–600 characters, varied), scored against the case's JSON reference.
 */
function textCases(n: number): { id: string; logs: string; reference: string; output: string }[] {
  return makeHarnessCases(n).map((c, i) => {
    const lines = c.logs.split('\n');
    const quoted = lines.slice(i % 40, (i % 40) + 1 + (i % 5)).join('\n');
    const summary = ['Failed login attempts detected', 'Possible brute force attack', 'Disk errors on sda', 'Nothing unusual'][i % 4];
    // The prompt's logs are 10 of the 50 lines: a 40,000-sample split stays under the 128 MiB data-file limit.
    return { id: `s${String(i).padStart(6, '0')}`, logs: `# case-${i}\n${lines.slice(0, 10).join('\n')}`, reference: `${c.reference}\n${lines[(i * 7) % 50]}`, output: `${summary}. ${c.reference.slice(0, 40 + (i % 60))}\n${quoted}` };
  });
}

/** Child mode: `node mergeScoring.js --point N THREADS` scores N items once and prints its wall and CPU. */
async function point(n: number, threads: number): Promise<void> {
  const { scoreItems } = await import('../harness/run/scoringPool.js');
  process.env.LOGBENCH_WORKER_MIN_ITEMS = '0';
  const items: ScoringItem[] = textCases(n).map((c) => ({ output: c.output, reference: c.reference, failed: false }));
  const cpu = process.cpuUsage();
  const started = performance.now();
  await scoreItems('text', METRICS, items, threads);
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ wallS, cpuS: (used.user + used.system) / 1e6 }));
}

function measurePoint(n: number, threads: number): { wallS: number; cpuS: number } {
  const result = spawnSync(process.execPath, [self, '--point', String(n), String(threads)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`--point ${n} ${threads} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { wallS: number; cpuS: number };
}

function writeSuite(dir: string): string {
  const cases = textCases(SAMPLES);
  writeFileSync(path.join(dir, 'data.jsonl'), cases.map(({ id, logs, reference }) => JSON.stringify({ id, logs, reference })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'answers.jsonl'), cases.map(({ id, output }) => JSON.stringify({ id, output })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'prompt.txt'), 'Summarise the incident in these logs.\n{{input}}\n');
  const suite = path.join(dir, 'suite.yaml');
  writeFileSync(
    suite,
    'name: merge-scoring\ntask: text\ndataset:\n  source: jsonl\n  path: data.jsonl\n  input_field: logs\n  reference_field: reference\n  id_field: id\n' +
      `prompt:\n  user: prompt.txt\nmetrics: [${METRICS.join(', ')}]\nmodels:\n  - id: replayed\n    provider: replay\n    path: answers.jsonl\n    batch_size: 500\n`,
  );
  return suite;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const load = () => os.loadavg().map((x) => round(x, 1));

async function main(): Promise<void> {
  const started = { at: new Date().toISOString(), load: load() };
  // 1. Where a second thread starts to win.
  const threshold = POINTS.map((n) => {
    const runs: Record<1 | 2, { wallS: number; cpuS: number }[]> = { 1: [], 2: [] };
    for (let r = 0; r < ROUNDS; r++) for (const threads of [1, 2] as const) runs[threads].push(measurePoint(n, threads));
    const [one, two] = [runs[1], runs[2]].map((rs) => ({ wall_s: round(median(rs.map((m) => m.wallS)), 3), cpu_s: round(median(rs.map((m) => m.cpuS)), 3) })) as [{ wall_s: number; cpu_s: number }, { wall_s: number; cpu_s: number }];
    return { samples: n, one_thread: one, two_threads: two, speedup: round(one.wall_s / two.wall_s) };
  });
  if (process.env.BENCH_MERGE === '0') {
    console.log(JSON.stringify({ cpus: os.availableParallelism(), node: process.version, rounds: ROUNDS, metrics: METRICS, started, finished: { at: new Date().toISOString(), load: load() }, threshold }, null, 2));
    return;
  }
  // 2. The merge.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-bench-merge-scoring-'));
  try {
    const suite = writeSuite(dir);
    const shards = [0, 1].map((i) => path.join(dir, `shard${i}.duckdb`));
    shards.forEach((db, i) => measureNodeProcess([cli, 'run', suite, '--db', db, '--shard', `${i}/2`, '--no-report', '--workers', '1'], `run --shard ${i}/2`));
    const merges: Record<1 | 2, { wallS: number; cpuS: number | null }[]> = { 1: [], 2: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const workers of [1, 2] as const) {
        const target = path.join(dir, `merged-${r}-${workers}.duckdb`);
        merges[workers].push(measureNodeProcess([cli, 'merge', ...shards, '--db', target, '--workers', String(workers)], `merge --workers ${workers}`));
        rmSync(target, { force: true });
      }
    }
    const summary = (ms: { wallS: number; cpuS: number | null }[]) => ({
      wall_s: round(median(ms.map((m) => m.wallS))),
      cpu_s: ms.every((m) => m.cpuS !== null) ? round(median(ms.map((m) => m.cpuS as number))) : null,
      walls: ms.map((m) => round(m.wallS)),
    });
    const [one, two] = [summary(merges[1]), summary(merges[2])];
    console.log(
      JSON.stringify(
        {
          cpus: os.availableParallelism(),
          node: process.version,
          rounds: ROUNDS,
          metrics: METRICS,
          started,
          finished: { at: new Date().toISOString(), load: load() },
          threshold,
          merge: { samples: SAMPLES, shards: 2, workers_1: one, workers_2: two, wall_ratio_1_over_2: round(one.wall_s / two.wall_s), cpu_ratio_2_over_1: one.cpu_s && two.cpu_s ? round(two.cpu_s / one.cpu_s) : null },
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--point') await point(Number(process.argv[3]), Number(process.argv[4]));
else await main();
