/**
 * A completed run as one small JSON file (run record, corpus metrics, batches with their
 * predictions and per-sample scores), so a baseline can be committed to git instead of a binary
 * DuckDB file and imported into any store that holds the same split. Sample texts stay out: the
 * split hash names them, and the importing store must already hold them (run the suite first).
 */
import { z } from 'zod';
import { writeFileAtomic } from '../../core/io/atomicWrite.js';
import { parseJsonFile } from '../../core/io/json.js';
import { describeZodIssue, InputRecordError } from '../../core/io/jsonl.js';
import { MAX_DATA_FILE_BYTES, readInputText } from '../../core/io/readInput.js';
import { CliError } from '../../core/errors.js';
import { scoreSample } from '../../metrics/taskScoring.js';
import { corpusMetricRecords, runItemsOf } from '../run/items.js';
import type { BatchRecord, PredictionRecord, RunStore, StoredRun, StoredSample } from '../store/index.js';
import { runSelection } from '../store/index.js';
import type { ServerBatchFigures } from '../telemetry/batchTelemetry.js';
import { PLAIN_ID } from '../suite/schema.js';
import { runSettings } from './storedSuite.js';

export const RUN_EXPORT_FORMAT = 'logbench-run-export/1';

/**
 * Imported runs get this run-key prefix, so `logbench run` never resumes into a baseline (it would
 * "re-run" the candidate by rescoring the baseline's answers) and `latest:` never picks one.
 */
export const IMPORTED_RUN_KEY_PREFIX = 'imported:';

const nullableNumber = z.number().nullable();
/** Durations, sizes and counts a batch measured: never negative (zod refuses non-finite numbers). */
const measured = z.number().min(0);
const nullableMeasured = measured.nullable();
/** A run id, suite name or model id as `logbench run` makes them: `latest:x/y` or `../x` cannot pose as one. */
const plainId = z.string().regex(PLAIN_ID, 'letters, digits, ".", "_" or "-", starting with a letter or digit');
const nullableText = z.string().nullable();
const isoTime = z.iso.datetime();

const ExportedRun = z.strictObject({
  id: plainId,
  runKey: z.string().min(1),
  suiteName: plainId,
  suitePath: nullableText,
  modelId: plainId,
  variant: nullableText,
  provider: z.string().min(1),
  modelName: nullableText,
  endpoint: nullableText,
  task: z.string().min(1),
  status: z.literal('completed'),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  gitSha: nullableText,
  gitDirty: z.boolean().nullable(),
  harnessVersion: z.string(),
  nodeVersion: z.string(),
  host: z.string(),
  gpuName: nullableText,
  configHash: z.string().min(1),
  splitHash: z.string().min(1),
  promptHash: nullableText,
  decoding: z.record(z.string(), z.unknown()),
  suite: z.unknown(),
  // Exports written before selections were recorded cover the whole split.
  selection: runSelection.nullable().default(null),
}) satisfies z.ZodType<StoredRun>;

const ServerFigures = z.strictObject({
  promptTokens: nullableNumber,
  generationTokens: nullableNumber,
  requestsFinished: nullableNumber,
  e2eLatencySumMs: nullableNumber,
  e2eLatencyMeanMs: nullableNumber,
  kvCacheUsageBefore: nullableNumber,
  kvCacheUsageAfter: nullableNumber,
  requestsRunningBefore: nullableNumber,
  requestsRunningAfter: nullableNumber,
}) satisfies z.ZodType<ServerBatchFigures>;

const ExportedPrediction = z.strictObject({
  sampleId: z.string().min(1),
  text: nullableText,
  label: nullableText,
  probs: z.record(z.string(), z.number()).nullable(),
  score: z.record(z.string(), z.unknown()).nullable(),
  latencyMs: measured,
  tokensIn: nullableMeasured,
  tokensOut: nullableMeasured,
  error: nullableText,
  cached: z.boolean(),
  /** The per-sample scores (`sample_metrics`) of this prediction. */
  values: z.record(z.string(), nullableNumber),
});

const ExportedBatch = z.strictObject({
  batchIndex: z.int().min(0),
  size: z.int().min(0),
  startedAt: isoTime,
  wallMs: measured,
  cpuMs: nullableMeasured,
  rssPeakBytes: nullableMeasured,
  gpuUtilAvg: nullableMeasured,
  gpuUtilMax: nullableMeasured,
  gpuMemPeakMb: nullableMeasured,
  // A batch may free GPU memory: the one figure that can be negative.
  gpuMemDeltaMb: nullableNumber,
  gpuTimeMs: nullableMeasured,
  tokensIn: nullableMeasured,
  tokensOut: nullableMeasured,
  latencyP50Ms: nullableMeasured,
  latencyP95Ms: nullableMeasured,
  latencyMaxMs: nullableMeasured,
  server: ServerFigures.nullable(),
  // Migration 4's columns; optional, so exports written before them still read.
  energyJ: nullableMeasured.optional(),
  powerAvgW: nullableMeasured.optional(),
  gpuSource: z.enum(['nvidia-smi', 'dcgm']).nullable().optional(),
  telemetryNote: nullableText.optional(),
  // Migration 5's column (the endpoints that answered the batch), optional like migration 4's.
  replicas: nullableText.optional(),
  predictions: z.array(ExportedPrediction),
});

