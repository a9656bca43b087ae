import { DatasetRangeError, type SelectedSplit } from '../../datasets/index.js';
import type { Sample } from '../../core/sample.js';
import { scoreSample, type SampleScores, type SuiteMetric } from '../../metrics/taskScoring.js';
import { placeholdersOf } from '../../prompts/render.js';
import type { Runner } from '../runners/runner.js';
import type { Prediction, RenderedRequest } from '../../core/prediction.js';
import { RunStore, storableCount, type PredictionRecord, type RunSelection, type SampleMetricRecord, type CacheRecord, type StoredRun } from '../store/index.js';
import { cacheIdentityOf, configHashOf, resolveModels, suiteProblem, type LoadedSuite, type ResolvedModel } from '../suite/load.js';
import type { FigureInfo } from '../../metrics/definition.js';
import { taskNamed } from '../../metrics/registry.js';
import { PLUGIN_FIGURES_KEY } from '../gate/storedSuite.js';
import { pluginFigures, resolveMetricEntries, type PluginMetric } from '../plugins/metrics.js';
import { DEFAULT_METRICS } from '../suite/schema.js';
import type { ProviderModel } from '../providers/definition.js';
import { TelemetrySampler } from '../telemetry/sampler.js';
import { hashOf } from '../../core/hash.js';
import { runFigures, scoringItem } from './items.js';
import { collectProvenance } from './provenance.js';
import { loadSplitSelection } from './splitLoading.js';
import { renderRequest, templateValues } from '../../prompts/request.js';
import { requestHash } from './requests.js';
import { ENDPOINT_LIST_SEPARATOR } from '../store/endpoint.js';

export interface RunOptions {
  dbPath: string;
  /** Threads that may score the samples stored by an earlier process of a resumed run (default 1; scoringPool.ts). */
  workers?: number;
  /** How long to wait for another process holding the database (default: the store's 30 s). */
  lockWaitMs?: number;
  /** Model ids to run; all when absent. */
  only?: string[];
  /** Keep only the first N samples of the split. */
  limit?: number;
  /** `I/N`: this process runs samples whose index ≡ I (mod N). */
  shard?: { index: number; count: number };
  noCache?: boolean;
  dataDir?: string;
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  progress?: RunProgress;
  /** Aborts between batches (SIGINT): the run is marked interrupted and resumes next time. */
  signal?: AbortSignal;
}

/** What the CLI shows while a run goes on. */
export interface RunProgress {
  modelStarted(modelId: string, total: number, alreadyDone: number): void;
  batchDone(modelId: string, done: number, errors: number): void;
  modelFinished(modelId: string): void;
  note(message: string): void;
}

export interface ModelRunResult {
  modelId: string;
  run: StoredRun;
  resumed: boolean;
  /** The run was completed by an earlier invocation: reported, not touched. */
  completedBefore: boolean;
  /** Samples queried in this invocation (not counting those found in the store). */
  queried: number;
  metrics: { name: string; value: number | null; n: number; ciLow?: number; ciHigh?: number }[];
  /** Failed samples of the run and their most frequent errors. */
  errors: { failed: number; total: number; top: { error: string; count: number }[] };
}

export interface SuiteRunResult {
  /** The split: its hash and `size`; `samples` holds the samples this run selected (`--limit`, `--shard`). */
  split: SelectedSplit;
  results: ModelRunResult[];
  /** Directions and ranges of the figures plugin metrics stored (the built-ins' are in the registry). */
  pluginFigures: FigureInfo[];
}

/** The suite's metrics as the run scores them, and the plugin modules among them. */
interface SuiteScoring {
  metrics: SuiteMetric[];
  plugins: PluginMetric[];
}

/**
 * Per-model identity of "the same run": rerunning it resumes instead of starting over. The sample
 * selection is part of it, so a `--limit` or `--shard` subset never continues (or rescores) a run
 * over other samples. (A run over the whole split keeps the key it had before limits were keyed.)
 */
function runKeyOf(loaded: LoadedSuite, model: ResolvedModel, splitHash: string, options: Pick<RunOptions, 'shard' | 'limit'>, plugins: readonly PluginMetric[]): string {
  return runKeyFrom({ configHash: configHashOf(loaded, model), splitHash, ...options, plugins });
}

