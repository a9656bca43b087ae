/**
 * Everything one report shows, as aggregates read from the store: run metadata, corpus metrics with
 * their intervals, per-batch telemetry joined with per-batch quality, task breakdowns and a few
 * hand-picked samples. Never every raw prediction, so a 100,000-sample run still gives a small page.
 */
import { canonicalJson } from '../core/hash.js';
import {
  NO_ANSWER,
  type BatchQuality,
  type JsonAnalysisCell,
  type LabelCount,
  type QualitySource,
  type RunStore,
  type StoreQueries,
  type StoredBatch,
  type StoredRun,
  withStoreQueries,
} from '../harness/store/index.js';
import type { GpuSource } from '../harness/telemetry/batchTelemetry.js';
import { classificationReport } from '../metrics/classification.js';
import { metricRows, type MetricRow } from '../core/format.js';
import { runSettings } from '../harness/gate/storedSuite.js';
import type { FigureInfo } from '../metrics/definition.js';
import { runTotal, type RunTotal } from '../harness/gate/cost.js';
import { higherIsBetter } from '../metrics/registry.js';
import { storedVerdict } from './verdict.js';

export interface ReportRun {
  id: string;
  /** Display name, unique within the report (model id, variant; the run id when both runs share them). */
  model: string;
  role: 'candidate' | 'baseline';
  modelId: string;
  variant: string | null;
  provider: string;
  modelName: string | null;
  task: string;
  status: string;
  suiteName: string;
  startedAt: string;
  finishedAt: string | null;
  splitHash: string;
  promptHash: string | null;
  configHash: string;
  decoding: Record<string, unknown>;
  gitSha: string | null;
  gitDirty: boolean | null;
  harnessVersion: string;
  host: string;
  gpuName: string | null;
  /** The OpenAI-compatible endpoint the run called (credentials redacted); null for a model run inside logbench. */
  endpoint: string | null;
  predictions: number;
  errors: number;
  /** Some batch of the run carries a GPU figure; false renders "no GPU visible". */
  gpuVisible: boolean;
  /** Which telemetry measured the GPUs (local `nvidia-smi` or a DCGM exporter); null without GPU figures. */
  gpuSource: GpuSource | null;
  /** The first reason a batch stored for missing GPU figures ("no GPU visible (…)", "scrape failed: …"). */
  telemetryNote: string | null;
}

/** Whether the two runs measured the same thing (DESIGN §3: gate exit code 2 when they did not). */
export interface Comparability {
  sameSplit: boolean;
  samePrompt: boolean;
  sameDecoding: boolean;
}

export interface ReportMetric {
  runId: string;
  model: string;
  name: string;
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
}

/** One batch as the report charts it: the stored figures (RSS in MiB, as GPU memory) next to the batch's mean quality. */
export type ReportBatch = Pick<
  StoredBatch,
  | 'runId'
  | 'batchIndex'
  | 'size'
  | 'wallMs'
  | 'cpuMs'
  | 'tokensIn'
  | 'tokensOut'
  | 'latencyP50Ms'
  | 'latencyP95Ms'
  | 'latencyMaxMs'
  | 'gpuUtilAvg'
  | 'gpuUtilMax'
  | 'gpuMemPeakMb'
  | 'gpuMemDeltaMb'
  | 'gpuTimeMs'
  | 'energyJ'
  | 'powerAvgW'
> & {
  model: string;
  rssPeakMb: number | null;
  /** Mean per-sample quality of the batch; null where no sample of it has a score. */
  quality: number | null;
};

/** The run totals of per-batch figures that a report shows; each needs every batch to have measured it. */
export type RunTotalFigure = 'cpuMs' | 'tokens' | 'gpuTimeMs' | 'gpuMemPeakMb' | 'energyJ';

/** One run's totals next to its quality: a point of the quality-vs-cost scatter. */
export interface RunCost {
  runId: string;
  model: string;
  samples: number;
  wallMs: number;
  /**
   * The run totals (`runTotal` of harness/gate, the rule compare and gate follow): null unless every
   * batch measured the figure, so a run missing some batches never looks cheaper; `measured` says how many did.
   */
  cpuMs: number | null;
  /** Prompt plus generated tokens, where the provider reported them. */
  tokens: number | null;
  gpuTimeMs: number | null;
  /** The largest of the batches' peaks. */
  gpuMemPeakMb: number | null;
  /** GPU energy, the sum of the batches'. */
  energyJ: number | null;
  batches: number;
  /** Batches that measured each figure: fewer than `batches` leaves its total null. */
  measured: Record<RunTotalFigure, number>;
  quality: number | null;
  qualityCiLow: number | null;
  qualityCiHigh: number | null;
  /** Quality per kilojoule of GPU energy: only where the quality metric is higher-is-better (an error per kJ reads backwards). */
  qualityPerKj: number | null;
}

