import { compareRuns, metricStatistics } from '../../metrics/runStatistics.js';
import { DEFAULT_RESAMPLES, type DifferenceMethod } from '../../metrics/statistics/index.js';
import type { FigureInfo } from '../../metrics/definition.js';
import { higherIsBetter } from '../../metrics/registry.js';
import { CliError, ExitCode } from '../../core/errors.js';
import { loadRunItems, type RunReader } from '../run/items.js';
import { scoreItems } from '../run/scoringPool.js';
import type { RunStore, StoredMetric, StoredRun } from '../store/index.js';
import { formatChange, formatNumber, formatPValue, formatSigned, formatValue, textTable } from '../../core/format.js';
import { describeDifferences, runDifferences, sampleDifference } from './comparability.js';
import { costFigures, costText, type CostFigure } from './cost.js';
import { runLabel } from './runs.js';
import { runSettings } from './storedSuite.js';

/** Candidate (A) minus baseline (B) for one metric; interval and p-value where the metric has a paired test. */
export interface MetricDifference {
  name: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number | null;
  /** The bootstrap resamples `pValue` is a share of; null for an exact test or no test. */
  resamples: number | null;
  n: number;
  /** `stored values`: a figure without a paired test: the difference of the stored values, untested. */
  method: DifferenceMethod | 'stored values';
  /** Why a `stored values` figure has no paired test; null for a tested one. */
  untested: string | null;
  /** The figure's direction (a plugin metric's as stored with its run). */
  higherIsBetter: boolean;
  /** McNemar only: samples exactly one run got right. */
  discordant?: number;
}

export interface RunComparison {
  /** Paired samples. */
  samples: number;
  confidence: number;
  metrics: MetricDifference[];
  /** What each run cost (its batches' totals), side by side; informative, never gated. */
  cost: CostFigure[];
}

/** How much worse the candidate is: positive when the metric moved in its bad direction. */
export function worsening(metric: Pick<MetricDifference, 'higherIsBetter'>, delta: number): number {
  return metric.higherIsBetter ? -delta : delta;
}

/** Why a figure got no paired test, in the words a reader of the gate needs. */
function untestedReason(name: string, valueA: number | null, valueB: number | null, resampled: ReadonlySet<string>, plugin: boolean): string {
  if (valueA === null || valueB === null) return `no value in ${[...(valueA === null ? ['A'] : []), ...(valueB === null ? ['B'] : [])].join(' and ')}`;
  if (plugin) return "a plugin metric's stored figure: logbench runs no code a stored run names, so it is not recomputed or tested";
  if (!resampled.has(name)) return 'no per-sample form in its registry definition, so no paired test';
  return 'undefined on the paired samples (nothing to resample)';
}

function storedDifference(name: string, a: StoredMetric | undefined, b: StoredMetric | undefined, resampled: ReadonlySet<string>, plugins: readonly FigureInfo[]): MetricDifference {
  const valueA = a?.value ?? null;
  const valueB = b?.value ?? null;
  const delta = valueA === null || valueB === null ? null : valueA - valueB;
  const untested = untestedReason(name, valueA, valueB, resampled, plugins.some((figure) => figure.name === name));
  const n = Math.min(a?.n ?? 0, b?.n ?? 0);
  return { name, a: valueA, b: valueB, delta, ciLow: null, ciHigh: null, pValue: null, resamples: null, n, method: 'stored values', untested, higherIsBetter: higherIsBetter(name, plugins) };
}

/**
 * Every metric of two runs compared sample by sample (paired bootstrap, exact McNemar for accuracy),
 * with the candidate's suite statistics settings. Refuses, with exit code 2, runs that differ in
 * task, split, prompt, decoding or predicted samples.
 */
/** What comparing two stored runs reads: their scored rows, stored figures and batches. */
export type ComparisonStore = RunReader & Pick<RunStore, 'metrics' | 'batches'>;

