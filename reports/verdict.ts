/**
 * The one sentence a researcher would write about two runs of the same samples: which model is
 * better on the suite's main figure, by how much, how sure, and at what cost per batch. The end-of-run
 * output of `logbench run` and every report's headline print it, from the stored figures.
 */
import { z } from 'zod';
import { CliError, ExitCode } from '../core/errors.js';
import { listedFigures } from '../metrics/registry.js';
import { formatNumber, formatPValue, formatSigned } from '../core/format.js';
import { compareStoredRuns, runSettings, type ComparisonStore, type CostFigure, type MetricDifference, type RunComparison } from '../harness/gate/index.js';
import type { StoredRun } from '../harness/store/index.js';

/** The figure a verdict is about, most telling first; otherwise the suite's first quality figure with a paired test. */
const VERDICT_METRICS = ['f1', 'rougeL', 'alert_f1', 'fuzzy', 'chrf', 'accuracy'];

/** Figures about the run's bookkeeping (failures, parsing, format), never the quality a verdict is about. */
const BOOKKEEPING = new Set(['error_rate', 'answer_parse_rate', 'json_parse_rate', 'json_schema_valid_rate', 'cr_parsed']);

/**
 * Below this many paired samples the bootstrap interval collapses (1–2 samples resample to the same
 * value) and its p sits at its 1/resamples floor: the verdict says there are too few samples to judge.
 */
export const MIN_PAIRED_SAMPLES = 10;

/** The fewest discordant pairs with which an exact two-sided McNemar test can reach p < alpha: 2·0.5^d < alpha. */
export function minDiscordantPairs(alpha: number): number {
  return Math.floor(1 - Math.log2(alpha)) + 1;
}

/** How many samples a run failed, as a share, and the most its suite tolerates. */
export interface ErrorShare {
  rate: number;
  max: number;
}

/** What the verdict reads: the two models' names, their paired comparison, and how the suite wants it read. */
export interface VerdictInput {
  candidate: string;
  baseline: string;
  comparison: Pick<RunComparison, 'metrics' | 'cost' | 'confidence' | 'samples'>;
  /** The suite's figure names in its metric order: the fallback order of the main figure. */
  figureOrder?: readonly string[];
  /** The suite's `verdict_metric`, when it names one. */
  verdictMetric?: string;
  /** Each run's error rate and its suite's max_error_rate; absent: none failed. */
  errors?: { candidate: ErrorShare; baseline: ErrorShare };
}

/** `p = 0.02`, `p < 0.001`. */
function pEquals(pValue: number | null, resamples: number | null): string {
  const text = formatPValue(pValue, resamples);
  return text.startsWith('<') ? `p < ${text.slice(1)}` : `p = ${text}`;
}

const METHOD_WORDS: Readonly<Record<string, string>> = {
  'paired-bootstrap': 'one-sided paired bootstrap',
  'paired-bootstrap-two-sided': 'paired bootstrap',
  'mcnemar-exact': 'McNemar',
};

function pickMetric(metrics: readonly MetricDifference[], figureOrder: readonly string[], verdictMetric: string | undefined): MetricDifference | undefined {
  const valued = metrics.filter((m) => m.a !== null && m.b !== null);
  if (verdictMetric !== undefined) return valued.find((m) => m.name === verdictMetric);
  const quality = valued.filter((m) => !BOOKKEEPING.has(m.name));
  const rank = (m: MetricDifference) => (figureOrder.includes(m.name) ? figureOrder.indexOf(m.name) : figureOrder.length);
  const inSuiteOrder = [...quality].sort((x, y) => rank(x) - rank(y));
  const tested = inSuiteOrder.filter((m) => m.ciLow !== null && m.ciHigh !== null);
  return VERDICT_METRICS.map((name) => tested.find((m) => m.name === name)).find((m) => m !== undefined) ?? tested[0] ?? inSuiteOrder[0];
}

/** Milliseconds, two significant digits below 100 ms: a per-sample cost is a rough figure. */
function milliseconds(seconds: number): string {
  const ms = seconds * 1000;
  return `${ms >= 100 ? Math.round(ms) : Number(ms.toPrecision(2))} ms`;
}

