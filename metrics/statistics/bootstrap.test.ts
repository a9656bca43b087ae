import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hfBleuFromStats, sacrebleuFromStats, type BleuSegmentStats } from '../bleu/index.js';
import { hfBleuStatistic, sacrebleuStatistic } from './bleuStatistic.js';
import {
  bootstrapCI,
  bootstrapCIs,
  bootstrapCorpusCI,
  bootstrapReplicates,
  fullSampleValue,
  meanStatistic,
  pairedBootstrap,
} from './bootstrap.js';
import { resampleIndices } from './random.js';

const Segment = z.object({
  matches: z.array(z.number()),
  totals: z.array(z.number()),
  hypLen: z.number(),
  refLens: z.array(z.number()),
});
const Resampling = { seed: z.number(), resamples: z.number(), confidence: z.number() };
const BootstrapFixture = z.object({
  mean_cases: z.array(
    z.object({
      name: z.string(),
      ...Resampling,
      values: z.array(z.number()),
      estimate: z.number(),
      low: z.number(),
      high: z.number(),
      replicates: z.array(z.number()).optional(),
    }),
  ),
  paired_cases: z.array(
    z.object({
      name: z.string(),
      ...Resampling,
      a: z.array(z.number()),
      b: z.array(z.number()),
      delta: z.number(),
      ci_low: z.number(),
      ci_high: z.number(),
      p_value: z.number(),
      p_value_two_sided: z.number(),
    }),
  ),
  bleu: z.object({
    ...Resampling,
    segments_a: z.array(Segment),
    segments_b: z.array(Segment),
    estimate_a: z.number(),
    low_a: z.number(),
    high_a: z.number(),
    estimate_b: z.number(),
    delta: z.number(),
    ci_low: z.number(),
    ci_high: z.number(),
    p_value: z.number(),
    p_value_two_sided: z.number(),
  }),
  scipy_cases: z.array(
    z.object({
      name: z.string(),
      resamples: z.number(),
      confidence: z.number(),
      values: z.array(z.number()),
      scipy_low: z.number(),
      scipy_high: z.number(),
      scipy_standard_error: z.number(),
      normal_quantile: z.number(),
    }),
  ),
});
const fixture = BootstrapFixture.parse(
  JSON.parse(readFileSync(new URL('../../test/fixtures/statistics/bootstrap.json', import.meta.url), 'utf8')),
);

/** numpy sums resamples pairwise, we sum them in draw order: the two agree to rounding. */
const SUMMATION_TOLERANCE = 1e-12;

