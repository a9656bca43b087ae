import { describe, expect, it } from 'vitest';
import type { CostFigure, MetricDifference } from '../harness/gate/index.js';
import { verdictSentence } from './verdict.js';

function difference(name: string, a: number, b: number, ci: [number, number] | null, pValue: number | null, method: MetricDifference['method'] = 'paired-bootstrap-two-sided'): MetricDifference {
  return {
    name, a, b, delta: a - b, ciLow: ci?.[0] ?? null, ciHigh: ci?.[1] ?? null, pValue, resamples: method === 'mcnemar-exact' ? null : 1000,
    n: 40, method, untested: ci === null ? 'no per-sample form in its registry definition, so no paired test' : null, higherIsBetter: true,
  };
}

function cost(name: CostFigure['name'], a: number | null, b: number | null): CostFigure {
  return { name, a, b, delta: a !== null && b !== null ? a - b : null, ratio: null, note: null };
}

const costs = [cost('wall_s', 0.5, 0.45), cost('cpu_s', 0.205, 0.2), cost('gpu_s', null, null), cost('energy_j', null, null)];

describe('verdictSentence', () => {
  it('writes the significant case as a researcher would: F1 with its interval and test, McNemar on accuracy, CPU per batch', () => {
    const metrics = [difference('accuracy', 0.8, 0.65, [0.05, 0.25], 0.02, 'mcnemar-exact'), difference('f1', 0.61, 0.43, [0.05, 0.31], 0.004)];
    expect(verdictSentence({ candidate: 'logllm-ft', baseline: 'logllm-base', comparison: { metrics, cost: costs, confidence: 0.95 }, batches: { candidate: 5, baseline: 5 } })).toBe(
      'logllm-ft vs logllm-base: F1 0.61 vs 0.43 (+0.18, 95 % CI [+0.05, +0.31], paired bootstrap p = 0.004; accuracy McNemar p = 0.02): significantly better, at 41 ms vs 40 ms CPU per batch.',
    );
  });

  it('says "no significant difference" when the interval holds 0, and "significantly worse" when it lies below', () => {
    const unsure = [difference('f1', 0.5, 0.45, [-0.1, 0.2], 0.41)];
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: unsure, cost: costs, confidence: 0.9 }, batches: { candidate: 5, baseline: 5 } })).toBe(
      'a vs b: F1 0.5 vs 0.45 (+0.05, 90 % CI [-0.1, +0.2], paired bootstrap p = 0.41): no significant difference, at 41 ms vs 40 ms CPU per batch.',
    );
    const worse = [difference('f1', 0.3, 0.6, [-0.5, -0.1], 0.0005)];
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: worse, cost: costs, confidence: 0.95 }, batches: { candidate: 5, baseline: 5 } })).toMatch(/ \(-0\.3, 95 % CI \[-0\.5, -0\.1\], paired bootstrap p < 0\.001\): significantly worse, /);
  });

  it('prefers GPU time, names differing batch counts, and reads a lower-is-better figure the right way round', () => {
    const lower = { ...difference('error_rate', 0.1, 0.3, [-0.3, -0.1], 0.002), higherIsBetter: false };
    const gpu = [cost('wall_s', 2, 2), cost('cpu_s', 1, 1), cost('gpu_s', 0.9, 3.2), cost('energy_j', 100, 300)];
    expect(verdictSentence({ candidate: 'ft', baseline: 'base', comparison: { metrics: [lower], cost: gpu, confidence: 0.95 }, batches: { candidate: 3, baseline: 8 } })).toBe(
      'ft vs base: error_rate 0.1 vs 0.3 (-0.2, 95 % CI [-0.3, -0.1], paired bootstrap p = 0.002): significantly better, at 300 ms vs 400 ms GPU time per batch (3 vs 8 batches).',
    );
  });

  it('says when a figure has no paired test or no cost was measured, instead of claiming significance', () => {
    const untested = [difference('bleu', 30, 25, null, null, 'stored values')];
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: untested, cost: [cost('cpu_s', null, 1)], confidence: 0.95 }, batches: { candidate: 1, baseline: 1 } })).toBe(
      'a vs b: bleu 30 vs 25 (+5, no paired test: no per-sample form in its registry definition, so no paired test), cost not measured in both runs.',
    );
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: [], cost: [], confidence: 0.95 }, batches: { candidate: 1, baseline: 1 } })).toBe('a vs b: no figure both runs have, no verdict.');
  });
});
