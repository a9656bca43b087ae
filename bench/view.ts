/**
 * Viewer benchmark: a store with one 100,000-sample run per model (as `bench:report` writes it), then
 * the server time of the viewer's pages (Hono's `app.request`, in this process: the time from
 * request to full response body, without the network). The first request on a fresh app includes
 * the snapshot copy of the file; later ones reuse it until the file changes. Prints one JSON object;
 * medians of 11.
 *
 * Usage: node dist/bench/view.js [--samples N]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RunStore, StoreSnapshots } from '../harness/store/index.js';
import { createViewApp } from '../reports/view/app.js';
import { fixtureSamples, writeFixtureRun } from '../test/support/report-fixtures.js';

const FIRST_PAGE_TARGET_MS = 300;
const BATCHES_PER_RUN = 1000;
const REPEATS = 11;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const { values: args } = parseArgs({ options: { samples: { type: 'string', default: '100000' } } });
const sampleCount = Number(args.samples);
if (!Number.isInteger(sampleCount) || sampleCount < BATCHES_PER_RUN) throw new Error(`--samples must be an integer of at least ${BATCHES_PER_RUN}`);

const dir = mkdtempSync(join(tmpdir(), 'logbench-bench-view-'));
try {
  const dbPath = join(dir, 'bench.duckdb');
  const writeStarted = performance.now();
  const writer = await RunStore.open(dbPath);
  const samples = fixtureSamples('text', sampleCount);
  const splitHash = `bench-text-${sampleCount}`;
  await writer.upsertSamples(splitHash, samples);
  const common = { task: 'text', suiteName: 'bench', splitHash, samples, batchSize: Math.ceil(sampleCount / BATCHES_PER_RUN) } as const;
  await writeFixtureRun(writer, { ...common, runId: 'bench-base', modelId: 'base', gpu: false, skill: 0.5, seed: 1, startedAt: new Date(Date.UTC(2025, 0, 1)) });
  await writeFixtureRun(writer, { ...common, runId: 'bench-finetuned', modelId: 'finetuned', gpu: true, skill: 0.8, seed: 2, startedAt: new Date(Date.UTC(2025, 0, 2)) });
  await writer.close();
  const writeMs = performance.now() - writeStarted;

  /** Server time of one GET, body read whole; fails on anything but 200. */
  const timed = async (app: ReturnType<typeof createViewApp>, path: string): Promise<number> => {
    const started = performance.now();
    const response = await app.request(path);
    await response.text();
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    return performance.now() - started;
  };

  // Cold: a fresh app per repeat, so its first request copies the file and opens the copy.
  const coldMs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const source = new StoreSnapshots(dbPath);
    coldMs.push(await timed(createViewApp({ sources: [source] }), '/runs/bench-finetuned/samples'));
    await source.close();
  }

  const source = new StoreSnapshots(dbPath);
  const app = createViewApp({ sources: [source] });
  await timed(app, '/');
  const pages = {
    firstSamplePage: '/runs/bench-finetuned/samples',
    lastSamplePage: `/runs/bench-finetuned/samples?page=${Math.ceil(sampleCount / 50)}`,
    search: '/runs/bench-finetuned/samples?q=sshd',
    metricRange: '/runs/bench-finetuned/samples?metric=rougeL&min=0.2&max=0.6',
    changedFromBaseline: '/runs/bench-finetuned/samples?changed=bench-base',
    samplePage: '/runs/bench-finetuned/samples/s000042?baseline=bench-base',
    runs: '/',
  };
  const warm: Record<string, { median: number; runs: number[] }> = {};
  for (const [name, path] of Object.entries(pages)) {
    const runs: number[] = [];
    for (let i = 0; i < REPEATS; i++) runs.push(await timed(app, path));
    warm[name] = { median: Math.round(median(runs)), runs: runs.map(Math.round) };
  }
  await source.close();

  const result = {
    samplesPerRun: sampleCount,
    runs: 2,
    storeBytes: statSync(dbPath).size,
    storeWriteS: Number((writeMs / 1000).toFixed(1)),
    firstSamplePageMs: { median: warm['firstSamplePage']?.median, target: FIRST_PAGE_TARGET_MS },
    coldFirstSamplePageMs: { median: Math.round(median(coldMs)), runs: coldMs.map(Math.round), note: 'includes copying the file and opening the copy' },
    warmMs: warm,
    loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
    cores: availableParallelism(),
    withinTarget: (warm['firstSamplePage']?.median ?? Infinity) <= FIRST_PAGE_TARGET_MS,
  };
  // Number lists on one line each.
  process.stdout.write(`${JSON.stringify(result, null, 2).replace(/\[[\d,\s]+\]/g, (list) => list.replace(/\s+/g, ''))}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
