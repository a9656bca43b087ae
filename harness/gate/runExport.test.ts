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

describe('import-run refuses an export that does not add up', () => {
  /** `exported` with `edit` applied, under an id of its own. */
  function forged(id: string, edit: (copy: RunExport) => void): RunExport {
    const copy = structuredClone(exported);
    copy.run.id = id;
    edit(copy);
    return copy;
  }
  const importInto = (copy: RunExport) => withStore(targetDb, (store) => importRun(store, copy, 'forged.json'));
  const runIds = () => withStore(targetDb, async (store) => (await store.listRuns()).map((run) => run.id), true);

  it('whose selection disagrees with its predictions, or whose task is not its suite’s, writing nothing', async () => {
    const before = await runIds();
    const predictions = exported.batches.flatMap((batch) => batch.predictions).length;
    const dropLast = (copy: RunExport) => copy.batches.at(-1)?.predictions.pop();
    // Whole split claimed, one sample short.
    await expect(importInto(forged('short', dropLast))).rejects.toThrow(
      `forged.json: the run claims the whole split but predicts ${predictions - 1} of the ${predictions} samples of split ${exported.run.splitHash.slice(0, 12)}; refusing`,
    );
    // A subset claiming more samples than it predicts, and one whose --limit selects another count.
    const subset = (samples: number, limit: number) => (copy: RunExport) => {
      dropLast(copy);
      copy.run.selection = { limit, samples, splitSamples: predictions };
    };
    await expect(importInto(forged('claims-more', subset(predictions, predictions - 1)))).rejects.toThrow(
      `forged.json: run.selection says ${predictions} of ${predictions} samples, but the run predicts ${predictions - 1}; refusing`,
    );
    await expect(importInto(forged('wrong-limit', subset(predictions - 1, 5)))).rejects.toThrow(
      `forged.json: run.selection says ${predictions - 1} of ${predictions} samples, but its --limit / --shard select 5 of them; refusing`,
    );
    await expect(importInto(forged('twice', (copy) => copy.batches[0]?.predictions.push(structuredClone(copy.batches[0].predictions[0]!))))).rejects.toThrow(
      'forged.json: a sample is predicted more than once',
    );
    await expect(importInto(forged('other-task', (copy) => (copy.run.task = 'text-generation')))).rejects.toThrow(
      `forged.json: run.task is text-generation but its stored suite's task is ${exported.run.task}`,
    );
    expect(await runIds()).toEqual(before);
  });

  it('whose figures disagree, without saying what the right figure would be', async () => {
    const accuracy = exported.metrics.find((metric) => metric.name === 'accuracy')?.value as number;
    const refusal = importInto(forged('halved', (copy) => ((copy.metrics.find((metric) => metric.name === 'accuracy') as { value: number }).value = accuracy / 2)));
    await expect(refusal).rejects.toThrow(`forged.json: metric accuracy: stored ${accuracy / 2}, which disagrees with the figure recomputed from the predictions`);
    await expect(refusal).rejects.not.toThrow(String(accuracy));
  });

  it('whose run id is not a plain id, or whose batch telemetry is out of range', () => {
    const file = path.join(dir, 'forged.json');
    const refusal = (edit: (copy: RunExport) => void, asText = (json: string) => json): string => {
      writeFileSync(file, asText(JSON.stringify(forged('plain', edit))));
      try {
        readRunExport(file);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    for (const id of ['latest:default/rules', '../x', 'a b', '']) expect(refusal((copy) => (copy.run.id = id))).toContain(': field "run.id": letters, digits');
    expect(refusal((copy) => (copy.batches[0]!.wallMs = -1))).toContain('field "batches.0.wallMs"');
    // JSON has no Infinity, but 1e999 parses to it.
    expect(refusal((copy) => (copy.batches[0]!.wallMs = 0.125), (json) => json.replace('"wallMs":0.125', '"wallMs":1e999'))).toContain('field "batches.0.wallMs"');
    expect(refusal((copy) => (copy.batches[0]!.cpuMs = -3))).toContain('field "batches.0.cpuMs"');
    expect(refusal((copy) => (copy.batches[0]!.gpuTimeMs = -3))).toContain('field "batches.0.gpuTimeMs"');
    expect(refusal((copy) => (copy.batches[0]!.rssPeakBytes = -1))).toContain('field "batches.0.rssPeakBytes"');
    expect(refusal((copy) => (copy.batches[0]!.predictions[0]!.latencyMs = -1))).toContain('field "batches.0.predictions.0.latencyMs"');
  });
});
