import { describe, expect, it } from 'vitest';
import { compareRuns, corpusIntervals, metricStatistics } from './runStatistics.js';
import { fullSampleValue } from './statistics/index.js';
import { scoreCorpus, scoreSample, type ScoringItem } from './taskScoring.js';

const settings = { resamples: 500, seed: 7 };

function classificationItems(correctEvery: number): ScoringItem[] {
  return Array.from({ length: 120 }, (_, i) => {
    const label = i % 3 === 0 ? 'anomalous' : 'normal';
    const right = i % correctEvery !== 0;
    return { output: null, predictedLabel: right ? label : label === 'normal' ? 'anomalous' : 'normal', label, reference: null, failed: false };
  });
}

function textItems(noise: number): ScoringItem[] {
  return Array.from({ length: 60 }, (_, i) => {
    const reference = `Cause - disk sda${i % 4} failed while reading block ${i}\nRemediation - replace the disk and run fsck`;
    const output = i % noise === 0 ? 'Cause - unknown' : reference.replace('replace', 'swap');
    return { output, reference, label: null, failed: false };
  });
}

describe('metricStatistics', () => {
  it('gives the same full-sample values as the corpus figures', () => {
    const metrics = ['fuzzy', 'bleu', 'sacrebleu', 'rouge'] as const;
    const items = textItems(5);
    const scored = items.map((item) => scoreSample('text', metrics, item));
    const figures = new Map(scoreCorpus('text', metrics, items, scored).map((f) => [f.name, f.value]));
    for (const [name, stat] of metricStatistics('text', metrics, items, scored)) {
      expect(Math.abs(fullSampleValue(stat) - (figures.get(name) as number)), name).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(figures.get(name) as number)));
    }
  });

  it('scores a failed or unreadable classification answer by one rule in the point figure, its interval and McNemar', () => {
    // 30 normal samples answered right, 10 failed requests and 10 unreadable answers on normal samples.
    const items: ScoringItem[] = [
      ...Array.from({ length: 30 }, (): ScoringItem => ({ output: null, predictedLabel: 'normal', label: 'normal', reference: null, failed: false })),
      ...Array.from({ length: 10 }, (): ScoringItem => ({ output: null, label: 'normal', reference: null, failed: true })),
      ...Array.from({ length: 10 }, (): ScoringItem => ({ output: 'I cannot tell', label: 'normal', reference: null, failed: false })),
    ];
    const scored = items.map((item) => scoreSample('classification', ['classification'], item));
    const accuracy = scoreCorpus('classification', ['classification'], items, scored).find((f) => f.name === 'accuracy')!.value!;
    expect(accuracy).toBe(0.6);
    expect(fullSampleValue(metricStatistics('classification', ['classification'], items, scored).get('accuracy')!)).toBe(accuracy);
    const interval = corpusIntervals('classification', ['classification'], items, scored, settings).get('accuracy')!;
    expect(interval.low).toBeLessThanOrEqual(accuracy);
    expect(interval.high).toBeGreaterThanOrEqual(accuracy);
    // Against a run that answers every sample right, McNemar sees exactly the 20 no-answers as its errors.
    const perfect = items.map((item): ScoringItem => ({ ...item, output: null, predictedLabel: 'normal', failed: false }));
    const comparison = compareRuns('classification', ['classification'], items, perfect, settings).find((c) => c.name === 'accuracy')!;
    expect(comparison.a).toBe(0.6);
    expect(comparison.b).toBe(1);
  });

  it('classification precision / recall / F1 equal scikit-learn figures on the full sample', () => {
    const items = classificationItems(7);
    const scored = items.map((item) => scoreSample('classification', ['classification'], item));
    const figures = new Map(scoreCorpus('classification', ['classification'], items, scored).map((f) => [f.name, f.value]));
    for (const name of ['accuracy', 'precision', 'recall', 'f1']) {
      const stat = metricStatistics('classification', ['classification'], items, scored).get(name)!;
      expect(fullSampleValue(stat)).toBeCloseTo(figures.get(name) as number, 12);
    }
  });
});