const RunExport = z.strictObject({
  format: z.literal(RUN_EXPORT_FORMAT),
  run: ExportedRun,
  metrics: z.array(z.strictObject({ name: z.string().min(1), value: nullableNumber, ciLow: nullableNumber, ciHigh: nullableNumber, n: z.int().min(0) })),
  batches: z.array(ExportedBatch),
});
export type RunExport = z.infer<typeof RunExport>;

/** The store's records use absent fields where the export (like the store's rows) holds nulls. */
function withoutNulls<T extends object>(record: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}

/** Everything needed to re-create `run` in another store, for a completed run. */
export async function exportRun(store: RunStore, run: StoredRun): Promise<RunExport> {
  if (run.status !== 'completed') throw new CliError(`run ${run.id} is ${run.status}: only completed runs can be exported`);
  const values = new Map<string, Record<string, number | null>>();
  for (const { sampleId, name, value } of await store.sampleMetrics(run.id)) {
    const sample = values.get(sampleId) ?? {};
    sample[name] = value;
    values.set(sampleId, sample);
  }
  const predictions = await store.predictions(run.id);
  const batches = (await store.batches(run.id)).map(({ runId: _runId, ...batch }) => ({
    ...batch,
    predictions: predictions
      .filter((p) => p.batchIndex === batch.batchIndex)
      .map(({ runId: _run, batchIndex: _batch, createdAt: _created, ...prediction }) => ({ ...prediction, values: values.get(prediction.sampleId) ?? {} })),
  }));
  const metrics = (await store.metrics(run.id)).map(({ runId: _runId, ...metric }) => metric);
  return { format: RUN_EXPORT_FORMAT, run: { ...run, status: 'completed' }, metrics, batches };
}

export function writeRunExport(file: string, exported: RunExport): void {
  writeFileAtomic(file, JSON.stringify(exported, null, 1) + '\n');
}

export function readRunExport(file: string): RunExport {
  let json: unknown;
  try {
    json = parseJsonFile(readInputText(file, MAX_DATA_FILE_BYTES), file);
  } catch (error) {
    throw error instanceof InputRecordError ? new CliError(error.message) : error;
  }
  const parsed = RunExport.safeParse(json);
  if (!parsed.success) throw new CliError(`${file}: ${parsed.error.issues.slice(0, 3).map(describeZodIssue).join('; ')}`);
  return parsed.data;
}

/** Stored and recomputed figures agree to this (absolute, or relative for figures above 1 such as sacreBLEU). */
const FIGURE_TOLERANCE = 1e-9;

