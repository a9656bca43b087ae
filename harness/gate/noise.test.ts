import { describe, expect, it } from 'vitest';
import type { ScoringItem } from '../../metrics/taskScoring.js';
import { metricSpreads, resampledMetrics } from './noise.js';

describe('noise', () => {
  it('summarises each metric over the repeats; max |Δ| is the widest gap between two repeats', () => {
    const spreads = metricSpreads([
      [{ name: 'accuracy', value: 0.8 }, { name: 'bleu', value: null }],
      [{ name: 'accuracy', value: 0.9 }],
      [{ name: 'accuracy', value: 0.85 }],
    ]);
    expect(spreads).toHaveLength(1); // bleu never had a value
    const [accuracy] = spreads;
    expect(accuracy?.values).toEqual([0.8, 0.9, 0.85]);
    expect(accuracy?.mean).toBeCloseTo(0.85, 12);
    expect(accuracy?.sd).toBeCloseTo(0.05, 12);
    expect([accuracy?.min, accuracy?.max]).toEqual([0.8, 0.9]);
    expect(accuracy?.maxAbsDelta).toBeCloseTo(0.1, 12);
  });

  it('gives identical repeats zero spread', () => {
    const same = [{ name: 'f1', value: 0.5 }];
    expect(metricSpreads([same, same])).toEqual([{ name: 'f1', values: [0.5, 0.5], mean: 0.5, sd: 0, min: 0.5, max: 0.5, maxAbsDelta: 0 }]);
  });

  it('resamples a run reproducibly: one set of metrics per resample, varying with the samples drawn', () => {
    const items: ScoringItem[] = Array.from({ length: 40 }, (_, i) => ({
      output: null,
      predictedLabel: i % 3 === 0 ? 'anomalous' : 'normal',
      reference: null,
      label: i % 4 === 0 ? 'anomalous' : 'normal',
      failed: false,
    }));
    const first = resampledMetrics('classification', ['classification'], items, { resamples: 25, seed: 7 });
    expect(first).toHaveLength(25);
    expect(first[0]?.map((m) => m.name)).toEqual(['error_rate', 'accuracy', 'precision', 'recall', 'f1']);
    expect(resampledMetrics('classification', ['classification'], items, { resamples: 25, seed: 7 })).toEqual(first);
    const accuracy = metricSpreads(first).find((s) => s.name === 'accuracy');
    expect(accuracy?.sd).toBeGreaterThan(0);
    expect(metricSpreads(first).find((s) => s.name === 'error_rate')?.maxAbsDelta).toBe(0);
  });
});