export interface QualityMetric {
  name: string;
  higherIsBetter: boolean;
  source: QualitySource['kind'];
}

export interface PerClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface LabelShare {
  label: string;
  source: 'truth' | 'predicted';
  count: number;
}

export interface ClassificationBreakdown {
  runId: string;
  model: string;
  accuracy: number;
  confusion: LabelCount[];
  perClass: PerClassScore[];
  distribution: LabelShare[];
}

export interface RiskErrorBin {
  /** Predicted − reference risk score, bin lower edge. */
  binStart: number;
  count: number;
}

export interface JsonAnalysisBreakdown {
  n: number;
  parseRate: number;
  schemaValidRate: number;
  runId: string;
  model: string;
  alertConfusion: LabelCount[];
  riskErrors: RiskErrorBin[];
}

export interface SampleOutput {
  runId: string;
  model: string;
  output: string | null;
  label: string | null;
  error: string | null;
  quality: number | null;
}

export interface SampleView {
  sampleId: string;
  /** Cut to a few hundred characters, marked with "…" where cut. */
  input: string;
  reference: string | null;
  label: string | null;
  outputs: SampleOutput[];
  /** Candidate − baseline quality. */
  delta: number | null;
}

export interface ReportData {
  generatedAt: string;
  suiteName: string;
  candidate: ReportRun;
  baseline: ReportRun | null;
  /** Candidate first. */
  runs: ReportRun[];
  comparability: Comparability | null;
  qualityMetric: QualityMetric | null;
  metrics: ReportMetric[];
  batches: ReportBatch[];
  costs: RunCost[];
  /** Present for classification runs with gold labels. */
  classification: ClassificationBreakdown[] | null;
  /** Present for JSON-analysis runs. */
  jsonAnalysis: JsonAnalysisBreakdown[] | null;
  samples: { worst: SampleView[]; mostChanged: SampleView[] };
  /** The one-sentence verdict on candidate vs baseline (reports/verdict.ts); null without a comparable baseline. */
  verdict: string | null;
}

export interface ReportOptions {
  runId: string;
  baselineId?: string;
  /** Per-sample metric ranking batches and samples; default: the first of PREFERRED_QUALITY_METRICS the candidate has. */
  qualityMetric?: string;
  /** Samples in each list of the sample browser (default 20). */
  sampleLimit?: number;
}

/** Per-sample metrics (names as metrics/taskScoring.ts stores them) that best stand for "quality", most telling first. */
const PREFERRED_QUALITY_METRICS = ['rougeL', 'rougeLsum', 'cause_rougeL', 'fuzzy', 'correct', 'alert_correct', 'critical_f1', 'sentence_bleu', 'rouge1'];
const LABEL_AGREEMENT_METRIC = 'correct';
/** Corpus figures that are the mean of a per-sample quality under another name: the run's point takes their interval. */
const CORPUS_FIGURE_OF: Readonly<Record<string, string>> = { correct: 'accuracy', alert_correct: 'alert_accuracy' };
/** Width, in risk-score points, of the risk-error histogram bins. */
export const RISK_ERROR_BIN_WIDTH = 10;
const SAMPLE_LIMIT = 20;
const MAX_INPUT_CHARS = 600;
const MAX_TEXT_CHARS = 2000;
const BYTES_PER_MIB = 1024 * 1024;


/** A run's model as charts and tables name it: model id, and variant when there is one. */
export function modelLabel(run: Pick<StoredRun, 'modelId' | 'variant'>): string {
  return run.variant === null ? run.modelId : `${run.modelId} (${run.variant})`;
}

/** A run's name in a report: its model label, plus the run id when another run of the report shares it. */
function displayLabel(run: StoredRun, all: readonly StoredRun[]): string {
  const label = modelLabel(run);
  return all.some((other) => other.id !== run.id && modelLabel(other) === label) ? `${label} [${run.id}]` : label;
}