function sameFigure(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return Math.abs(a - b) <= FIGURE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * An export's figures are claims: every corpus metric (value, interval, n) and per-sample score is
 * recomputed from its predictions and the store's samples, with the code `logbench run` scores
 * with, and any disagreement refuses the import before anything is written.
 */
async function checkExportedFigures(exported: RunExport, samples: readonly StoredSample[], source: string): Promise<void> {
  const { task, metrics, statistics } = runSettings(exported.run);
  if (task !== exported.run.task) throw new CliError(`${source}: run.task is ${exported.run.task} but its stored suite's task is ${task}; refusing a run that disagrees with its suite`);
  const predictions = exported.batches.flatMap((batch) => batch.predictions);
  checkSelection(exported.run, predictions, samples.length, source);
  const { sampleIds, items } = runItemsOf(samples, predictions);
  const scored = items.map((item) => scoreSample(task, metrics, item));
  // The recomputed figure is not quoted: it would tell a forger what to write.
  const refuse = (what: string, claimed: unknown) =>
    new CliError(`${source}: ${what}: stored ${String(claimed)}, which disagrees with the figure recomputed from the predictions; refusing figures that disagree with the predictions`);

  const claimedValues = new Map(predictions.map((p) => [p.sampleId, p.values]));
  sampleIds.forEach((sampleId, i) => {
    const claimed = claimedValues.get(sampleId) ?? {};
    const recomputed = scored[i]?.values ?? {};
    for (const name of new Set([...Object.keys(claimed), ...Object.keys(recomputed)])) {
      if (!sameFigure(claimed[name], recomputed[name])) throw refuse(`sample ${sampleId}, score ${name}`, claimed[name] ?? 'nothing');
    }
  });

  const claimed = new Map(exported.metrics.map((metric) => [metric.name, metric]));
  const recomputed = corpusMetricRecords(task, metrics, items, scored, statistics);
  for (const figure of recomputed) {
    const stored = claimed.get(figure.name);
    if (stored === undefined) throw refuse(`metric ${figure.name}`, 'nothing');
    if (!sameFigure(stored.value, figure.value)) throw refuse(`metric ${figure.name}`, stored.value);
    if (stored.n !== figure.n) throw refuse(`metric ${figure.name} n`, stored.n);
    if (!sameFigure(stored.ciLow, figure.ciLow) || !sameFigure(stored.ciHigh, figure.ciHigh)) {
      throw refuse(`metric ${figure.name} interval`, `[${stored.ciLow}, ${stored.ciHigh}]`);
    }
    claimed.delete(figure.name);
  }
  const [extra] = claimed.values();
  if (extra !== undefined) throw refuse(`metric ${extra.name} (its suite does not compute it)`, extra.value);
}

/**
 * The run's sample selection must describe its predictions: a whole-split run (no selection)
 * predicts every sample the store holds of the split, once; a subset predicts as many as it says,
 * and as many as its `--limit` / `--shard` give of the split it names.
 */
function checkSelection(run: RunExport['run'], predictions: readonly { sampleId: string }[], storedSamples: number, source: string): void {
  const distinct = new Set(predictions.map((prediction) => prediction.sampleId));
  if (distinct.size !== predictions.length) throw new CliError(`${source}: a sample is predicted more than once; refusing a run that does not add up`);
  const { selection } = run;
  if (selection === null) {
    if (predictions.length !== storedSamples) {
      throw new CliError(`${source}: the run claims the whole split but predicts ${predictions.length} of the ${storedSamples} samples of split ${run.splitHash.slice(0, 12)}; refusing a selection that disagrees with the predictions`);
    }
    return;
  }
  const limited = Math.min(selection.limit ?? selection.splitSamples, selection.splitSamples);
  const shard = selection.shard;
  const expected = shard === undefined ? limited : shard.index < limited ? Math.floor((limited - shard.index - 1) / shard.count) + 1 : 0;
  const refuse = (why: string) => new CliError(`${source}: run.selection says ${selection.samples} of ${selection.splitSamples} samples, ${why}; refusing a selection that disagrees with the predictions`);
  if (selection.samples !== predictions.length) throw refuse(`but the run predicts ${predictions.length}`);
  if (selection.samples !== expected) throw refuse(`but its --limit / --shard select ${expected} of them`);
}

/**
 * Re-creates an exported run under its own id, as completed, and returns that id. Importing the
 * same export again changes nothing. The store must hold the run's split (same split hash).
 */
export async function importRun(store: RunStore, exported: RunExport, source: string): Promise<{ id: string; alreadyThere: boolean }> {
  const { run } = exported;
  const { pluginModules } = runSettings(run);
  if (pluginModules.length > 0) {
    throw new CliError(`${source}: the run was scored with plugin metrics (${pluginModules.join(', ')}); import-run recomputes every figure, and logbench runs no code a stored run names, so it cannot check these: refused`);
  }
  const runKey = run.runKey.startsWith(IMPORTED_RUN_KEY_PREFIX) ? run.runKey : IMPORTED_RUN_KEY_PREFIX + run.runKey;
  const existing = await store.getRun(run.id);
  if (existing) {
    if (existing.runKey === runKey && existing.status === 'completed') return { id: run.id, alreadyThere: true };
    throw new CliError(`${store.path} already holds a different (or partly imported) run ${run.id}`);
  }
  const samples = await store.samples(run.splitHash);
  const stored = new Set(samples.map((sample) => sample.id));
  const missing = exported.batches.flatMap((b) => b.predictions).filter((p) => !stored.has(p.sampleId));
  if (missing.length > 0) {
    throw new CliError(
      `${source}: ${store.path} lacks ${missing.length} sample(s) of split ${run.splitHash.slice(0, 12)} (first: ${missing[0]?.sampleId}); ` +
        `run the suite into it first (logbench run ${run.suitePath ?? '<suite>'} --db ${store.path})`,
    );
  }
  await checkExportedFigures(exported, samples, source);
  const { id, startedAt, finishedAt: _finished, status: _status, ...identity } = withoutNulls(run);
  await store.createRun({ ...identity, id, runKey, startedAt: new Date(startedAt) });
  for (const { predictions, startedAt: batchStart, ...figures } of exported.batches) {
    const batch: BatchRecord = { ...withoutNulls(figures), startedAt: new Date(batchStart) };
    const records: PredictionRecord[] = predictions.map(({ values: _values, ...prediction }) => withoutNulls(prediction));
    const sampleMetrics = predictions.flatMap((p) => Object.entries(p.values).map(([name, value]) => ({ sampleId: p.sampleId, name, value })));
    await store.writeBatch(id, batch, records, sampleMetrics);
  }
  await store.writeMetrics(
    id,
    exported.metrics.map(({ ciLow, ciHigh, ...metric }) => ({ ...metric, ...(ciLow !== null && { ciLow }), ...(ciHigh !== null && { ciHigh }) })),
  );
  await store.finishRun(id, 'completed');
  return { id, alreadyThere: false };
}