function expectClose(actual: number, expected: number, tolerance: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe('bootstrapCI (numpy on the same resample indices)', () => {
  it('matches the percentile interval of the resampled means', () => {
    for (const { name, values, seed, resamples, confidence, estimate, low, high } of fixture.mean_cases) {
      const interval = bootstrapCI(values, { seed, resamples, confidence });
      expectClose(interval.estimate, estimate, SUMMATION_TOLERANCE, `${name} estimate`);
      expectClose(interval.low, low, SUMMATION_TOLERANCE, `${name} low`);
      expectClose(interval.high, high, SUMMATION_TOLERANCE, `${name} high`);
      expect(interval).toMatchObject({ seed, resamples, confidence, n: values.length });
    }
  });

  it('reproduces every resampled mean', () => {
    const withReplicates = fixture.mean_cases.find((entry) => entry.replicates !== undefined)!;
    const { values, seed, resamples } = withReplicates;
    const [replicates] = bootstrapReplicates([meanStatistic(values)], { seed, resamples });
    withReplicates.replicates!.forEach((expected, r) => expectClose(replicates![r]!, expected, SUMMATION_TOLERANCE, `replicate ${r}`));
  });

  it('uses 10,000 resamples and 95% by default, and gives a constant sample a point interval', () => {
    expect(bootstrapCI([0.5, 0.5, 0.5], { seed: 1 })).toEqual({
      estimate: 0.5,
      low: 0.5,
      high: 0.5,
      confidence: 0.95,
      resamples: 10_000,
      seed: 1,
      n: 3,
    });
  });

  it('reports the exactly summed mean as the estimate', () => {
    const tenths = new Array<number>(10).fill(0.1);
    expect(tenths.reduce((sum, value) => sum + value, 0) / 10).not.toBe(0.1);
    expect(bootstrapCI(tenths, { seed: 1, resamples: 10 }).estimate).toBe(0.1);
  });

  it('refuses empty, non-finite and misaligned input and bad options', () => {
    expect(() => bootstrapCI([], { seed: 1 })).toThrow(RangeError);
    expect(() => bootstrapCI([1, Number.NaN], { seed: 1 })).toThrow(RangeError);
    expect(() => bootstrapCI([1, Number.POSITIVE_INFINITY], { seed: 1 })).toThrow(RangeError);
    expect(() => bootstrapCI([1, 2], { seed: 1, confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapCI([1, 2], { seed: 1, resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapCI([1, 2], { seed: -3 })).toThrow(RangeError);
    expect(() => pairedBootstrap([1, 2], [1, 2, 3], { seed: 1 })).toThrow(RangeError);
    expect(() => bootstrapCorpusCI({ columns: [], finalize: () => 0 }, { seed: 1 })).toThrow(RangeError);
    const ragged = { columns: [new Float64Array(3), new Float64Array(4)], finalize: () => 0 };
    expect(() => bootstrapCorpusCI(ragged, { seed: 1 })).toThrow(RangeError);
  });
});

describe('bootstrapCI against scipy.stats.bootstrap(method="percentile") with its own RNG', () => {
  it('agrees within the Monte-Carlo error of two independent percentile estimates', () => {
    for (const { name, values, resamples, confidence, normal_quantile: z, ...scipy } of fixture.scipy_cases) {
      const interval = bootstrapCI(values, { seed: 2024, resamples, confidence });
      const alpha = (1 - confidence) / 2;
      // Normal approximation: an alpha-quantile estimated from R replicates has standard deviation
      // SE·√(α(1−α)/R)/φ(z_α); two independent estimates differ by √2 times that. Allow 5 of those,
      // plus one step of the 1/n grid that the means of 0/1 data live on.
      const density = Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI);
      const quantileSd = (scipy.scipy_standard_error * Math.sqrt((alpha * (1 - alpha)) / resamples)) / density;
      const onGrid = values.every((value) => value === 0 || value === 1);
      const tolerance = 5 * Math.SQRT2 * quantileSd + (onGrid ? 1 / values.length : 0);
      expectClose(interval.low, scipy.scipy_low, tolerance, `${name} low`);
      expectClose(interval.high, scipy.scipy_high, tolerance, `${name} high`);
    }
  });
});

describe('pairedBootstrap (numpy on the same resample indices)', () => {
  it('matches the difference, its percentile interval and both p-values', () => {
    for (const { name, a, b, seed, resamples, confidence, ...expected } of fixture.paired_cases) {
      const result = pairedBootstrap(a, b, { seed, resamples, confidence });
      expectClose(result.delta, expected.delta, SUMMATION_TOLERANCE, `${name} delta`);
      expectClose(result.ciLow, expected.ci_low, SUMMATION_TOLERANCE, `${name} ciLow`);
      expectClose(result.ciHigh, expected.ci_high, SUMMATION_TOLERANCE, `${name} ciHigh`);
      expect(result.pValue, `${name} pValue`).toBe(expected.p_value);
      expect(result.pValueTwoSided, `${name} pValueTwoSided`).toBe(expected.p_value_two_sided);
      expect(result.n).toBe(a.length);
    }
  });

  it('turns the one-sided p around with the runs', () => {
    const { a, b, seed, resamples } = fixture.paired_cases[0]!;
    const forward = pairedBootstrap(a, b, { seed, resamples });
    const backward = pairedBootstrap(b, a, { seed, resamples });
    expect(backward.delta).toBe(-forward.delta);
    expect(backward.pValueTwoSided).toBe(forward.pValueTwoSided);
    expect(backward.ciLow).toBeCloseTo(-forward.ciHigh, 12);
  });
});

describe('corpus BLEU bootstrap over summed segment statistics', () => {
  const { bleu } = fixture;
  const segmentsA: BleuSegmentStats[] = bleu.segments_a;
  const segmentsB: BleuSegmentStats[] = bleu.segments_b;
  const options = { seed: bleu.seed, resamples: bleu.resamples, confidence: bleu.confidence };

  it('finalizes summed counts to exactly the corpus BLEU of the segments', () => {
    expect(fullSampleValue(hfBleuStatistic(segmentsA))).toBe(hfBleuFromStats(segmentsA).bleu);
    expect(fullSampleValue(hfBleuStatistic(segmentsA, { smooth: true }))).toBe(hfBleuFromStats(segmentsA, { smooth: true }).bleu);
    expect(fullSampleValue(sacrebleuStatistic(segmentsA))).toBe(sacrebleuFromStats(segmentsA, { effectiveOrder: false }).score);
  });

  it('gives each resample the BLEU of its resampled segments', () => {
    const resamples = 20;
    const n = segmentsA.length;
    const indices = resampleIndices(n, resamples, 77);
    const [hf, sacre] = bootstrapReplicates([hfBleuStatistic(segmentsA), sacrebleuStatistic(segmentsA)], { seed: 77, resamples });
    for (let r = 0; r < resamples; r++) {
      const resampled = Array.from(indices.subarray(r * n, (r + 1) * n), (i) => segmentsA[i]!);
      expect(hf![r]).toBe(hfBleuFromStats(resampled).bleu);
      expect(sacre![r]).toBe(sacrebleuFromStats(resampled, { effectiveOrder: false }).score);
    }
  });

  it('matches the numpy + nmt compute_bleu interval and paired test', () => {
    const interval = bootstrapCorpusCI(hfBleuStatistic(segmentsA), options);
    expectClose(interval.estimate, bleu.estimate_a, SUMMATION_TOLERANCE, 'estimate');
    expectClose(interval.low, bleu.low_a, SUMMATION_TOLERANCE, 'low');
    expectClose(interval.high, bleu.high_a, SUMMATION_TOLERANCE, 'high');
    const paired = pairedBootstrap(hfBleuStatistic(segmentsA), hfBleuStatistic(segmentsB), options);
    expectClose(paired.b, bleu.estimate_b, SUMMATION_TOLERANCE, 'estimate b');
    expectClose(paired.delta, bleu.delta, SUMMATION_TOLERANCE, 'delta');
    expectClose(paired.ciLow, bleu.ci_low, SUMMATION_TOLERANCE, 'ciLow');
    expectClose(paired.ciHigh, bleu.ci_high, SUMMATION_TOLERANCE, 'ciHigh');
    expect(paired.pValue).toBe(bleu.p_value);
    expect(paired.pValueTwoSided).toBe(bleu.p_value_two_sided);
  });
});

describe('bootstrapCIs', () => {
  it('gives every metric the interval it gets alone (shared resamples)', () => {
    const { values, seed } = fixture.mean_cases[0]!;
    const segments: BleuSegmentStats[] = fixture.bleu.segments_a.slice(0, values.length);
    const options = { seed, resamples: 500 };
    const together = bootstrapCIs({ mean: meanStatistic(values), bleu: hfBleuStatistic(segments) }, options);
    expect(together.mean).toEqual(bootstrapCI(values, options));
    expect(together.bleu).toEqual(bootstrapCorpusCI(hfBleuStatistic(segments), options));
  });
});