describe('corpusIntervals', () => {
  it('brackets each estimate and is reproducible from its seed', () => {
    const items = textItems(4);
    const scored = items.map((item) => scoreSample('text', ['rouge', 'bleu'], item));
    const a = corpusIntervals('text', ['rouge', 'bleu'], items, scored, settings);
    const b = corpusIntervals('text', ['rouge', 'bleu'], items, scored, settings);
    expect(a).toEqual(b);
    const figures = scoreCorpus('text', ['rouge', 'bleu'], items, scored);
    for (const f of figures) {
      const interval = a.get(f.name);
      if (!interval || f.value === null) continue;
      expect(interval.low, f.name).toBeLessThanOrEqual(f.value + 1e-12);
      expect(interval.high, f.name).toBeGreaterThanOrEqual(f.value - 1e-12);
    }
    expect(a.get('rougeL')!.high).toBeGreaterThan(a.get('rougeL')!.low);
  });
});

describe('compareRuns', () => {
  it('finds no difference between a run and itself', () => {
    const items = textItems(5);
    for (const c of compareRuns('text', ['rouge', 'bleu'], items, items, settings)) {
      expect(c.delta, c.name).toBe(0);
      expect(c.pValue, c.name).toBe(1);
    }
  });

  it('calls a clearly better classifier significant by exact McNemar, and a better generator by paired bootstrap', () => {
    const accuracy = compareRuns('classification', ['classification'], classificationItems(1000), classificationItems(3), settings).find((c) => c.name === 'accuracy')!;
    expect(accuracy.method).toBe('mcnemar-exact');
    expect(accuracy.delta).toBeGreaterThan(0.3);
    expect(accuracy.pValue).toBeLessThan(1e-6);
    const rouge = compareRuns('text', ['rouge'], textItems(50), textItems(2), settings).find((c) => c.name === 'rougeL')!;
    expect(rouge.method).toBe('paired-bootstrap-two-sided');
    expect(rouge.delta).toBeGreaterThan(0);
    expect(rouge.ciLow).toBeGreaterThan(0);
    expect(rouge.pValue).toBeLessThan(0.01);
  });

  it('refuses runs of different sizes', () => {
    expect(() => compareRuns('text', ['rouge'], textItems(2), textItems(2).slice(1), settings)).toThrow(RangeError);
  });
});

describe('corpusIntervals with figures defined on few samples', () => {
  it('leaves out only the figure a resample can leave undefined', () => {
    const reference = JSON.stringify({ risk_score: 10, should_alert_user: false, messages: { critical: [], warning: [] }, summary: [] });
    const items: ScoringItem[] = Array.from({ length: 40 }, (_, i) => ({ output: i === 0 ? reference : null, reference, failed: i !== 0 }));
    const scored = items.map((item) => scoreSample('json-analysis', ['json-analysis'], item));
    const intervals = corpusIntervals('json-analysis', ['json-analysis'], items, scored, settings);
    expect(intervals.has('risk_mae')).toBe(false);
    expect(intervals.get('error_rate')!.low).toBeGreaterThan(0.8);
  });
});

describe('compareRuns with figures defined on few samples', () => {
  it('leaves out only the figure a paired resample can leave undefined, and compares the rest', () => {
    const reference = JSON.stringify({ risk_score: 10, should_alert_user: false, messages: { critical: [], warning: [] }, summary: [] });
    // One parsed answer in 40: most resamples draw no sample with a risk score, so risk_mae has no paired interval.
    const sparse: ScoringItem[] = Array.from({ length: 40 }, (_, i) => ({ output: i === 0 ? reference : 'not json', reference, failed: false }));
    const full: ScoringItem[] = sparse.map((item) => ({ ...item, output: reference }));
    const comparison = compareRuns('json-analysis', ['json-analysis'], full, sparse, settings);
    expect(comparison.map((c) => c.name)).not.toContain('risk_mae');
    const parsed = comparison.find((c) => c.name === 'json_parse_rate')!;
    expect(parsed.delta).toBeCloseTo(39 / 40, 12);
    expect(parsed.pValue).toBeLessThan(0.01);
  });
});