function reportRun(run: StoredRun, model: string, role: ReportRun['role'], counts: { predictions: number; errors: number }, batches: readonly StoredBatch[]): ReportRun {
  return {
    id: run.id,
    model,
    role,
    modelId: run.modelId,
    variant: run.variant,
    provider: run.provider,
    modelName: run.modelName,
    task: run.task,
    status: run.status,
    suiteName: run.suiteName,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    splitHash: run.splitHash,
    promptHash: run.promptHash,
    configHash: run.configHash,
    decoding: run.decoding,
    gitSha: run.gitSha,
    gitDirty: run.gitDirty,
    harnessVersion: run.harnessVersion,
    host: run.host,
    gpuName: run.gpuName,
    endpoint: run.endpoint,
    predictions: counts.predictions,
    errors: counts.errors,
    gpuVisible: batches.some((batch) => batch.gpuTimeMs !== null || batch.gpuUtilAvg !== null || batch.gpuMemPeakMb !== null || batch.energyJ !== null),
    gpuSource: batches.find((batch) => batch.gpuSource !== null)?.gpuSource ?? null,
    telemetryNote: batches.find((batch) => batch.telemetryNote !== null)?.telemetryNote ?? null,
  };
}

function chooseQuality(requested: string | undefined, available: readonly string[], task: string): QualitySource | null {
  if (requested !== undefined) {
    if (!available.includes(requested)) {
      throw new Error(`quality metric "${requested}" has no per-sample scores in this run (it has: ${available.join(', ') || 'none'})`);
    }
    return { kind: 'sample-metric', name: requested };
  }
  const preferred = PREFERRED_QUALITY_METRICS.find((name) => available.includes(name)) ?? available[0];
  if (preferred !== undefined) return { kind: 'sample-metric', name: preferred };
  return task === 'classification' ? { kind: 'label-agreement' } : null;
}

function qualityName(source: QualitySource): string {
  return source.kind === 'sample-metric' ? source.name : LABEL_AGREEMENT_METRIC;
}

function batchRows(run: ReportRun, batches: readonly StoredBatch[], quality: readonly BatchQuality[]): ReportBatch[] {
  const qualityByBatch = new Map(quality.map((row) => [row.batchIndex, row.quality]));
  return batches.map((batch) => ({
    runId: run.id,
    model: run.model,
    batchIndex: batch.batchIndex,
    size: batch.size,
    wallMs: batch.wallMs,
    cpuMs: batch.cpuMs,
    rssPeakMb: batch.rssPeakBytes === null ? null : batch.rssPeakBytes / BYTES_PER_MIB,
    tokensIn: batch.tokensIn,
    tokensOut: batch.tokensOut,
    latencyP50Ms: batch.latencyP50Ms,
    latencyP95Ms: batch.latencyP95Ms,
    latencyMaxMs: batch.latencyMaxMs,
    gpuUtilAvg: batch.gpuUtilAvg,
    gpuUtilMax: batch.gpuUtilMax,
    gpuMemPeakMb: batch.gpuMemPeakMb,
    gpuMemDeltaMb: batch.gpuMemDeltaMb,
    gpuTimeMs: batch.gpuTimeMs,
    energyJ: batch.energyJ,
    powerAvgW: batch.powerAvgW,
    quality: qualityByBatch.get(batch.batchIndex) ?? null,
  }));
}

/** Each run total of `RunCost`: its per-batch figure and how batches combine into the run's. */
const RUN_TOTALS: Record<RunTotalFigure, { of: (batch: ReportBatch) => number | null; combine: 'sum' | 'max' }> = {
  cpuMs: { of: (batch) => batch.cpuMs, combine: 'sum' },
  tokens: { of: (batch) => (batch.tokensIn === null || batch.tokensOut === null ? null : batch.tokensIn + batch.tokensOut), combine: 'sum' },
  gpuTimeMs: { of: (batch) => batch.gpuTimeMs, combine: 'sum' },
  gpuMemPeakMb: { of: (batch) => batch.gpuMemPeakMb, combine: 'max' },
  energyJ: { of: (batch) => batch.energyJ, combine: 'sum' },
};

/** Quality per kJ of `energyJ` joules (a whole run's; see `RunCost.qualityPerKj`). */
export function qualityPerKj(quality: number | null, higherIsBetter: boolean, energyJ: number | null): number | null {
  if (quality === null || !higherIsBetter || energyJ === null || energyJ <= 0) return null;
  return quality / (energyJ / 1000);
}

