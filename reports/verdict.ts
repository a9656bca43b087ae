/**
 * The one sentence a researcher would write about two runs of the same samples: which model is
 * better on the suite's main figure, by how much, how sure, and at what cost per batch. The end-of-run
 * output of `logbench run` and every report's headline print it, from the stored figures.
 */
import { CliError, ExitCode } from '../core/errors.js';
import { formatNumber, formatPValue, formatSigned } from '../core/format.js';
import { compareStoredRuns, type CostFigure, type MetricDifference, type RunComparison } from '../harness/gate/index.js';
import type { RunStore, StoredRun } from '../harness/store/index.js';

/** The figure a verdict is about, most telling first; otherwise the first figure with a paired test. */
const VERDICT_METRICS = ['f1', 'rougeL', 'alert_f1', 'fuzzy', 'chrf', 'accuracy'];

/** What the verdict reads: the two models' names, their paired comparison, and how many batches each ran. */
export interface VerdictInput {
  candidate: string;
  baseline: string;
  comparison: Pick<RunComparison, 'metrics' | 'cost' | 'confidence'>;
  batches: { candidate: number; baseline: number };
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

function pickMetric(metrics: readonly MetricDifference[]): MetricDifference | undefined {
  const tested = metrics.filter((m) => m.a !== null && m.b !== null && m.ciLow !== null && m.ciHigh !== null);
  return VERDICT_METRICS.map((name) => tested.find((m) => m.name === name)).find((m) => m !== undefined) ?? tested[0] ?? metrics.find((m) => m.a !== null && m.b !== null);
}

/** Milliseconds, three significant digits at most: a per-batch cost is a rough figure. */
function milliseconds(seconds: number): string {
  const ms = seconds * 1000;
  return `${ms >= 100 ? Math.round(ms) : Number(ms.toPrecision(2))} ms`;
}

/** GPU time where both runs measured it, else CPU time, else wall time: the first figure both runs have. */
function costClause(cost: readonly CostFigure[], batches: VerdictInput['batches']): string {
  if (batches.candidate === 0 || batches.baseline === 0) return '';
  const words: Record<string, string> = { gpu_s: 'GPU time', cpu_s: 'CPU', wall_s: 'wall time' };
  const figure = ['gpu_s', 'cpu_s', 'wall_s'].map((name) => cost.find((c) => c.name === name && c.a !== null && c.b !== null)).find((c) => c !== undefined);
  if (figure === undefined || figure.a === null || figure.b === null) return ', cost not measured in both runs';
  // Different batch counts make "per batch" figures of different amounts of work: say so.
  const counts = batches.candidate === batches.baseline ? '' : ` (${batches.candidate} vs ${batches.baseline} batches)`;
  return `, at ${milliseconds(figure.a / batches.candidate)} vs ${milliseconds(figure.b / batches.baseline)} ${words[figure.name]} per batch${counts}`;
}

/**
 * `logllm-tiny vs logllm-tiny-base: F1 0.61 vs 0.43 (+0.18, 95 % CI [+0.05, +0.31], paired bootstrap p = 0.004;
 * accuracy McNemar p = 0.02): significantly better, at 41 ms vs 40 ms CPU per batch.` Significant means the
 * interval of the main figure's difference excludes 0; without an interval the sentence says it is untested.
 */
export function verdictSentence({ candidate, baseline, comparison, batches }: VerdictInput): string {
  const metric = pickMetric(comparison.metrics);
  const versus = `${candidate} vs ${baseline}`;
  if (metric === undefined || metric.a === null || metric.b === null || metric.delta === null) return `${versus}: no figure both runs have, no verdict.`;
  const name = metric.name === 'f1' ? 'F1' : metric.name;
  const figures = `${name} ${formatNumber(metric.a)} vs ${formatNumber(metric.b)}`;
  const cost = costClause(comparison.cost, batches);
  if (metric.ciLow === null || metric.ciHigh === null) {
    return `${versus}: ${figures} (${formatSigned(metric.delta)}, no paired test: ${metric.untested ?? 'no interval'})${cost}.`;
  }
  const confidence = `${formatNumber(comparison.confidence * 100)} % CI [${formatSigned(metric.ciLow)}, ${formatSigned(metric.ciHigh)}]`;
  const test = metric.pValue === null ? '' : `, ${METHOD_WORDS[metric.method] ?? metric.method} ${pEquals(metric.pValue, metric.resamples)}`;
  const mcnemar = comparison.metrics.find((m) => m.method === 'mcnemar-exact' && m.name !== metric.name && m.pValue !== null);
  const mcnemarText = mcnemar === undefined ? '' : `; ${mcnemar.name} McNemar ${pEquals(mcnemar.pValue, null)}`;
  const better = metric.higherIsBetter ? metric.ciLow > 0 : metric.ciHigh < 0;
  const worse = metric.higherIsBetter ? metric.ciHigh < 0 : metric.ciLow > 0;
  const finding = better ? 'significantly better' : worse ? 'significantly worse' : 'no significant difference';
  return `${versus}: ${figures} (${formatSigned(metric.delta)}, ${confidence}${test}${mcnemarText}): ${finding}${cost}.`;
}

/** A paired comparison of two stored runs and how many batches each ran: what a verdict reads. */
export interface StoredComparison {
  comparison: RunComparison;
  batches: VerdictInput['batches'];
}

/**
 * Two stored runs compared sample by sample (as `logbench compare` does), or null when they are not
 * comparable: a report says so already, and a run with `--only` may lack its baseline.
 */
export async function storedComparison(
  store: Pick<RunStore, 'samples' | 'predictions' | 'metrics' | 'batches'>,
  candidate: StoredRun,
  baseline: StoredRun,
): Promise<StoredComparison | null> {
  try {
    const comparison = await compareStoredRuns(store, candidate, baseline);
    return { comparison, batches: { candidate: (await store.batches(candidate.id)).length, baseline: (await store.batches(baseline.id)).length } };
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.notComparable) return null;
    throw error;
  }
}

/** The verdict on two stored runs, named by their model ids; null when they are not comparable. */
export async function storedVerdict(
  store: Pick<RunStore, 'samples' | 'predictions' | 'metrics' | 'batches'>,
  candidate: StoredRun,
  baseline: StoredRun,
): Promise<string | null> {
  const compared = await storedComparison(store, candidate, baseline);
  return compared === null ? null : verdictSentence({ candidate: candidate.modelId, baseline: baseline.modelId, ...compared });
}