export async function compareStoredRuns(store: ComparisonStore, candidate: StoredRun, baseline: StoredRun, workers = 1): Promise<RunComparison> {
  const notComparable = (reason: string) => new CliError(`runs ${candidate.id} and ${baseline.id} are not comparable: ${reason}`, ExitCode.notComparable);
  const differences = runDifferences(candidate, baseline);
  if (differences.length > 0) throw notComparable(describeDifferences(differences));
  const candidateItems = await loadRunItems(store, candidate);
  const baselineItems = await loadRunItems(store, baseline);
  const samples = sampleDifference(candidateItems.sampleIds, baselineItems.sampleIds);
  if (samples) throw notComparable(describeDifferences([samples]));

  const { task, metrics, statistics, pluginFigures } = runSettings(candidate);
  // A suite that turned its stored intervals off (resamples: 0) still needs resamples to compare.
  const settings = { ...statistics, resamples: statistics.resamples || DEFAULT_RESAMPLES };
  // Both runs are rescored from their stored outputs, in one go: on `workers` threads when that pays (scoringPool.ts).
  const both = await scoreItems(task, metrics, [...candidateItems.items, ...baselineItems.items], workers);
  const scored = { candidate: both.slice(0, candidateItems.items.length), baseline: both.slice(candidateItems.items.length) };
  const tested = new Map(
    compareRuns(task, metrics, candidateItems.items, baselineItems.items, settings, scored).map((m): [string, MetricDifference] => [
      m.name,
      { ...m, resamples: m.method === 'mcnemar-exact' ? null : settings.resamples, untested: null, higherIsBetter: higherIsBetter(m.name, pluginFigures) },
    ]),
  );
  // Which figures have a per-sample form depends on the definitions, not on the data: one sample tells.
  const resampled = new Set(metricStatistics(task, metrics, candidateItems.items.slice(0, 1)).keys());
  const storedA = new Map((await store.metrics(candidate.id)).map((m) => [m.name, m]));
  const storedB = new Map((await store.metrics(baseline.id)).map((m) => [m.name, m]));
  const names = [...new Set([...storedA.keys(), ...storedB.keys(), ...tested.keys()])];
  // A figure only one run's suite computed is not compared, whichever run that is: rescoring the other
  // run with the candidate's metrics would test a value that run never had ("no value in A" / "in B").
  const inOneRunOnly = (name: string) => storedA.has(name) !== storedB.has(name);
  return {
    samples: candidateItems.items.length,
    confidence: settings.confidence,
    metrics: names.map((name) => (inOneRunOnly(name) ? undefined : tested.get(name)) ?? storedDifference(name, storedA.get(name), storedB.get(name), resampled, pluginFigures)),
    cost: costFigures(await store.batches(candidate.id), await store.batches(baseline.id)),
  };
}

/** A − B's interval as `[low, high]`, or — for a figure without a paired test. */
export function differenceInterval(m: Pick<MetricDifference, 'ciLow' | 'ciHigh'>): string {
  return m.ciLow === null || m.ciHigh === null ? '—' : `[${formatSigned(m.ciLow)}, ${formatSigned(m.ciHigh)}]`;
}

/** The comparison as terminal tables: per metric A, B, A − B with its interval, p-value and test (or why none); then the cost. */
export function comparisonText(candidate: StoredRun, baseline: StoredRun, comparison: RunComparison): string {
  const test = (m: MetricDifference) => (m.untested === null ? m.method : `${m.method}: ${m.untested}`);
  const rows = comparison.metrics.map((m) => [m.name, formatValue(m.a), formatValue(m.b), formatChange(m.delta, m.higherIsBetter), differenceInterval(m), formatPValue(m.pValue, m.resamples), test(m)]);
  const header = ['metric', 'A', 'B', 'A − B', `${formatNumber(comparison.confidence * 100)} % interval`, 'p', 'test'];
  return (
    [
      `A ${runLabel(candidate)} · B ${runLabel(baseline)} · ${comparison.samples} paired samples`,
      // An unfinished run's stored figures (and its samples so far) are not its result: say so over the table.
      ...[['A', candidate] as const, ['B', baseline] as const]
        .filter(([, run]) => run.status !== 'completed')
        .map(([label, run]) => `note: ${label} is ${run.status}, not completed: its figures cover the samples stored so far (the gate refuses it)`),
      '',
      textTable(header, rows, 'lrrrrrl'),
      '',
      costText(comparison.cost, { a: 'A', b: 'B', delta: 'A − B' }),
    ].join('\n') + '\n'
  );
}