/** Totals of the run's batches; quality is the corpus metric with its interval, else the mean per-sample score. */
function runCost(run: ReportRun, batches: readonly ReportBatch[], metrics: readonly ReportMetric[], qualityMetric: QualityMetric | null, meanQuality: number | null): RunCost {
  const corpusName = qualityMetric === null ? null : (CORPUS_FIGURE_OF[qualityMetric.name] ?? qualityMetric.name);
  const corpus = metrics.find((metric) => metric.runId === run.id && metric.name === corpusName && metric.value !== null);
  const totals = Object.fromEntries(
    Object.entries(RUN_TOTALS).map(([figure, { of, combine }]) => [figure, runTotal(batches.map(of), combine)]),
  ) as Record<RunTotalFigure, RunTotal>;
  const quality = corpus?.value ?? meanQuality;
  return {
    runId: run.id,
    model: run.model,
    samples: batches.reduce((total, batch) => total + batch.size, 0),
    wallMs: batches.reduce((total, batch) => total + batch.wallMs, 0),
    cpuMs: totals.cpuMs.value,
    tokens: totals.tokens.value,
    gpuTimeMs: totals.gpuTimeMs.value,
    gpuMemPeakMb: totals.gpuMemPeakMb.value,
    energyJ: totals.energyJ.value,
    batches: batches.length,
    measured: Object.fromEntries(Object.entries(totals).map(([figure, total]) => [figure, total.measured])) as Record<RunTotalFigure, number>,
    quality,
    qualityCiLow: corpus?.ciLow ?? null,
    qualityCiHigh: corpus?.ciHigh ?? null,
    qualityPerKj: qualityPerKj(quality, qualityMetric?.higherIsBetter ?? true, totals.energyJ.value),
  };
}

/** Mean per-sample score over the run, from the per-batch means and their sample counts. */
function meanQuality(rows: readonly BatchQuality[]): number | null {
  const scored = rows.reduce((total, row) => total + row.scored, 0);
  return scored === 0 ? null : rows.reduce((total, row) => total + row.quality * row.scored, 0) / scored;
}

/** Confusion, per-class scores (scikit-learn semantics via metrics/) and label shares from label counts. */
function classificationBreakdown(run: ReportRun, confusion: readonly LabelCount[]): ClassificationBreakdown {
  const truths = confusion.flatMap((cell) => Array<string>(cell.count).fill(cell.truth));
  const predictions = confusion.flatMap((cell) => Array<string>(cell.count).fill(cell.predicted));
  // Unanswered samples count as wrong for their gold class, without becoming a class of their own.
  const labels = [...new Set(confusion.flatMap((cell) => [cell.truth, cell.predicted]))].filter((label) => label !== NO_ANSWER).sort();
  const report = classificationReport(truths, predictions, { labels });
  const share = (source: LabelShare['source'], pick: (cell: LabelCount) => string): LabelShare[] => {
    const counts = new Map<string, number>();
    for (const cell of confusion) counts.set(pick(cell), (counts.get(pick(cell)) ?? 0) + cell.count);
    return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, count]) => ({ label, source, count }));
  };
  return {
    runId: run.id,
    model: run.model,
    accuracy: report.accuracy,
    confusion: [...confusion],
    perClass: report.perLabel.labels.map((label, i) => ({
      label: String(label),
      precision: report.perLabel.precision[i] ?? 0,
      recall: report.perLabel.recall[i] ?? 0,
      f1: report.perLabel.f1[i] ?? 0,
      support: report.perLabel.support[i] ?? 0,
    })),
    distribution: [...share('truth', (cell) => cell.truth), ...share('predicted', (cell) => cell.predicted)],
  };
}

function cut(text: string, fullLength: number): string {
  return fullLength > text.length ? `${text}…` : text;
}

