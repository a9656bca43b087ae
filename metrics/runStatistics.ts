/**
 * Every corpus figure of a run as a `SummedStatistic` (per-sample columns, then a finalize step), so
 * one definition serves the bootstrap interval of a run and the paired comparison of two runs on the
 * same split: means of per-sample scores, BLEU from segment statistics, F1 from TP/FP/FN counts.
 */
import type { BleuSegmentStats } from './bleu/index.js';
import {
  accuracyDifference,
  bootstrapCIs,
  differenceSummary,
  hfBleuStatistic,
  pairedBootstrap,
  sacrebleuStatistic,
  type DifferenceSummary,
  type SummedStatistic,
} from './statistics/index.js';
import { ANOMALY_POSITIVE_LABEL } from './tasks/index.js';
import { scoreSample, type SampleScores, type ScoringItem, type SuiteMetric, type TaskKind } from './taskScoring.js';
import { scoreTextPair, TEXT_ROUGE_TYPES } from './textMetrics.js';

export interface ResamplingSettings {
  resamples: number;
  seed: number;
  confidence?: number;
}

/** Mean over the samples where the value is defined (a column of values and one of 0/1 "defined"). */
function definedMean(values: readonly (number | null | undefined)[]): SummedStatistic {
  const sum = new Float64Array(values.length);
  const count = new Float64Array(values.length);
  values.forEach((v, i) => {
    if (typeof v === 'number' && Number.isFinite(v)) {
      sum[i] = v;
      count[i] = 1;
    }
  });
  return { columns: [sum, count], finalize: (s) => (s[1]! > 0 ? s[0]! / s[1]! : NaN) };
}

/** Precision, recall or F1 of a positive class from per-sample TP / FP / FN indicators. */
function countsStatistic(tp: Float64Array, fp: Float64Array, fn: Float64Array, figure: 'precision' | 'recall' | 'f1'): SummedStatistic {
  const ratio = (num: number, den: number) => (den > 0 ? num / den : 0); // zero_division=0, as scikit-learn
  return {
    columns: [tp, fp, fn],
    finalize: ([t, p, n]) =>
      figure === 'precision' ? ratio(t!, t! + p!) : figure === 'recall' ? ratio(t!, t! + n!) : ratio(2 * t!, 2 * t! + p! + n!),
  };
}

function indicatorColumns(truth: readonly boolean[], predicted: readonly boolean[]) {
  const tp = new Float64Array(truth.length);
  const fp = new Float64Array(truth.length);
  const fn = new Float64Array(truth.length);
  truth.forEach((t, i) => {
    const p = predicted[i] as boolean;
    if (t && p) tp[i] = 1;
    else if (!t && p) fp[i] = 1;
    else if (t && !p) fn[i] = 1;
  });
  return { tp, fp, fn };
}

/**
 * The run's figures that have a bootstrap form, keyed like the stored metrics. `items` and the
 * per-sample `values` (from `scoreSample`) are aligned by position.
 */
