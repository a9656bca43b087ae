import { describe, expect, it } from 'vitest';
import { anomalyLabelCorpus, parseAnomalyAnswer } from './anomalyLabel.js';

describe('parseAnomalyAnswer', () => {
  it('reads LogLLM answers and single words in any case', () => {
    expect(parseAnomalyAnswer(' anomalous.<|end_of_text|>')).toBe('anomalous');
    expect(parseAnomalyAnswer('The sequence is normal.')).toBe('normal');
    expect(parseAnomalyAnswer('NORMAL')).toBe('normal');
    expect(parseAnomalyAnswer('Anomalous')).toBe('anomalous');
  });

  it('does not read "abnormal" or "anomaly" as a class word', () => {
    expect(parseAnomalyAnswer('abnormal')).toBeNull();
    expect(parseAnomalyAnswer('This looks like an anomaly.')).toBeNull();
  });

  it('lets a verdict phrase decide when both words appear, flipping on "not"', () => {
    expect(parseAnomalyAnswer('Is this sequence normal or anomalous? The sequence is anomalous.')).toBe('anomalous');
    expect(parseAnomalyAnswer('The sequence is anomalous: normal traffic never shows these errors.')).toBe('anomalous');
    expect(parseAnomalyAnswer('This window is not normal.')).toBe('anomalous');
    expect(parseAnomalyAnswer('It is NOT anomalous; everything is normal')).toBe('normal');
  });

  it('returns null for both words without a verdict, and for neither word', () => {
    expect(parseAnomalyAnswer('normal or anomalous, hard to say')).toBeNull();
    expect(parseAnomalyAnswer('I cannot tell.')).toBeNull();
    expect(parseAnomalyAnswer('')).toBeNull();
  });
});

describe('anomalyLabelCorpus', () => {
  it('scores with positive label anomalous and counts unparsable answers as normal, as LogLLM does', () => {
    const corpus = anomalyLabelCorpus([
      { prediction: 'The sequence is anomalous.', reference: 'anomalous' },
      { prediction: 'no idea', reference: 'anomalous' },
      { prediction: 'normal', reference: 'normal' },
      { prediction: 'ANOMALOUS', reference: 'normal' },
    ]);
    expect(corpus.n).toBe(4);
    expect(corpus.parseRate).toBe(0.75);
    expect(corpus.report.labels).toEqual(['anomalous', 'normal']);
    expect(corpus.report.confusionMatrix).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(corpus.report.binary).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(corpus.report.accuracy).toBe(0.5);
  });

  it('rejects an empty corpus', () => {
    expect(() => anomalyLabelCorpus([])).toThrow(RangeError);
  });
});