/** `runKeyOf` from a stored run's fields: `logbench merge` checks shards by it and keys the whole run they make up. */
export function runKeyFrom(parts: { configHash: string; splitHash: string; shard?: { index: number; count: number }; limit?: number; plugins: readonly Pick<PluginMetric, 'module' | 'codeHash'>[] }): string {
  const { configHash, splitHash, shard, limit, plugins } = parts;
  return hashOf({
    configHash,
    splitHash,
    shard: shard ?? null,
    ...(limit !== undefined && { limit }),
    // A plugin metric's code decides its figures: other code makes another run (never a resumed mix).
    ...(plugins.length > 0 && { pluginMetrics: plugins.map((p) => [p.module, p.codeHash]) }),
  });
}

/** What `runs.selection` records: absent when the run covers the whole split. */
function selectionOf(split: SelectedSplit, samples: readonly Sample[], options: RunOptions): RunSelection | undefined {
  if (options.limit === undefined && options.shard === undefined) return undefined;
  return {
    ...(options.limit !== undefined && { limit: options.limit }),
    ...(options.shard !== undefined && { shard: options.shard }),
    samples: samples.length,
    splitSamples: split.size,
  };
}

async function runModel(
  loaded: LoadedSuite,
  resolved: ResolvedModel,
  split: SelectedSplit,
  samples: Sample[],
  store: RunStore,
  options: RunOptions,
  /** Other models run at the same time (`concurrent_models`). */
  concurrent: boolean,
  scoring: SuiteScoring,
): Promise<ModelRunResult> {
  const { suite } = loaded;
  const { metrics, plugins } = scoring;
  const { model, decoding } = resolved;
  const runKey = runKeyOf(loaded, resolved, split.splitHash, options, plugins);
  const sampling = suite.telemetry.enabled;
  const server = sampling ? resolved.definition.serverMetrics?.(model) : undefined;
  // A model's own DCGM exporter wins over the suite's; either replaces local nvidia-smi.
  const suiteDcgm = suite.telemetry.gpu_metrics_url === undefined ? undefined : { url: suite.telemetry.gpu_metrics_url, select: suite.telemetry.gpus };
  const dcgm = sampling && suite.telemetry.gpu ? (resolved.definition.gpuMetrics?.(model) ?? suiteDcgm) : undefined;
  const telemetry = new TelemetrySampler({
    gpu: sampling && suite.telemetry.gpu ? { intervalMs: suite.telemetry.gpu_sample_ms } : false,
    ...(dcgm && { dcgm: { url: dcgm.url, intervalMs: suite.telemetry.gpu_sample_ms, ...(dcgm.select && { select: dcgm.select }) } }),
    ...(server && { prometheusUrl: server.url, modelName: server.modelName }),
    onWarning: (message) => options.progress?.note(`${model.id}: ${message}`),
  });
  await telemetry.start();
  if (concurrent && telemetry.gpuName !== null) {
    options.progress?.note(`${model.id}: concurrent_models is on, so the per-batch GPU figures (${telemetry.gpuName}) include every model running at once`);
  }
  try {
    return await startOrResumeRun({ loaded, resolved, model, split, samples, store, options, metrics, plugins, decoding, telemetry }, runKey);
  } finally {
    await telemetry.stop();
  }
}

/**
 * Finds the stored run with this key and continues it, or creates it; a failure leaves it resumable.
 * A completed run is never reopened: with every sample answered the rerun only reports it; with
 * failed samples a new run retries them (the answers that succeeded come from the response cache).
 */