async function sampleViews(
  queries: StoreQueries,
  runs: readonly ReportRun[],
  picked: readonly { sampleId: string; candidate: number; baseline: number | null }[],
): Promise<SampleView[]> {
  const candidate = runs[0];
  if (candidate === undefined || picked.length === 0) return [];
  const ids = picked.map((sample) => sample.sampleId);
  const texts = new Map((await queries.sampleTexts(candidate.splitHash, ids, { input: MAX_INPUT_CHARS, text: MAX_TEXT_CHARS })).map((row) => [row.sampleId, row]));
  const outputs = await queries.predictionTexts(
    runs.map((run) => run.id),
    ids,
    MAX_TEXT_CHARS,
  );
  return picked.map((sample) => {
    const text = texts.get(sample.sampleId);
    return {
      sampleId: sample.sampleId,
      input: text === undefined ? '' : cut(text.input, text.inputLength),
      reference: text?.reference == null ? null : cut(text.reference, text.referenceLength ?? 0),
      label: text?.label ?? null,
      outputs: runs.map((run) => {
        const prediction = outputs.find((row) => row.runId === run.id && row.sampleId === sample.sampleId);
        return {
          runId: run.id,
          model: run.model,
          output: prediction?.output == null ? null : cut(prediction.output, prediction.outputLength ?? 0),
          label: prediction?.label ?? null,
          error: prediction?.error ?? null,
          quality: run.role === 'candidate' ? sample.candidate : sample.baseline,
        };
      }),
      delta: sample.baseline === null ? null : sample.candidate - sample.baseline,
    };
  });
}

async function requireRun(store: Pick<RunStore, 'getRun'>, runId: string): Promise<StoredRun> {
  const run = await store.getRun(runId);
  if (run === null) throw new Error(`run ${runId} is not in the store`);
  return run;
}

type ReportStore = Pick<RunStore, 'path' | 'readOnly' | 'getRun' | 'metrics' | 'batches' | 'predictionCounts' | 'samples' | 'predictions' | 'scoringRows'>;

interface ReadRun {
  run: ReportRun;
  batches: StoredBatch[];
}

async function readRun(store: ReportStore, run: StoredRun, role: ReportRun['role'], all: readonly StoredRun[]): Promise<ReadRun> {
  const batches = await store.batches(run.id);
  return { run: reportRun(run, displayLabel(run, all), role, await store.predictionCounts(run.id), batches), batches };
}

async function classificationBreakdowns(queries: StoreQueries, runs: readonly ReportRun[]): Promise<ClassificationBreakdown[] | null> {
  const breakdowns: ClassificationBreakdown[] = [];
  for (const run of runs) {
    const confusion = await queries.labelConfusion(run.id);
    if (confusion.length > 0) breakdowns.push(classificationBreakdown(run, confusion));
  }
  return breakdowns.length > 0 ? breakdowns : null;
}

/** Rates, alert confusion and risk-error histogram of one run, from its grouped answers. */
function jsonAnalysisBreakdown(run: ReportRun, cells: readonly JsonAnalysisCell[]): JsonAnalysisBreakdown | null {
  const n = cells.reduce((total, cell) => total + cell.count, 0);
  if (n === 0) return null;
  const share = (test: (cell: JsonAnalysisCell) => boolean) => cells.reduce((total, cell) => total + (test(cell) ? cell.count : 0), 0) / n;
  const alertConfusion: LabelCount[] = [];
  const riskErrors: RiskErrorBin[] = [];
  for (const cell of cells) {
    if (cell.trueAlert !== null) {
      const predicted = cell.predictedAlert ?? NO_ANSWER;
      const pair = alertConfusion.find((known) => known.truth === cell.trueAlert && known.predicted === predicted);
      if (pair === undefined) alertConfusion.push({ truth: cell.trueAlert, predicted, count: cell.count });
      else pair.count += cell.count;
    }
    if (cell.riskErrorBin !== null) {
      const bin = riskErrors.find((known) => known.binStart === cell.riskErrorBin);
      if (bin === undefined) riskErrors.push({ binStart: cell.riskErrorBin, count: cell.count });
      else bin.count += cell.count;
    }
  }
  return {
    runId: run.id,
    model: run.model,
    n,
    parseRate: share((cell) => cell.parsed),
    schemaValidRate: share((cell) => cell.schemaValid),
    alertConfusion: alertConfusion.sort((a, b) => a.truth.localeCompare(b.truth) || a.predicted.localeCompare(b.predicted)),
    riskErrors: riskErrors.sort((a, b) => a.binStart - b.binStart),
  };
}

async function jsonAnalysisBreakdowns(queries: StoreQueries, runs: readonly ReportRun[]): Promise<JsonAnalysisBreakdown[] | null> {
  const breakdowns: JsonAnalysisBreakdown[] = [];
  for (const run of runs) {
    const breakdown = jsonAnalysisBreakdown(run, await queries.jsonAnalysisCells(run.id, RISK_ERROR_BIN_WIDTH));
    if (breakdown !== null) breakdowns.push(breakdown);
  }
  return breakdowns.length > 0 ? breakdowns : null;
}

