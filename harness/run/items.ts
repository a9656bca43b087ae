import type { Sample } from '../../datasets/sample.js';
import type { ScoringItem } from '../../metrics/taskScoring.js';
import type { Prediction } from '../runners/runner.js';
import type { RunStore, StoredRun } from '../store/index.js';

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

export interface RunItems {
  /** Sample ids in split order, only those the run has a prediction for. */
  sampleIds: string[];
  items: ScoringItem[];
}

/**
 * A run's outcomes rebuilt from the store (predictions joined with the split's samples), in split
 * order: metrics, intervals, comparisons and gates all score from here, never from a live runner.
 */
export async function loadRunItems(store: RunStore, run: Pick<StoredRun, 'id' | 'splitHash'>, only?: ReadonlySet<string>): Promise<RunItems> {
  const predictions = new Map((await store.predictions(run.id)).map((p) => [p.sampleId, p]));
  const out: RunItems = { sampleIds: [], items: [] };
  for (const sample of await store.samples(run.splitHash)) {
    if (only && !only.has(sample.id)) continue;
    const p = predictions.get(sample.id);
    if (!p) continue;
    out.sampleIds.push(sample.id);
    out.items.push(
      scoringItem(
        { ...(sample.reference !== null && { reference: sample.reference }), ...(sample.label !== null && { label: sample.label }) },
        { ...(p.text !== null && { text: p.text }), ...(p.label !== null && { label: p.label }), ...(p.error !== null && { error: p.error }) },
      ),
    );
  }
  return out;
}