async function startOrResumeRun(run: ModelRun, runKey: string): Promise<ModelRunResult> {
  const { loaded, model, split, samples, store, options, decoding, telemetry, plugins } = run;
  const { suite } = loaded;
  const provenance = collectProvenance();
  let existing = await store.findResumableRun(runKey);
  if (existing?.status === 'completed') {
    const errors = await store.errorSummary(existing.id);
    if (errors.failed === 0) return reportCompletedRun(run, existing, errors);
    options.progress?.note(`${model.id}: run ${existing.id} completed with ${errors.failed} failed sample(s); a new run retries them and keeps that one as it is`);
    existing = null;
  }
  let runId: string;
  if (existing) {
    runId = existing.id;
    await store.resumeRun(runId);
  } else {
    runId = await store.createRun({
      runKey,
      suiteName: suite.name,
      suitePath: loaded.file,
      modelId: model.id,
      ...(model.variant !== undefined && { variant: model.variant }),
      provider: run.resolved.definition.name,
      ...run.resolved.definition.runRecord?.(model),
      task: suite.task,
      ...(provenance.gitSha !== undefined && { gitSha: provenance.gitSha }),
      ...(provenance.gitDirty !== undefined && { gitDirty: provenance.gitDirty }),
      ...(telemetry.gpuName !== null && { gpuName: telemetry.gpuName }),
      harnessVersion: provenance.harnessVersion,
      nodeVersion: provenance.nodeVersion,
      host: provenance.host,
      configHash: configHashOf(loaded, run.resolved),
      splitHash: split.splitHash,
      promptHash: loaded.promptHash,
      decoding,
      // The store redacts URL credentials and secret-named fields (a plugin's literal `api_key`).
      // Plugin figures' directions go with the run, so later commands read them without loading code.
      suite: plugins.length === 0 ? loaded.suite : { ...loaded.suite, [PLUGIN_FIGURES_KEY]: pluginFigures(plugins) },
      ...withSelection(selectionOf(split, samples, options)),
    });
  }

  try {
    return await continueRun(run, runId, existing !== null);
  } catch (err) {
    // What is stored stays valid: mark the run resumable, so the next `logbench run` picks it up. If
    // that fails too (DuckDB ends a database's use after a failed checkpoint), the run stays
    // `running`, which resumes as well, and the first error is the one that explains.
    await store.finishRun(runId, 'interrupted').catch(() => undefined);
    throw err;
  }
}

const withSelection = (selection: RunSelection | undefined) => (selection === undefined ? {} : { selection });

/** A rerun of a completed run: nothing is queried or written; the stored figures are reported. */
async function reportCompletedRun(run: ModelRun, stored: StoredRun, errors: ModelRunResult['errors']): Promise<ModelRunResult> {
  const { model, samples, store, options } = run;
  options.progress?.modelStarted(model.id, samples.length, samples.length);
  options.progress?.modelFinished(model.id);
  const metrics = (await store.metrics(stored.id)).map(({ name, value, n, ciLow, ciHigh }) => ({
    name,
    value,
    n,
    ...(ciLow !== null && { ciLow }),
    ...(ciHigh !== null && { ciHigh }),
  }));
  return { modelId: model.id, run: stored, resumed: false, completedBefore: true, queried: 0, metrics, errors };
}

/** Everything one model's run needs, set up once by `runModel`. */
interface ModelRun {
  loaded: LoadedSuite;
  resolved: ResolvedModel;
  model: ProviderModel;
  split: SelectedSplit;
  samples: Sample[];
  store: RunStore;
  options: RunOptions;
  metrics: SuiteMetric[];
  plugins: readonly PluginMetric[];
  decoding: Record<string, unknown>;
  telemetry: TelemetrySampler;
}