/** Reads the report of `options.runId` (against `options.baselineId`) with queries already open. */
export async function collectReportData(store: ReportStore, queries: StoreQueries, options: ReportOptions): Promise<ReportData> {
  const storedCandidate = await requireRun(store, options.runId);
  const storedBaseline = options.baselineId === undefined ? null : await requireRun(store, options.baselineId);
  const all = storedBaseline === null ? [storedCandidate] : [storedCandidate, storedBaseline];
  const candidateRead = await readRun(store, storedCandidate, 'candidate', all);
  const baselineRead = storedBaseline === null ? null : await readRun(store, storedBaseline, 'baseline', all);
  const read = baselineRead === null ? [candidateRead] : [candidateRead, baselineRead];
  const candidate = candidateRead.run;
  const baseline = baselineRead?.run ?? null;
  const runs = read.map(({ run }) => run);

  const quality = chooseQuality(options.qualityMetric, await queries.sampleMetricNames(candidate.id), candidate.task);
  const qualityMetric: QualityMetric | null =
    quality === null ? null : { name: qualityName(quality), higherIsBetter: higherIsBetter(qualityName(quality), storedPluginFigures(storedCandidate)), source: quality.kind };

  const metrics: ReportMetric[] = [];
  for (const run of runs) {
    for (const metric of await store.metrics(run.id)) {
      metrics.push({ runId: run.id, model: run.model, name: metric.name, value: metric.value, ciLow: metric.ciLow, ciHigh: metric.ciHigh, n: metric.n });
    }
  }
  const batchesByRun: ReportBatch[][] = [];
  const costs: RunCost[] = [];
  for (const { run, batches } of read) {
    const qualityRows = quality === null ? [] : await queries.batchQuality(run.id, quality);
    const rows = batchRows(run, batches, qualityRows);
    batchesByRun.push(rows);
    costs.push(runCost(run, rows, metrics, qualityMetric, meanQuality(qualityRows)));
  }

  const limit = options.sampleLimit ?? SAMPLE_LIMIT;
  const ranked = (order: 'worst' | 'changed') =>
    quality === null || (order === 'changed' && baseline === null)
      ? Promise.resolve([])
      : queries.rankedSamples({
          order,
          candidateId: candidate.id,
          baselineId: baseline?.id ?? null,
          quality,
          higherIsBetter: qualityMetric?.higherIsBetter ?? true,
          limit,
        });

  return {
    generatedAt: new Date().toISOString(),
    suiteName: candidate.suiteName,
    candidate,
    baseline,
    runs,
    comparability:
      baseline === null
        ? null
        : {
            sameSplit: candidate.splitHash === baseline.splitHash,
            samePrompt: candidate.promptHash === baseline.promptHash,
            sameDecoding: canonicalJson(candidate.decoding) === canonicalJson(baseline.decoding),
          },
    qualityMetric,
    metrics,
    batches: batchesByRun.flat(),
    costs,
    classification: candidate.task === 'classification' ? await classificationBreakdowns(queries, runs) : null,
    jsonAnalysis: candidate.task === 'json-analysis' ? await jsonAnalysisBreakdowns(queries, runs) : null,
    samples: {
      worst: await sampleViews(queries, runs, await ranked('worst')),
      mostChanged: await sampleViews(queries, runs, await ranked('changed')),
    },
    verdict: storedBaseline === null ? null : await storedVerdict(store, storedCandidate, storedBaseline),
  };
}

/** Reads everything the report of `options.runId` shows; `store` must be open read-only. */
export async function loadReportData(store: ReportStore, options: ReportOptions): Promise<ReportData> {
  return withStoreQueries(store, (queries) => collectReportData(store, queries, options));
}

/** The report's metric × run table: every stored figure by name, with candidate − baseline where both have one. */
export function reportMetricRows(data: Pick<ReportData, 'runs' | 'metrics'>): (MetricRow<ReportMetric> & { delta: number | null })[] {
  const columns = data.runs.map((run) => ({ label: run.model, metrics: data.metrics.filter((metric) => metric.runId === run.id) }));
  return metricRows(columns, 1, { sort: true }).map((row) => ({ ...row, delta: row.deltas[0] ?? null }));
}

/** The plugin figures stored with a run; a report still draws a run whose stored suite an older logbench wrote. */
function storedPluginFigures(run: StoredRun): FigureInfo[] {
  try {
    return runSettings(run).pluginFigures;
  } catch {
    return [];
  }
}
