import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../core/errors.js';
import type { MetricDifference, RunComparison } from './comparison.js';
import { defaultThresholds, type Thresholds } from './thresholds.js';
import { evaluateGate } from './verdict.js';
import { higherIsBetter } from '../../metrics/registry.js';

function difference(name: string, a: number, b: number, pValue: number | null, resamples = 1000): MetricDifference {
  const tested = pValue !== null;
  return {
    name,
    a,
    b,
    delta: a - b,
    ciLow: null,
    ciHigh: null,
    pValue,
    resamples: tested ? resamples : null,
    n: 100,
    method: tested ? 'paired-bootstrap-two-sided' : 'stored values',
    untested: tested ? null : 'no per-sample form in its registry definition, so no paired test',
    higherIsBetter: higherIsBetter(name),
  };
}

function comparisonOf(...metrics: MetricDifference[]): RunComparison {
  return { samples: 100, confidence: 0.95, metrics, cost: [] };
}

function judge(thresholds: Thresholds, comparison: RunComparison | null, candidate = comparison?.metrics.map((m) => ({ name: m.name, value: m.a })) ?? []) {
  return evaluateGate({ source: 't.yaml', thresholds, candidate, comparison });
}

describe('gate verdicts', () => {
  it('checks absolute bounds without a baseline', () => {
    const verdict = judge({ metrics: { accuracy: { min: 0.9 }, error_rate: { max: 0.05 } } }, null, [
      { name: 'accuracy', value: 0.85 },
      { name: 'error_rate', value: 0.01 },
    ]);
    expect(verdict.passed).toBe(false);
    expect(verdict.metrics.map((m) => [m.name, m.failures])).toEqual([
      ['accuracy', ['0.85 < 0.9']],
      ['error_rate', []],
    ]);
  });

  it('reads a drop in each metric’s own direction: a rise of error_rate is the drop', () => {
    const comparison = comparisonOf(difference('accuracy', 0.95, 0.9, 0.01), difference('error_rate', 0.08, 0.02, 0.01));
    const verdict = judge({ metrics: { accuracy: { max_drop: 0 }, error_rate: { max_drop: 0.05 } } }, comparison);
    expect(verdict.metrics.map((m) => [m.name, m.rules, m.failures])).toEqual([
      ['accuracy', ['drop ≤ 0'], []],
      ['error_rate', ['rise ≤ 0.05'], ['rise 0.06 > 0.05 (p 0.01)']],
    ]);
  });

  it('bounds a relative drop by the baseline’s value, and fails when any of the limits is exceeded', () => {
    const comparison = comparisonOf(difference('f1', 0.76, 0.8, 0.0004));
    expect(judge({ metrics: { f1: { max_drop_relative: 0.1 } } }, comparison).passed).toBe(true); // 0.04 ≤ 10 % of 0.8
    const both = judge({ metrics: { f1: { max_drop_relative: 0.1, max_drop: 0.02 } } }, comparison);
    expect(both.metrics[0]?.rules).toEqual(['drop ≤ 0.02 and ≤ 10 %']);
    expect(both.metrics[0]?.failures).toEqual(['drop 0.04 > 0.02 (p <0.001)']);
  });

  it('writes a bootstrap p no finer than its resamples allow', () => {
    const verdict = judge({ metrics: { f1: { max_drop: 0.02 } } }, comparisonOf(difference('f1', 0.76, 0.8, 0, 100)));
    expect(verdict.metrics[0]?.failures).toEqual(['drop 0.04 > 0.02 (p <0.01)']);
  });

  it('with significant_at, lets an insignificant drop pass with a note and fails a significant one', () => {
    const small = comparisonOf(difference('rougeL', 0.49, 0.5, 0.4));
    const lenient = judge({ significant_at: 0.05, metrics: { rougeL: { max_drop: 0 } } }, small);
    expect(lenient.passed).toBe(true);
    expect(lenient.metrics[0]?.notes).toEqual(['drop 0.01 > 0, not significant (p 0.4 ≥ 0.05)']);
    expect(judge({ metrics: { rougeL: { max_drop: 0 } } }, small).passed).toBe(false);
    // The metric's own level wins over the file's.
    expect(judge({ significant_at: 0.05, metrics: { rougeL: { max_drop: 0, significant_at: 0.5 } } }, small).passed).toBe(false);
  });

  it('does not excuse a drop of a metric that has no paired test', () => {
    const verdict = judge({ significant_at: 0.05, metrics: { macro_f1: { max_drop: 0 } } }, comparisonOf(difference('macro_f1', 0.7, 0.8, null)));
    expect(verdict.metrics[0]?.failures).toEqual(['drop 0.1 > 0 (no paired test for this metric)']);
  });

  it('lists every metric no rule judges, with its delta and why it is not gated', () => {
    // The default thresholds gate the tested metrics only; an untested one that fell is still shown.
    const comparison = comparisonOf(difference('fuzzy', 0.9, 0.9, 1), difference('alert_f1', 0.77, 1, null));
    const verdict = evaluateGate({ source: null, thresholds: defaultThresholds(['fuzzy']), candidate: [{ name: 'fuzzy', value: 0.9 }, { name: 'alert_f1', value: 0.77 }], comparison });
    expect(verdict.passed).toBe(true);
    expect(verdict.metrics.map((m) => [m.name, m.candidate, m.baseline, m.delta, m.notGated])).toEqual([
      ['fuzzy', 0.9, 0.9, 0, null],
      ['alert_f1', 0.77, 1, 0.77 - 1, 'untested: no per-sample form in its registry definition, so no paired test'],
    ]);
    // With a thresholds file, a metric it does not name is listed as such, tested or not.
    const fromFile = judge({ metrics: { fuzzy: { min: 0.5 } } }, comparison);
    expect(fromFile.metrics.map((m) => [m.name, m.notGated])).toEqual([
      ['fuzzy', null],
      ['alert_f1', 'not in t.yaml'],
    ]);
    // Without a baseline, the candidate's own metrics are listed.
    const alone = judge({ metrics: { fuzzy: { min: 0.5 } } }, null, [{ name: 'fuzzy', value: 0.9 }, { name: 'error_rate', value: 0 }]);
    expect(alone.metrics.map((m) => [m.name, m.candidate, m.delta, m.notGated])).toEqual([
      ['fuzzy', 0.9, null, null],
      ['error_rate', 0, null, 'not in t.yaml'],
    ]);
  });

  it.each([
    ['a metric the candidate lacks', { metrics: { bleu: { min: 0.1 } } }, comparisonOf(difference('accuracy', 1, 1, 1)), 't.yaml: metrics.bleu: the candidate run has no metric bleu (it has accuracy)'],
    ['a change rule without a baseline', { metrics: { accuracy: { max_drop: 0 } } }, null, 't.yaml: metrics.accuracy: max_drop and max_drop_relative need a baseline'],
  ])('refuses %s (exit 3)', (_what, thresholds: Thresholds, comparison, message) => {
    const candidate = [{ name: 'accuracy', value: 1 }];
    let error: unknown;
    try {
      judge(thresholds, comparison, candidate);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.usage);
    expect((error as CliError).message).toContain(message);
  });
});
