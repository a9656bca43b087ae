import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from './bootstrap.js';
import { accuracyDifference, differenceSummary } from './difference.js';
import { mcnemarExact } from './mcnemar.js';

const candidate = [0.9, 0.8, 0.75, 0.6, 0.95, 0.7, 0.85, 0.5, 0.65, 0.8, 0.9, 0.55];
const baseline = [0.85, 0.8, 0.7, 0.65, 0.9, 0.6, 0.8, 0.5, 0.6, 0.75, 0.85, 0.6];

describe('differenceSummary', () => {
  it('carries the paired bootstrap figures with the chosen p-value', () => {
    const result = pairedBootstrap(candidate, baseline, { seed: 5, resamples: 2000 });
    const common = { a: result.a, b: result.b, delta: result.delta, ciLow: result.ciLow, ciHigh: result.ciHigh, n: 12 };
    expect(differenceSummary(result, 'one-sided')).toEqual({ ...common, pValue: result.pValue, method: 'paired-bootstrap' });
    expect(differenceSummary(result, 'two-sided')).toEqual({
      ...common,
      pValue: result.pValueTwoSided,
      method: 'paired-bootstrap-two-sided',
    });
  });
});

describe('accuracyDifference', () => {
  it('pairs the exact McNemar p-value with the bootstrap interval of the accuracy difference', () => {
    const aCorrect = [true, true, true, false, true, true, true, false, true, true, false, true, true, true];
    const bCorrect = [true, false, true, false, false, true, true, false, true, false, true, false, true, true];
    const options = { seed: 3, resamples: 1000 };
    const summary = accuracyDifference(aCorrect, bCorrect, options);
    const bootstrap = pairedBootstrap(aCorrect.map(Number), bCorrect.map(Number), options);
    expect(summary).toEqual({
      a: 11 / 14,
      b: 8 / 14,
      delta: bootstrap.delta,
      ciLow: bootstrap.ciLow,
      ciHigh: bootstrap.ciHigh,
      pValue: mcnemarExact(aCorrect, bCorrect).pValue,
      n: 14,
      method: 'mcnemar-exact',
      // 4 right only in A, 1 right only in B: what the verdict's too-few-discordant-pairs rule reads.
      discordant: 5,
    });
    // b = 4 discordant wins for A, c = 1 for B: p = 2·(1 + 5)/2^5.
    expect(summary.pValue).toBeCloseTo(0.375, 15);
  });
});
