// Issue #12: a shard of a large JSONL split is read on a worker thread (harness/run/splitLoading.ts),
// so the records it does not keep never enter the run's heap. The worker must give the very split a
// load on the run's thread gives, and a bad file the very error. The worker runs the built script,
// so this imports dist/ as the CLI does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as SplitLoadingModule from '../../harness/run/splitLoading.js';
import type * as DatasetsModule from '../../datasets/index.js';
import type * as InputErrorModule from '../../core/io/inputError.js';
import { runCli } from '../support/cli.js';
import { queryDb, writeRulesSuite } from '../support/run-fixtures.js';

const dist = (module: string) => new URL(`../../dist/${module}`, import.meta.url).href;
const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-split-worker-'));
const VARIABLE = 'LOGBENCH_SPLIT_WORKER_MIN_BYTES';
const threshold = process.env[VARIABLE];
let loading: typeof SplitLoadingModule;
let datasets: typeof DatasetsModule;
let inputError: typeof InputErrorModule;

/** Workers started in this process while `work` runs (Node announces each on `process`). */
async function workersDuring<T>(work: () => Promise<T>): Promise<{ result: T; workers: number }> {
  let workers = 0;
  const count = () => void workers++;
  process.on('worker', count);
  try {
    return { result: await work(), workers };
  } finally {
    process.off('worker', count);
  }
}

/** `count` log windows, one JSON object a line; `bad` lines (1-based) are not valid JSON. */
function writeJsonl(name: string, count: number, bad: number[] = []): string {
  const lines = Array.from({ length: count }, (_, i) =>
    bad.includes(i + 1) ? '{"id": "broken", "logs": ' : JSON.stringify({ id: `w${i}`, logs: `host-${i % 7} kernel: event ${i}\nsshd: session ${i * 3}`, label: i % 5 === 0 ? 'anomalous' : 'normal', extra: { n: i } }),
  );
  const file = path.join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const specOf = (file: string, extra: Record<string, unknown> = {}) =>
  datasets.DatasetSpec.parse({ source: 'jsonl', path: path.basename(file), input_field: 'logs', label_field: 'label', id_field: 'id', ...extra });

beforeAll(async () => {
  [loading, datasets, inputError] = await Promise.all([import(dist('harness/run/splitLoading.js')), import(dist('datasets/index.js')), import(dist('core/io/inputError.js'))]);
});
afterEach(() => {
  if (threshold === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = threshold;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a selected JSONL split read on a worker thread', () => {
  it('gives the split a load on this thread gives: the same samples, split hash, size and skipped records', async () => {
    const file = writeJsonl('valid.jsonl', 3000, [17, 2500]);
    const spec = specOf(file, { skip_invalid: true, offset: 5, limit: 2900 });
    for (const selection of [{ shard: { index: 1, count: 3 } }, { limit: 1000 }, { limit: 2000, shard: { index: 0, count: 4 } }]) {
      process.env[VARIABLE] = '0';
      const { result: split, workers } = await workersDuring(() => loading.loadSplitSelection(spec, { baseDir: dir }, selection));
      expect(workers, JSON.stringify(selection)).toBe(1);
      const here = await datasets.loadSelectedSplit(spec, { baseDir: dir }, loading.selects(selection));
      expect(split).toEqual(here);
      expect(split.samples.length).toBeGreaterThan(0);
      expect(split.skipped.map((s) => s.record)).toEqual([`${file}:17`, `${file}:2500`]);
    }
  });

  it('reports a bad record as a load on this thread does: the same error class and message naming file and line', async () => {
    const file = writeJsonl('broken.jsonl', 500, [321]);
    process.env[VARIABLE] = '0';
    const { result: error, workers } = await workersDuring(() => loading.loadSplitSelection(specOf(file), { baseDir: dir }, { shard: { index: 0, count: 2 } }).catch((e: unknown) => e));
    expect(workers).toBe(1);
    expect(error).toBeInstanceOf(inputError.InputRecordError);
    expect((error as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:321: `));
  });

  it('stays on this thread for a whole split, a small file, or a file it cannot see, and refuses a threshold that is not a number', async () => {
    const file = writeJsonl('small.jsonl', 50);
    const spec = specOf(file);
    const cases: [Record<string, unknown>, string | undefined][] = [
      [{}, '0'], // no selection: every record is kept, nothing to leave behind
      [{ shard: { index: 0, count: 2 } }, undefined], // 50 records, far below the default 16 MiB
    ];
    for (const [selection, env] of cases) {
      if (env === undefined) delete process.env[VARIABLE];
      else process.env[VARIABLE] = env;
      const { result, workers } = await workersDuring(() => loading.loadSplitSelection(spec, { baseDir: dir }, selection));
      expect(workers, JSON.stringify(selection)).toBe(0);
      expect(result.size).toBe(50);
    }
    delete process.env[VARIABLE];
    const missing = await workersDuring(() => loading.loadSplitSelection(specOf(path.join(dir, 'absent.jsonl')), { baseDir: dir }, { limit: 3 }).catch((e: unknown) => e));
    expect(missing.workers).toBe(0);
    expect((missing.result as Error).message).toMatch(/absent\.jsonl/);
    // Refused on every run, not only where a worker would be asked for.
    for (const [value, selection] of [['16MB', { limit: 3 }], [' 0', {}], ['-1', { shard: { index: 0, count: 2 } }]] as const) {
      process.env[VARIABLE] = value;
      await expect(loading.loadSplitSelection(spec, { baseDir: dir }, selection)).rejects.toThrow(`${VARIABLE}: expected a whole number ≥ 0 (digits only), got "${value}"`);
    }
  });

  it('stores the same shard run through the CLI whichever thread read the split', async () => {
    const windows = Array.from({ length: 600 }, (_, i) => ({ id: `w${i}`, logs: `host-${i % 7} kernel: event ${i}\nsshd: session ${i * 3}`, label: i % 5 === 0 ? 'anomalous' : 'normal' }));
    const suite = writeRulesSuite(mkdtempSync(path.join(dir, 'suite-')), 'split-worker', windows);
    const contents = async (db: string) => ({
      runs: await queryDb(db, 'SELECT run_key, split_hash, selection FROM runs'),
      samples: await queryDb(db, 'SELECT * FROM samples ORDER BY sample_id'),
      predictions: await queryDb(db, 'SELECT sample_id, output, label, error FROM predictions ORDER BY sample_id'),
      metrics: await queryDb(db, 'SELECT name, value, ci_low, ci_high, n FROM metrics ORDER BY name'),
    });
    const stored = [];
    for (const env of ['0', String(2 ** 40)]) {
      const db = path.join(dir, `shard-${env}.duckdb`);
      const result = await runCli(['run', suite, '--db', db, '--shard', '1/3', '--no-report'], { env: { [VARIABLE]: env } });
      expect(result.code, result.stderr).toBe(0);
      stored.push(await contents(db));
    }
    const [worker, here] = stored as [Awaited<ReturnType<typeof contents>>, Awaited<ReturnType<typeof contents>>];
    expect(worker.samples).toHaveLength(200);
    expect(worker.metrics.some((m) => m['ci_low'] !== null)).toBe(true);
    expect(JSON.stringify(worker)).toBe(JSON.stringify(here));
  });
});