/** Queries what the store lacks, batch by batch, then stores the run's corpus figures. */
async function continueRun(run: ModelRun, runId: string, resumed: boolean): Promise<ModelRunResult> {
  const { loaded, model, samples, store, options, metrics, decoding, telemetry } = run;
  const { suite } = loaded;
  const done = await store.completedSampleIds(runId);
  const todo = samples.filter((s) => !done.has(s.id));
  options.progress?.modelStarted(model.id, samples.length, samples.length - todo.length);
  const env = options.env ?? process.env;
  const runner = await run.resolved.definition.create(model, { task: suite.task, baseDir: loaded.baseDir, env, decoding });
  // Everything that decides the answer: two models sharing decoding must never share cache entries.
  const identity = options.noCache ? null : cacheIdentityOf(loaded, run.resolved, env);
  let warnedBadCount = false;
  const warnBadCount = (field: string, value: number) => {
    if (warnedBadCount) return;
    warnedBadCount = true;
    options.progress?.note(`${model.id}: the server reported ${field} = ${value}, not a whole number from 0 to 2^31-1; stored as unknown (null), here and wherever else it happens in this run`);
  };
  let warnedUnasked = false;
  const warnUnasked = (sampleIds: string[]) => {
    if (warnedUnasked) return;
    warnedUnasked = true;
    options.progress?.note(`${model.id}: the provider answered samples it was not asked for in this batch, or one sample twice (${sampleIds.slice(0, 3).join(', ')}${sampleIds.length > 3 ? ', …' : ''}); those answers are ignored, here and wherever else it happens in this run`);
  };
  let batchIndex = await store.nextBatchIndex(runId);
  const scoredHere = new Map<string, SampleScores>();
  let completed = samples.length - todo.length;
  let errors = 0;
  try {
    for (let start = 0; start < todo.length; start += model.batch_size) {
      if (options.signal?.aborted) break;
      const batch = todo.slice(start, start + model.batch_size);
      const requests = batch.map((sample) => renderRequest(sample, loaded.prompt));
      const window = await telemetry.batchWindow(batchIndex);
      // No signal for the runner: an interrupt lets the batch in flight finish and be stored.
      const predictions = (await predictBatch(runner, requests, store, identity ?? undefined, warnUnasked, options.signal)).map((p) => ({ ...p, prediction: withStorableCounts(p.prediction, warnBadCount) }));
      // The meter stops at once; the closing telemetry scrape (a DCGM page) runs while the batch is scored.
      const finishing = window.finish(predictions.map((p) => p.prediction));
      finishing.catch(() => undefined); // awaited below; a scoring error must not leave it unhandled

      const records: PredictionRecord[] = [];
      const sampleMetrics: SampleMetricRecord[] = [];
      const cacheRecords: CacheRecord[] = [];
      predictions.forEach(({ prediction, hash }, i) => {
        const sample = batch[i] as Sample;
        const scored = scoreSample(suite.task, metrics, scoringItem(sample, prediction));
        scoredHere.set(sample.id, scored);
        records.push({
          ...prediction,
          ...(scored.label !== undefined && scored.label !== null && { label: scored.label }),
          ...(scored.parsed && { score: scored.parsed }),
        });
        for (const [name, value] of Object.entries(scored.values)) sampleMetrics.push({ sampleId: sample.id, name, value });
        if (hash && !prediction.cached && !prediction.error) {
          cacheRecords.push({ requestHash: hash, provider: run.resolved.definition.name, model: typeof identity?.model === 'string' ? identity.model : model.id, response: cachedResponseOf(prediction) });
        }
        if (prediction.error) errors++;
      });
      const { batchIndex: _index, ...batchFigures } = await finishing;
      await store.writeBatch(runId, { batchIndex, ...withoutNulls(batchFigures), ...servedBy(predictions.map((p) => p.prediction)) }, records, sampleMetrics, cacheRecords);
      batchIndex++;
      completed += batch.length;
      options.progress?.batchDone(model.id, completed, errors);
    }
  } finally {
    await runner.close?.();
  }

  const interrupted = options.signal?.aborted ?? false;
  // The run's peak came at its end figures, on top of what DuckDB cached of the batches written.
  if (!interrupted) await store.releaseMemory({ final: true });
  const figures = interrupted ? [] : await runFigures(store, (await store.getRun(runId)) as StoredRun, { task: suite.task, metrics, statistics: suite.statistics, workers: options.workers ?? 1 }, new Set(samples.map((s) => s.id)), scoredHere);
  if (!interrupted) await store.writeMetrics(runId, figures);
  await store.finishRun(runId, interrupted ? 'interrupted' : 'completed');
  options.progress?.modelFinished(model.id);
  const stored = (await store.getRun(runId)) as StoredRun;
  return { modelId: model.id, run: stored, resumed, completedBefore: false, queried: todo.length, metrics: figures, errors: await store.errorSummary(runId) };
}

/** Token counts the store can hold (whole, 0 to 2^31-1); anything else a server reports becomes unknown. */
function withStorableCounts(prediction: Prediction, onInvalid: (field: string, value: number) => void): Prediction {
  const { tokensIn, tokensOut, ...rest } = prediction;
  const keep = (field: string, value: number | undefined) => {
    const valid = storableCount(value);
    if (value !== undefined && valid === undefined) onInvalid(field, value);
    return valid;
  };
  const inOk = keep('prompt_tokens', tokensIn);
  const outOk = keep('completion_tokens', tokensOut);
  return { ...rest, ...(inOk !== undefined && { tokensIn: inOk }), ...(outOk !== undefined && { tokensOut: outOk }) };
}

/** What the cache keeps of an answer: enough to replay it, nothing about the request. */
function cachedResponseOf(prediction: Prediction): Record<string, unknown> {
  return {
    ...(prediction.text !== undefined && { text: prediction.text }),
    ...(prediction.label !== undefined && { label: prediction.label }),
    ...(prediction.probs !== undefined && { probs: prediction.probs }),
    ...(prediction.tokensIn !== undefined && { tokensIn: prediction.tokensIn }),
    ...(prediction.tokensOut !== undefined && { tokensOut: prediction.tokensOut }),
  };
}

