/**
 * Every corpus figure of a run as a `SummedStatistic` (per-sample columns, then a finalize step), so
 * one definition serves the bootstrap interval of a run and the paired comparison of two runs on the
 * same split. Each metric and task defines its own (metrics/definition.ts); this gathers them.
 */
import { bootstrapCIs, definedMean, differenceSummary, pairedBootstrap, type DifferenceSummary, type SummedStatistic } from './statistics/index.js';
import { ERROR_RATE } from './registry.js';
import { guarded, isBuiltIn, metricStates, resolveMetrics, scoreSample, type SampleScores, type ScoringItem, type SuiteMetric, type TaskKind } from './taskScoring.js';

export interface ResamplingSettings {
  resamples: number;
  seed: number;
  confidence?: number;
}

/**
 * The run's figures that have a bootstrap form, keyed like the stored metrics. `items` and the
 * per-sample scores (from `scoreSample`) are aligned by position.
 */
export function metricStatistics(
  task: TaskKind,
  metrics: readonly SuiteMetric[],
  items: readonly ScoringItem[],
  scored: readonly SampleScores[] = items.map((item) => scoreSample(task, metrics, item)),
): Map<string, SummedStatistic> {
  const resolved = resolveMetrics(task, metrics);
  const stats = new Map<string, SummedStatistic>([[ERROR_RATE.name, definedMean(items.map((i) => (i.failed ? 1 : 0)))]]);
  const add = (figures: Record<string, SummedStatistic>) => {
    for (const [name, stat] of Object.entries(figures)) stats.set(name, stat);
  };
  if (resolved.task.needs === 'label') {
    add(resolved.task.statistics(items, scored));
    return stats;
  }
  for (const metric of resolved.metrics) {
    const statistics = guarded(metric, 'statistics', () => metric.statistics(metricStates(task, metrics, items, scored, metric)));
    // A plugin's resampling form counts only with one value per sample in every column.
    add(isBuiltIn(metric) ? statistics : Object.fromEntries(Object.entries(statistics).filter(([, stat]) => stat.columns.length > 0 && stat.columns.every((column) => column.length === items.length))));
  }
  if (resolved.taskFigures) add(resolved.task.statistics(items, scored));
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
  /** `scoreSample` of each run's items, when the caller has it (scored on worker threads, say). */
  scored?: { candidate: readonly SampleScores[]; baseline: readonly SampleScores[] },
): MetricComparison[] {
  if (candidate.length !== baseline.length) throw new RangeError('paired comparison needs the same samples in both runs');
  if (candidate.length === 0) return [];
  const pairedTests = resolveMetrics(task, metrics).task.pairedTests;
  const a = metricStatistics(task, metrics, candidate, scored?.candidate);
  const b = metricStatistics(task, metrics, baseline, scored?.baseline);
  const out: MetricComparison[] = [];
  for (const [name, statA] of a) {
    const statB = b.get(name);
    if (!statB) continue;
    const test = pairedTests?.[name];
    if (test) {
      out.push({ name, ...test(candidate, baseline, settings) });
      continue;
    }
    let result;
    try {
      result = pairedBootstrap(statA, statB, settings);
    } catch {
      // As in corpusIntervals: a mean over defined values (risk_mae over parsed answers) has no value on a resample that draws none.
      continue;
    }
    if (!Number.isFinite(result.a) || !Number.isFinite(result.b)) continue;
    out.push({ name, ...differenceSummary(result, 'two-sided') });
  }
  return out;
}
