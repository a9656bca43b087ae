import type { Sample } from '../../core/sample.js';
import { ERROR_RATE, figureNamed } from '../../metrics/registry.js';
import { corpusIntervals, type ResamplingSettings } from '../../metrics/runStatistics.js';
import { scoreCorpus, type SampleScores, type ScoringItem, type SuiteMetric, type TaskKind } from '../../metrics/taskScoring.js';
import type { Prediction } from '../../core/prediction.js';
import { scoreItems } from './scoringPool.js';
import type { MetricRecord, RunStore, StoredPrediction, StoredRun, StoredSample } from '../store/index.js';

/** What the scorer sees of one sample's outcome. */
export function scoringItem(sample: Pick<Sample, 'reference' | 'label'>, prediction: Pick<Prediction, 'text' | 'label' | 'error'>): ScoringItem {
  return {
    output: prediction.error ? null : (prediction.text ?? null),
    predictedLabel: prediction.label ?? null,
    reference: sample.reference ?? null,
    label: sample.label ?? null,
    failed: prediction.error !== undefined && prediction.error !== null,
  };
}

/** What scoring reads of a store: a `RunStore`, or a merge's view of rows not yet committed. */
export type RunReader = Pick<RunStore, 'scoringRows'>;

export interface RunItems {
  /** Sample ids in split order, only those the run has a prediction for. */
  sampleIds: string[];
  items: ScoringItem[];
}

/**
 * A run's outcomes rebuilt from the store (predictions joined with the split's samples), in split
 * order: metrics, intervals, comparisons and gates all score from here, never from a live runner.
 */
export async function loadRunItems(store: RunReader, run: Pick<StoredRun, 'id' | 'splitHash'>, only?: ReadonlySet<string>): Promise<RunItems> {
  const out: RunItems = { sampleIds: [], items: [] };
  for (const row of await store.scoringRows(run.id, run.splitHash)) {
    if (only && !only.has(row.sampleId)) continue;
    out.sampleIds.push(row.sampleId);
    out.items.push(itemOf(row, row));
  }
  return out;
}

/** A stored sample's reference and label with a stored answer, as the scorer sees them (nulls are absent). */
function itemOf(sample: { reference: string | null; label: string | null }, p: { text: string | null; label?: string | null; predictedLabel?: string | null; error: string | null }): ScoringItem {
  const predicted = p.predictedLabel !== undefined ? p.predictedLabel : (p.label ?? null);
  return scoringItem(
    { ...(sample.reference !== null && { reference: sample.reference }), ...(sample.label !== null && { label: sample.label }) },
    { ...(p.text !== null && { text: p.text }), ...(predicted !== null && { label: predicted }), ...(p.error !== null && { error: p.error }) },
  );
}

/** `loadRunItems` on rows in hand (a run export being checked before it is stored). */
export function runItemsOf(
  samples: readonly Pick<StoredSample, 'id' | 'reference' | 'label'>[],
  stored: readonly Pick<StoredPrediction, 'sampleId' | 'text' | 'label' | 'error'>[],
  only?: ReadonlySet<string>,
): RunItems {
  const predictions = new Map(stored.map((p) => [p.sampleId, p]));
  const out: RunItems = { sampleIds: [], items: [] };
  for (const sample of samples) {
    if (only && !only.has(sample.id)) continue;
    const p = predictions.get(sample.id);
    if (!p) continue;
    out.sampleIds.push(sample.id);
    out.items.push(itemOf(sample, p));
  }
  return out;
}

/**
 * The corpus figures a run stores, each with its bootstrap interval where it has one: the one
 * definition `logbench run` stores and `import-run` checks an export against.
 */
export function corpusMetricRecords(
  task: TaskKind,
  metrics: readonly SuiteMetric[],
  items: readonly ScoringItem[],
  scored: readonly SampleScores[],
  statistics: ResamplingSettings,
): MetricRecord[] {
  const intervals = statistics.resamples > 0 ? corpusIntervals(task, metrics, items, scored, statistics) : new Map();
  return scoreCorpus(task, metrics, items, scored).map((figure) => {
    const interval = intervals.get(figure.name);
    if (!interval) return figure;
    // A plugin's resampling form that disagrees with its own corpus figure gives no interval at all.
    const own = figureNamed(figure.name) !== undefined || figure.name === ERROR_RATE.name;
    if (!own && (figure.value === null || figure.value < interval.low || figure.value > interval.high)) return figure;
    return { ...figure, ciLow: interval.low, ciHigh: interval.high };
  });
}

/**
 * A run's corpus figures over every stored prediction (of the samples in `only`, when given): what
 * `logbench run` stores at the end of a run and `logbench merge` stores for the run its shards make
 * up. Samples scored in this process (`scoredHere`) keep those scores; the others are scored from
 * the store with the same function on the same outputs, so a resumed or merged run scores exactly
 * like one uninterrupted process, on up to `scoring.workers` threads (default 1).
 */
export async function runFigures(
  store: RunReader,
  run: Pick<StoredRun, 'id' | 'splitHash'>,
  scoring: { task: TaskKind; metrics: readonly SuiteMetric[]; statistics: ResamplingSettings; workers?: number },
  only?: ReadonlySet<string>,
  scoredHere?: ReadonlyMap<string, SampleScores>,
): Promise<MetricRecord[]> {
  const { task, metrics, statistics } = scoring;
  const { sampleIds, items } = await loadRunItems(store, run, only);
  const rest = items.flatMap((_, i) => (scoredHere?.has(sampleIds[i] as string) ? [] : [i]));
  // `workers` threads at most, when the samples left to score make it pay (scoringPool.ts).
  const rescored = await scoreItems(task, metrics, rest.map((i) => items[i] as ScoringItem), scoring.workers);
  const scored: SampleScores[] = items.map((_, i) => scoredHere?.get(sampleIds[i] as string) as SampleScores);
  rest.forEach((index, k) => (scored[index] = rescored[k] as SampleScores));
  return corpusMetricRecords(task, metrics, items, scored, statistics);
}
