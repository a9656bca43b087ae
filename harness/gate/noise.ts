import { metricStatistics } from '../../metrics/runStatistics.js';
import { bootstrapReplicates } from '../../metrics/statistics/index.js';
import type { ScoringItem, SuiteMetric, TaskKind } from '../../metrics/taskScoring.js';
import { formatValue, textTable } from '../../core/format.js';

export interface NamedValue {
  name: string;
  value: number | null;
}

/** How one metric moved across repeats of the same evaluation. */
export interface MetricSpread {
  name: string;
  values: number[];
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
  min: number;
  max: number;
  /** The largest |difference| between any two repeats: a `max_drop` below it would have flaked. */
  maxAbsDelta: number;
}

/** Per metric, the spread of its values over the repeats (undefined values left out). */
export function metricSpreads(repeats: readonly (readonly NamedValue[])[]): MetricSpread[] {
  const names = [...new Set(repeats.flatMap((repeat) => repeat.map((metric) => metric.name)))];
  return names.flatMap((name) => {
    const values = repeats
      .map((repeat) => repeat.find((metric) => metric.name === name)?.value)
      .filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
    if (values.length === 0) return [];
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
    const min = Math.min(...values);
    const max = Math.max(...values);
    return [{ name, values, mean, sd: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0, min, max, maxAbsDelta: max - min }];
  });
}

/**
 * Stand-ins for re-runs of a deterministic runner (which would all agree): the run's metrics on
 * `resamples` bootstrap resamples of its samples, i.e. the test-set sampling noise.
 */
export function resampledMetrics(
  task: TaskKind,
  metrics: readonly SuiteMetric[],
  items: readonly ScoringItem[],
  options: { resamples: number; seed: number },
): NamedValue[][] {
  const statistics = metricStatistics(task, metrics, items);
  const names = [...statistics.keys()];
  const replicates = bootstrapReplicates([...statistics.values()], options);
  return Array.from({ length: options.resamples }, (_, r) => names.map((name, s) => ({ name, value: replicates[s]?.[r] ?? null })));
}

export function noiseText(title: string, spreads: readonly MetricSpread[]): string {
  const rows = spreads.map((s) => [s.name, formatValue(s.mean), formatValue(s.sd), formatValue(s.min), formatValue(s.max), formatValue(s.maxAbsDelta)]);
  const table = textTable(['metric', 'mean', 'sd', 'min', 'max', 'max |Δ|'], rows, 'lrrrrr');
  return `${title}\n\n${table}\n\nmax |Δ| is the largest difference between two repeats: the smallest max_drop that would not have flaked.\n`;
}