/**
 * GPU time where both runs measured it, else CPU time, else wall time, per paired sample: runs with
 * different batch sizes run different numbers of batches, so a per-batch figure compares unequal work.
 */
function costClause(cost: readonly CostFigure[], samples: number): string {
  if (samples === 0) return '';
  const words: Record<string, string> = { gpu_s: 'GPU time', cpu_s: 'CPU', wall_s: 'wall time' };
  const figure = ['gpu_s', 'cpu_s', 'wall_s'].map((name) => cost.find((c) => c.name === name && c.a !== null && c.b !== null)).find((c) => c !== undefined);
  if (figure === undefined || figure.a === null || figure.b === null) return ', cost not measured in both runs';
  return `, at ${milliseconds(figure.a / samples)} vs ${milliseconds(figure.b / samples)} ${words[figure.name]} per sample`;
}

/** Why the failed samples forbid a verdict, or null when they do not. */
function errorVeto(candidate: string, baseline: string, errors: VerdictInput['errors']): string | null {
  if (errors === undefined) return null;
  for (const [model, share] of [[candidate, errors.candidate], [baseline, errors.baseline]] as const) {
    if (share.rate >= 1) return `${model} failed every sample (error rate 1)`;
  }
  const over = ([[candidate, errors.candidate], [baseline, errors.baseline]] as const).filter(([, share]) => share.rate > share.max);
  if (over.length === 0) return null;
  // The figures of a run with many failures cover only the samples it answered: not the same test set.
  return `${over.map(([model, share]) => `${model}'s error rate ${formatNumber(share.rate)} is above its max_error_rate ${formatNumber(share.max)}`).join(' and ')}, so its figures cover only the samples it answered`;
}

/** Why the paired samples are too few for any test to speak, or null. */
function tooFew(metric: MetricDifference, mcnemar: MetricDifference | undefined, alpha: number): string | null {
  if (metric.n < MIN_PAIRED_SAMPLES) return `too few samples to judge (n = ${metric.n}; the rule needs ${MIN_PAIRED_SAMPLES} paired samples)`;
  const needed = minDiscordantPairs(alpha);
  if (mcnemar?.discordant !== undefined && mcnemar.discordant < needed) {
    return `too few samples to judge (n = ${mcnemar.n}, ${mcnemar.discordant} discordant pair${mcnemar.discordant === 1 ? '' : 's'}; McNemar needs ${needed} to reach p < ${formatNumber(alpha)})`;
  }
  return null;
}

/**
 * `logllm-tiny vs logllm-tiny-base: F1 0.61 vs 0.43 (+0.18, 95 % CI [+0.05, +0.31], paired bootstrap p = 0.004;
 * accuracy McNemar p = 0.02): significantly better, at 8.1 ms vs 8 ms CPU per sample.` Significant means the
 * interval of the main figure's difference excludes 0, its bootstrap p is below 1 − confidence and, on a
 * classification, the exact McNemar test agrees (docs/DECISIONS.md); below MIN_PAIRED_SAMPLES paired samples or
 * too few discordant pairs the sentence says there are too few samples to judge.
 */