/** The endpoints that answered a batch (a model's replicas), for `batches.replicas`; none for cached or in-process answers. */
function servedBy(predictions: readonly Prediction[]): { replicas?: string } {
  const replicas = [...new Set(predictions.flatMap((p) => (p.replica === undefined ? [] : [p.replica])))].sort();
  return replicas.length === 0 ? {} : { replicas: replicas.join(ENDPOINT_LIST_SEPARATOR) };
}

function withoutNulls<T extends object>(record: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}

/**
 * Answers from the cache where possible, the runner for the rest; order follows `requests`. The
 * runner's answers are matched to requests by sampleId, never by position: a sample left unanswered
 * gets that as its error, and answers for samples not asked (or a second one for a sample) are
 * dropped and passed to `onUnasked`.
 */
async function predictBatch(
  runner: Runner,
  requests: RenderedRequest[],
  store: RunStore,
  identity: Parameters<typeof requestHash>[0] | undefined,
  onUnasked: (sampleIds: string[]) => void,
  /** The run's interrupt: answers in flight are kept, failures are no longer retried. */
  stopRetrying: AbortSignal | undefined,
): Promise<{ prediction: Prediction; hash?: string }[]> {
  const out: { prediction: Prediction; hash?: string }[] = new Array(requests.length);
  const misses: number[] = [];
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i] as RenderedRequest;
    if (!identity) {
      misses.push(i);
      continue;
    }
    const hash = requestHash(identity, request);
    const hit = await store.cacheGet(hash);
    if (hit) {
      const response = hit.response as Partial<Prediction>;
      out[i] = { prediction: { ...response, sampleId: request.sample.id, latencyMs: 0, cached: true }, hash };
    } else {
      out[i] = { prediction: { sampleId: request.sample.id, latencyMs: 0 }, hash };
      misses.push(i);
    }
  }
  if (misses.length) {
    const asked = new Set(misses.map((i) => (requests[i] as RenderedRequest).sample.id));
    const answers = new Map<string, Prediction>();
    const unasked: string[] = [];
    for (const answer of await runner.runBatch(misses.map((i) => requests[i] as RenderedRequest), undefined, stopRetrying ? { stopRetrying } : {})) {
      if (asked.has(answer.sampleId) && !answers.has(answer.sampleId)) answers.set(answer.sampleId, answer);
      else unasked.push(answer.sampleId);
    }
    if (unasked.length) onUnasked(unasked);
    for (const i of misses) {
      const sampleId = (requests[i] as RenderedRequest).sample.id;
      const previous = out[i];
      const prediction = answers.get(sampleId) ?? { sampleId, latencyMs: 0, error: `provider returned no answer for sample ${sampleId}` };
      out[i] = { prediction, ...(previous?.hash !== undefined && { hash: previous.hash }) };
    }
  }
  return out;
}

/** The suite's metric list (its task's defaults when it has none) with plugin modules loaded; a bad module names file:line:col. */
async function suiteScoring(loaded: LoadedSuite): Promise<SuiteScoring> {
  const entries = loaded.suite.metrics ?? DEFAULT_METRICS[loaded.suite.task] ?? [];
  const moduleIndex = (module: string) => entries.findIndex((entry) => typeof entry !== 'string' && entry.module === module);
  let scoring: SuiteScoring;
  try {
    scoring = await resolveMetricEntries(entries, loaded.baseDir);
  } catch (err) {
    const index = entries.findIndex((entry) => typeof entry !== 'string' && (err as Error).message.startsWith(`${entry.module}:`));
    throw suiteProblem(loaded.file, [{ path: index === -1 ? ['metrics'] : ['metrics', index, 'module'], message: (err as Error).message }]);
  }
  const task = taskNamed(loaded.suite.task);
  for (const { definition, module } of scoring.plugins) {
    const applies = definition.tasks === undefined ? task.needs === 'reference' : definition.tasks.includes(task.name);
    if (!applies) {
      throw suiteProblem(loaded.file, [{ path: ['metrics', moduleIndex(module), 'module'], message: `${module}: metric ${definition.name} does not apply to task ${task.name} (${definition.tasks === undefined ? 'it scores against reference texts' : `it applies to: ${definition.tasks.join(', ')}`})` }]);
    }
  }
  return scoring;
}

/**
 * What would otherwise fail only after earlier models had written their runs: unset keys, missing
 * model files, samples without what the task scores against, placeholders a sample cannot fill.
 */
