import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuite } from '../run/runSuite.js';
import { RunStore, type StoredRun } from '../store/index.js';
import { loadSuite } from '../suite/load.js';
import { compareStoredRuns } from './comparison.js';
import { exportRun, importRun, IMPORTED_RUN_KEY_PREFIX, readRunExport, writeRunExport, type RunExport } from './runExport.js';
import { resolveRun } from './runs.js';

const DEFAULT_SUITE = new URL('../../suites/default.yaml', import.meta.url).pathname;
const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-export-'));
const sourceDb = path.join(dir, 'source.duckdb');
const targetDb = path.join(dir, 'target.duckdb');
let original: StoredRun;
let exported: RunExport;

beforeAll(async () => {
  const suite = loadSuite(DEFAULT_SUITE);
  [original] = (await runSuite(suite, { dbPath: sourceDb })).results.map((r) => r.run) as [StoredRun];
  await runSuite(suite, { dbPath: targetDb }); // the target holds the split, and a run of its own
  const store = await RunStore.open(sourceDb, { readOnly: true });
  try {
    exported = await exportRun(store, original);
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withStore<T>(db: string, work: (store: RunStore) => Promise<T>, readOnly = false): Promise<T> {
  const store = await RunStore.open(db, { readOnly });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** A run's rows without the columns that name the run or the moment a row was written. */
async function runContents(store: RunStore, runId: string) {
  const strip = <T extends { runId: string }>({ runId: _runId, ...row }: T) => row;
  return {
    metrics: (await store.metrics(runId)).map(strip),
    predictions: (await store.predictions(runId)).map(({ createdAt: _createdAt, ...p }) => strip(p)),
    sampleMetrics: (await store.sampleMetrics(runId)).map(strip),
    batches: (await store.batches(runId)).map(strip),
  };
}

describe('export-run / import-run', () => {
  it('re-creates the run in a store holding its split: same id, rows and metrics, its own run key', async () => {
    const file = path.join(dir, 'baseline.json');
    writeRunExport(file, exported);
    const result = await withStore(targetDb, async (store) => importRun(store, readRunExport(file), file));
    expect(result).toEqual({ id: original.id, alreadyThere: false });

    const expected = await withStore(sourceDb, (store) => runContents(store, original.id), true);
    await withStore(targetDb, async (store) => {
      const imported = await store.getRun(original.id);
      expect(imported).toEqual({ ...original, runKey: IMPORTED_RUN_KEY_PREFIX + original.runKey, finishedAt: imported?.finishedAt });
      expect(await runContents(store, original.id)).toEqual(expected);
      // `latest:` means a run made here, never the imported baseline.
      const latest = await resolveRun(store, 'latest:default/rules', 'candidate');
      expect(latest.id).not.toBe(original.id);
      const comparison = await compareStoredRuns(store, latest, imported as StoredRun);
      expect(comparison.samples).toBe(40);
      expect(comparison.metrics.map((m) => m.delta)).toEqual(comparison.metrics.map(() => 0));
      // Importing it again changes nothing.
      expect(await importRun(store, exported, file)).toEqual({ id: original.id, alreadyThere: true });
    });
  });

  it('refuses a store without the split, saying to run the suite first', async () => {
    const emptyDb = path.join(dir, 'empty.duckdb');
    await expect(withStore(emptyDb, (store) => importRun(store, exported, 'baseline.json'))).rejects.toThrow(
      /^baseline\.json: .*empty\.duckdb lacks 40 sample\(s\) of split [0-9a-f]{12} \(first: BGL-w0160\); run the suite into it first \(logbench run \S*suites\/default\.yaml --db /,
    );
    await withStore(emptyDb, async (store) => expect(await store.listRuns()).toEqual([]));
  });

  it('validates the file, naming it and the field', () => {
    const file = path.join(dir, 'edited.json');
    const edited = JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8')) as { run: Record<string, unknown> };
    edited.run['status'] = 'failed';
    writeFileSync(file, JSON.stringify(edited));
    expect(() => readRunExport(file)).toThrow(`${file}: field "run.status": Invalid input: expected "completed"`);
    writeFileSync(file, '{"format": ');
    expect(() => readRunExport(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:12: not valid JSON \\(Unexpected end of JSON input\\)$`));
  });
});