export function metricStatistics(
  task: TaskKind,
  metrics: readonly SuiteMetric[],
  items: readonly ScoringItem[],
  scored: readonly SampleScores[] = items.map((item) => scoreSample(task, metrics, item)),
): Map<string, SummedStatistic> {
  const stats = new Map<string, SummedStatistic>();
  const values = scored.map((s) => s.values);
  const column = (name: string) => values.map((v) => v[name]);
  stats.set('error_rate', definedMean(items.map((i) => (i.failed ? 1 : 0))));
  if (task === 'classification') {
    // A failed or unreadable answer (label null) is never a detection, and `correct` is 0 for it.
    const truth = items.map((i) => i.label === ANOMALY_POSITIVE_LABEL);
    stats.set('accuracy', definedMean(column('correct')));
    const { tp, fp, fn } = indicatorColumns(truth, scored.map((s) => s.label === ANOMALY_POSITIVE_LABEL));
    for (const figure of ['precision', 'recall', 'f1'] as const) stats.set(figure, countsStatistic(tp, fp, fn, figure));
    return stats;
  }
  if (metrics.some((m) => m === 'bleu' || m === 'sacrebleu' || m === 'rouge' || m === 'fuzzy')) {
    const hf: BleuSegmentStats[] = [];
    const sacre: BleuSegmentStats[] = [];
    items.forEach((item, i) => {
      const pair = scored[i]?.text ?? scoreTextPair(item.output ?? '', [item.reference ?? '']);
      hf.push(pair.hfStats);
      sacre.push(pair.sacrebleuStats);
    });
    if (metrics.includes('bleu')) stats.set('bleu', hfBleuStatistic(hf));
    if (metrics.includes('sacrebleu')) stats.set('sacrebleu', sacrebleuStatistic(sacre));
    if (metrics.includes('rouge')) for (const type of TEXT_ROUGE_TYPES) stats.set(type, definedMean(column(type)));
    if (metrics.includes('fuzzy')) stats.set('fuzzy', definedMean(column('fuzzy')));
  }
  if (metrics.includes('levenshtein')) stats.set('levenshtein', definedMean(column('levenshtein')));
  if (task === 'json-analysis' && metrics.includes('json-analysis')) {
    stats.set('json_parse_rate', definedMean(column('json_parsed')));
    stats.set('json_schema_valid_rate', definedMean(column('json_schema_valid')));
    stats.set('alert_accuracy', definedMean(column('alert_correct')));
    stats.set('risk_mae', definedMean(column('risk_abs_error')));
  }
  if (task === 'cause-remediation' && metrics.includes('cause-remediation')) {
    for (const name of ['cr_parsed', 'cause_rougeL', 'remediation_rougeL']) stats.set(name, definedMean(column(name)));
  }
  return stats;
}

export interface Interval {
  low: number;
  high: number;
}

/** Percentile intervals of every figure with a bootstrap form, all on the same resamples. */
export function corpusIntervals(
  task: TaskKind,
  metrics: readonly SuiteMetric[],
  items: readonly ScoringItem[],
  scored: readonly SampleScores[],
  settings: ResamplingSettings,
): Map<string, Interval> {
  const out = new Map<string, Interval>();
  if (items.length === 0) return out;
  const stats = Object.fromEntries(metricStatistics(task, metrics, items, scored));
  const keep = (intervals: Record<string, { low: number; high: number }>) => {
    for (const [name, interval] of Object.entries(intervals)) out.set(name, { low: interval.low, high: interval.high });
  };
  try {
    keep(bootstrapCIs(stats, settings));
  } catch {
    // A mean over the samples where a value is defined (risk_mae over parsed answers) has no value on a
    // resample that draws none of them: such a figure gets no interval; the others still get theirs.
    for (const [name, stat] of Object.entries(stats)) {
      try {
        keep(bootstrapCIs({ [name]: stat }, settings));
      } catch {
        // no interval for this figure
      }
    }
  }
  return out;
}

export interface MetricComparison extends DifferenceSummary {
  name: string;
}

/**
 * Candidate (A) versus baseline (B), aligned sample by sample: paired bootstrap for every figure
 * (two-sided p-value), exact McNemar for classification accuracy.
 */
export function compareRuns(
  task: TaskKind,
  metrics: readonly SuiteMetric[],
  candidate: readonly ScoringItem[],
  baseline: readonly ScoringItem[],
  settings: ResamplingSettings,
): MetricComparison[] {
  if (candidate.length !== baseline.length) throw new RangeError('paired comparison needs the same samples in both runs');
  if (candidate.length === 0) return [];
  const a = metricStatistics(task, metrics, candidate);
  const b = metricStatistics(task, metrics, baseline);
  const out: MetricComparison[] = [];
  for (const [name, statA] of a) {
    const statB = b.get(name);
    if (!statB) continue;
    if (task === 'classification' && name === 'accuracy') {
      const correct = (items: readonly ScoringItem[]) => items.map((item) => scoreSample(task, metrics, item).values.correct === 1);
      out.push({ name, ...accuracyDifference(correct(candidate), correct(baseline), settings) });
      continue;
    }
    const result = pairedBootstrap(statA, statB, settings);
    if (!Number.isFinite(result.a) || !Number.isFinite(result.b)) continue;
    out.push({ name, ...differenceSummary(result, 'two-sided') });
  }
  return out;
}