function checkBeforeWriting(loaded: LoadedSuite, models: readonly ResolvedModel[], samples: readonly Sample[], env: NodeJS.ProcessEnv): void {
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const { definition, model, entry } of models) {
    const problem = definition.problem?.(model, { baseDir: loaded.baseDir, env });
    if (problem) problems.push({ path: ['models', loaded.suite.models.indexOf(entry), problem.field], message: problem.message });
  }
  const task = loaded.suite.task;
  const needs = task === 'classification' ? 'label' : 'reference';
  const lacking = samples.find((sample) => sample[needs] === undefined || sample[needs] === null);
  if (lacking) {
    problems.push({ path: ['dataset'], message: `task ${task} scores against each sample's ${needs}, but sample ${lacking.id} has none (check the dataset's ${needs} field)` });
  }
  for (const part of ['system', 'user'] as const) {
    const template = loaded.prompt[part];
    if (template === undefined) continue;
    const names = placeholdersOf(template);
    for (const sample of samples) {
      const values = templateValues(sample);
      const missing = names.find((name) => values[name] === undefined);
      if (missing !== undefined) {
        problems.push({ path: ['prompt', part], message: `placeholder {{${missing}}} has no value for sample ${sample.id} (it has: ${Object.keys(values).join(', ')})` });
        break;
      }
    }
  }
  if (problems.length) throw suiteProblem(loaded.file, problems);
}

/**
 * The suite's split with the samples this run selects (only those are held: a shard of a large JSONL
 * split streams past the others, on a worker thread: splitLoading.ts); an offset, limit or count past
 * its end is located in the suite like a schema error.
 */
async function loadSplit(loaded: LoadedSuite, options: RunOptions): Promise<SelectedSplit> {
  try {
    return await loadSplitSelection(
      loaded.suite.dataset,
      {
        baseDir: loaded.baseDir,
        ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
        ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
      },
      { ...(options.limit !== undefined && { limit: options.limit }), ...(options.shard !== undefined && { shard: options.shard }) },
    );
  } catch (err) {
    if (err instanceof DatasetRangeError) throw suiteProblem(loaded.file, [{ path: ['dataset', err.field], message: err.reason }]);
    throw err;
  }
}

/** Runs every selected model of a suite on the same split, storing everything as it goes. */
export async function runSuite(loaded: LoadedSuite, asked: RunOptions): Promise<SuiteRunResult> {
  const split = await loadSplit(loaded, asked);
  // A --limit that keeps every sample selects the whole split: the same run (key, no selection) as without it.
  const { limit: _wholeSplit, ...unlimited } = asked;
  const options = asked.limit !== undefined && asked.limit >= split.size ? unlimited : asked;
  if (split.skipped.length) options.progress?.note(`${split.skipped.length} record(s) skipped as invalid (skip_invalid: true); first: ${split.skipped[0]?.record}: ${split.skipped[0]?.reason}`);
  const { samples } = split;
  const models = loaded.suite.models.filter((m) => !options.only || options.only.includes(m.id));
  const unknown = options.only?.filter((id) => !loaded.suite.models.some((m) => m.id === id)) ?? [];
  if (unknown.length) throw new Error(`--only: no model ${unknown.join(', ')} in ${loaded.file} (models: ${loaded.suite.models.map((m) => m.id).join(', ')})`);
  const resolved = await resolveModels(loaded, models);
  checkBeforeWriting(loaded, resolved, samples, options.env ?? process.env);
  const scoring = await suiteScoring(loaded);
  const figures = pluginFigures(scoring.plugins);
  const store = await RunStore.open(options.dbPath, options.lockWaitMs === undefined ? {} : { lockWaitMs: options.lockWaitMs });
  try {
    await store.upsertSamples(split.splitHash, samples);
    // Storing a shard's 25,000 samples left DuckDB ≈ 50 MB of cached blocks it would keep all run.
    await store.releaseMemory();
    const concurrent = loaded.suite.concurrent_models && models.length > 1;
    const run = (model: ResolvedModel) => runModel(loaded, model, split, samples, store, options, concurrent, scoring);
    if (concurrent) {
      // Settled, not Promise.all: the store must not close under a model still writing.
      const settled = await Promise.allSettled(resolved.map(run));
      const failed = settled.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      return { split, results: settled.map((outcome) => (outcome as PromiseFulfilledResult<ModelRunResult>).value), pluginFigures: figures };
    }
    const results: ModelRunResult[] = [];
    for (const model of resolved) {
      results.push(await run(model));
      if (options.signal?.aborted) break;
    }
    return { split, results, pluginFigures: figures };
  } finally {
    await store.close();
  }
}