export function verdictSentence({ candidate, baseline, comparison, figureOrder = [], verdictMetric, errors }: VerdictInput): string {
  const metric = pickMetric(comparison.metrics, figureOrder, verdictMetric);
  const versus = `${candidate} vs ${baseline}`;
  const veto = errorVeto(candidate, baseline, errors);
  if (veto !== null) return `${versus}: cannot judge: ${veto}.`;
  if (metric === undefined || metric.a === null || metric.b === null || metric.delta === null) {
    return `${versus}: no ${verdictMetric === undefined ? 'figure' : `${verdictMetric} (the suite's verdict_metric)`} both runs have, no verdict.`;
  }
  const name = metric.name === 'f1' ? 'F1' : metric.name;
  const figures = `${name} ${formatNumber(metric.a)} vs ${formatNumber(metric.b)}`;
  const cost = costClause(comparison.cost, comparison.samples);
  const failures = errors !== undefined && (errors.candidate.rate > 0 || errors.baseline.rate > 0) ? `; error rates ${formatNumber(errors.candidate.rate)} vs ${formatNumber(errors.baseline.rate)}` : '';
  if (metric.ciLow === null || metric.ciHigh === null) {
    return `${versus}: ${figures} (${formatSigned(metric.delta)}, no paired test: ${metric.untested ?? 'no interval'}${failures})${cost}.`;
  }
  const alpha = 1 - comparison.confidence;
  const confidence = `${formatNumber(comparison.confidence * 100)} % CI [${formatSigned(metric.ciLow)}, ${formatSigned(metric.ciHigh)}]`;
  const test = metric.pValue === null ? '' : `, ${METHOD_WORDS[metric.method] ?? metric.method} ${pEquals(metric.pValue, metric.resamples)}`;
  const mcnemar = comparison.metrics.find((m) => m.method === 'mcnemar-exact' && m.pValue !== null);
  const mcnemarText = mcnemar === undefined || mcnemar.name === metric.name ? '' : `; ${mcnemar.name} McNemar ${pEquals(mcnemar.pValue, null)}`;
  const head = `${versus}: ${figures} (${formatSigned(metric.delta)}, ${confidence}${test}${mcnemarText}${failures})`;
  const few = tooFew(metric, mcnemar, alpha);
  if (few !== null) return `${head}: ${few}${cost}.`;
  const better = metric.higherIsBetter ? metric.ciLow > 0 : metric.ciHigh < 0;
  const worse = metric.higherIsBetter ? metric.ciHigh < 0 : metric.ciLow > 0;
  // A one-sided bootstrap p is compared with alpha / 2, as the two-sided interval is.
  const bootstrapAgrees = metric.pValue === null || metric.pValue < (metric.method === 'paired-bootstrap' ? alpha / 2 : alpha);
  // McNemar tests accuracy: it agrees when p < alpha and accuracy moved the way the main figure did.
  const mcnemarAgrees = mcnemar?.pValue == null || (mcnemar.pValue < alpha && (better ? (mcnemar.delta ?? 0) > 0 : (mcnemar.delta ?? 0) < 0));
  let finding = better ? 'significantly better' : worse ? 'significantly worse' : 'no significant difference';
  if ((better || worse) && !(bootstrapAgrees && mcnemarAgrees)) {
    finding = `no significant difference (the interval excludes 0 but ${bootstrapAgrees ? `McNemar p = ${formatPValue(mcnemar?.pValue ?? null, null)}` : 'the bootstrap p'} does not agree)`;
  }
  return `${head}: ${finding}${cost}.`;
}

/** A paired comparison of two stored runs and how the candidate's suite wants it read: what a verdict reads. */
export type StoredComparison = Omit<VerdictInput, 'candidate' | 'baseline' | 'comparison'> & { comparison: RunComparison };

const VerdictSettings = z.looseObject({ verdict_metric: z.string().optional() });

/**
 * Two stored runs compared sample by sample (as `logbench compare` does), or null when they are not
 * comparable: a report says so already, and a run with `--only` may lack its baseline.
 */
export async function storedComparison(
  store: ComparisonStore,
  candidate: StoredRun,
  baseline: StoredRun,
): Promise<StoredComparison | null> {
  try {
    const comparison = await compareStoredRuns(store, candidate, baseline);
    const settings = runSettings(candidate);
    const errorShare = async (run: StoredRun): Promise<ErrorShare> => ({
      rate: (await store.metrics(run.id)).find((m) => m.name === 'error_rate')?.value ?? 0,
      max: runSettings(run).maxErrorRate,
    });
    const verdictMetric = VerdictSettings.safeParse(candidate.suite).data?.verdict_metric;
    return {
      comparison,
      figureOrder: listedFigures(settings.task, settings.metrics.filter((entry): entry is string => typeof entry === 'string')),
      ...(verdictMetric !== undefined && { verdictMetric }),
      errors: { candidate: await errorShare(candidate), baseline: await errorShare(baseline) },
    };
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.notComparable) return null;
    throw error;
  }
}

/** The verdict on two stored runs, named by their model ids; null when they are not comparable. */
export async function storedVerdict(
  store: ComparisonStore,
  candidate: StoredRun,
  baseline: StoredRun,
): Promise<string | null> {
  const compared = await storedComparison(store, candidate, baseline);
  return compared === null ? null : verdictSentence({ candidate: candidate.modelId, baseline: baseline.modelId, ...compared });
}
