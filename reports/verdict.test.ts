import { describe, expect, it } from 'vitest';
import type { CostFigure, MetricDifference } from '../harness/gate/index.js';
import { MIN_PAIRED_SAMPLES, minDiscordantPairs, verdictSentence } from './verdict.js';

function difference(name: string, a: number, b: number, ci: [number, number] | null, pValue: number | null, method: MetricDifference['method'] = 'paired-bootstrap-two-sided', n = 40): MetricDifference {
  return {
    name, a, b, delta: a - b, ciLow: ci?.[0] ?? null, ciHigh: ci?.[1] ?? null, pValue, resamples: method === 'mcnemar-exact' ? null : 1000,
    n, method, untested: ci === null ? 'no per-sample form in its registry definition, so no paired test' : null, higherIsBetter: true,
  };
}

function cost(name: CostFigure['name'], a: number | null, b: number | null): CostFigure {
  return { name, a, b, delta: a !== null && b !== null ? a - b : null, ratio: null, note: null };
}

const costs = [cost('wall_s', 0.5, 0.45), cost('cpu_s', 0.205, 0.2), cost('gpu_s', null, null), cost('energy_j', null, null)];

describe('verdictSentence', () => {
  it('writes the significant case as a researcher would: F1 with its interval and test, McNemar on accuracy, CPU per batch', () => {
    const metrics = [difference('accuracy', 0.8, 0.65, [0.05, 0.25], 0.02, 'mcnemar-exact'), difference('f1', 0.61, 0.43, [0.05, 0.31], 0.004)];
    expect(verdictSentence({ candidate: 'logllm-ft', baseline: 'logllm-base', comparison: { metrics, cost: costs, confidence: 0.95, samples: 5 } })).toBe(
      'logllm-ft vs logllm-base: F1 0.61 vs 0.43 (+0.18, 95 % CI [+0.05, +0.31], paired bootstrap p = 0.004; accuracy McNemar p = 0.02): significantly better, at 41 ms vs 40 ms CPU per sample.',
    );
  });

  it('says "no significant difference" when the interval holds 0, and "significantly worse" when it lies below', () => {
    const unsure = [difference('f1', 0.5, 0.45, [-0.1, 0.2], 0.41)];
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: unsure, cost: costs, confidence: 0.9, samples: 5 } })).toBe(
      'a vs b: F1 0.5 vs 0.45 (+0.05, 90 % CI [-0.1, +0.2], paired bootstrap p = 0.41): no significant difference, at 41 ms vs 40 ms CPU per sample.',
    );
    const worse = [difference('f1', 0.3, 0.6, [-0.5, -0.1], 0.0005)];
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: worse, cost: costs, confidence: 0.95, samples: 5 } })).toMatch(/ \(-0\.3, 95 % CI \[-0\.5, -0\.1\], paired bootstrap p < 0\.001\): significantly worse, /);
  });

  it('prefers GPU time, gives the cost per sample (not per batch: batch sizes differ), and reads a lower-is-better figure the right way round', () => {
    const lower = { ...difference('risk_mae', 0.1, 0.3, [-0.3, -0.1], 0.002), higherIsBetter: false };
    const gpu = [cost('wall_s', 2, 2), cost('cpu_s', 1, 1), cost('gpu_s', 0.9, 3.2), cost('energy_j', 100, 300)];
    expect(verdictSentence({ candidate: 'ft', baseline: 'base', comparison: { metrics: [lower], cost: gpu, confidence: 0.95, samples: 3 } })).toBe(
      'ft vs base: risk_mae 0.1 vs 0.3 (-0.2, 95 % CI [-0.3, -0.1], paired bootstrap p = 0.002): significantly better, at 300 ms vs 1067 ms GPU time per sample.',
    );
  });

  it('says when a figure has no paired test or no cost was measured, instead of claiming significance', () => {
    const untested = [difference('bleu', 30, 25, null, null, 'stored values')];
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: untested, cost: [cost('cpu_s', null, 1)], confidence: 0.95, samples: 1 } })).toBe(
      'a vs b: bleu 30 vs 25 (+5, no paired test: no per-sample form in its registry definition, so no paired test), cost not measured in both runs.',
    );
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: [], cost: [], confidence: 0.95, samples: 1 } })).toBe('a vs b: no figure both runs have, no verdict.');
  });

  it('says "too few samples to judge" on 1, 2 and 3 paired samples, however small the bootstrap p (#15 review)', () => {
    for (const n of [1, 2, 3]) {
      // One or two samples resample to one value: the interval collapses onto the difference and p sits at 1/resamples.
      const collapsed = [difference('f1', 1, 0, [1, 1], 0.000999, 'paired-bootstrap-two-sided', n)];
      expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { metrics: collapsed, cost: costs, confidence: 0.95, samples: n } })).toBe(
        `a vs b: F1 1 vs 0 (+1, 95 % CI [+1, +1], paired bootstrap p < 0.001): too few samples to judge (n = ${n}; the rule needs ${MIN_PAIRED_SAMPLES} paired samples), at ${n === 1 ? '205 ms vs 200 ms' : n === 2 ? '103 ms vs 100 ms' : '68 ms vs 67 ms'} CPU per sample.`,
      );
    }
  });

  it('does not call 4 discordant pairs of 40 significant: McNemar cannot reach p < 0.05 with fewer than 6 (#15 review)', () => {
    expect(minDiscordantPairs(0.05)).toBe(6);
    expect(minDiscordantPairs(0.01)).toBe(8);
    const accuracy = { ...difference('accuracy', 0.9, 0.8, [0.025, 0.2], 0.125, 'mcnemar-exact'), discordant: 4 };
    const metrics = [accuracy, difference('f1', 0.8, 0.5, [0.05, 0.55], 0.004)];
    expect(verdictSentence({ candidate: 'ft', baseline: 'base', comparison: { metrics, cost: costs, confidence: 0.95, samples: 40 } })).toBe(
      'ft vs base: F1 0.8 vs 0.5 (+0.3, 95 % CI [+0.05, +0.55], paired bootstrap p = 0.004; accuracy McNemar p = 0.125): too few samples to judge (n = 40, 4 discordant pairs; McNemar needs 6 to reach p < 0.05), at 5.1 ms vs 5 ms CPU per sample.',
    );
    expect(verdictSentence({ candidate: 'ft', baseline: 'base', comparison: { metrics: [{ ...accuracy, discordant: 1 }, metrics[1]!], cost: costs, confidence: 0.95, samples: 40 } })).toContain('(n = 40, 1 discordant pair; ');
    // Enough discordant pairs but McNemar disagrees with the bootstrap interval: no significance claimed.
    const disagreeing = [{ ...accuracy, pValue: 0.18, discordant: 12 }, metrics[1]!];
    expect(verdictSentence({ candidate: 'ft', baseline: 'base', comparison: { metrics: disagreeing, cost: costs, confidence: 0.95, samples: 40 } })).toMatch(
      /: no significant difference \(the interval excludes 0 but McNemar p = 0\.18 does not agree\), at /,
    );
  });

  it('names both error rates when a run failed samples, and refuses a verdict above max_error_rate or when the baseline failed everything (#15 review)', () => {
    const metrics = [difference('f1', 1, 0.9, [-0.05, 0.2], 0.3)];
    const input = (candidate: number, baseline: number) => ({ candidate: 'half', baseline: 'good', comparison: { metrics, cost: costs, confidence: 0.95, samples: 40 }, errors: { candidate: { rate: candidate, max: 0.05 }, baseline: { rate: baseline, max: 0.05 } } });
    expect(verdictSentence(input(0.025, 0))).toBe('half vs good: F1 1 vs 0.9 (+0.1, 95 % CI [-0.05, +0.2], paired bootstrap p = 0.3; error rates 0.025 vs 0): no significant difference, at 5.1 ms vs 5 ms CPU per sample.');
    expect(verdictSentence(input(0.625, 0))).toBe("half vs good: cannot judge: half's error rate 0.625 is above its max_error_rate 0.05, so its figures cover only the samples it answered.");
    expect(verdictSentence(input(0, 1))).toBe('half vs good: cannot judge: good failed every sample (error rate 1).');
  });

  it('never picks a bookkeeping figure: falls back to the first tested quality figure in the suite order, or the suite\'s verdict_metric (#15 review)', () => {
    const metrics = [
      difference('answer_parse_rate', 1, 0.5, [0.3, 0.7], 0.001),
      difference('error_rate', 0, 0.5, [-0.7, -0.3], 0.001),
      difference('bleu', 30, 25, null, null, 'stored values'),
      difference('warning_f1', 0.2, 0.1, [-0.1, 0.3], 0.4),
      difference('risk_mae', 2, 3, [-2, 0.5], 0.3),
    ];
    const comparison = { metrics, cost: costs, confidence: 0.95, samples: 40 };
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison, figureOrder: ['bleu', 'risk_mae', 'warning_f1'] })).toMatch(/^a vs b: risk_mae 2 vs 3 /);
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison, figureOrder: ['warning_f1', 'risk_mae'] })).toMatch(/^a vs b: warning_f1 0\.2 vs 0\.1 /);
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison, figureOrder: ['bleu', 'risk_mae'], verdictMetric: 'warning_f1' })).toMatch(/^a vs b: warning_f1 0\.2 vs 0\.1 /);
    expect(verdictSentence({ candidate: 'a', baseline: 'b', comparison: { ...comparison, metrics: metrics.slice(0, 2) } })).toBe('a vs b: no figure both runs have, no verdict.');
  });
});
