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
  it('scores an unparsable answer as wrong and never a detection (a missed anomaly is a false negative)', () => {
    const corpus = anomalyLabelCorpus([
      { prediction: 'The sequence is anomalous.', reference: 'anomalous' },
      { prediction: 'no idea', reference: 'anomalous' },
      { prediction: 'normal', reference: 'normal' },
      { prediction: 'ANOMALOUS', reference: 'normal' },
      { prediction: 'I cannot tell.', reference: 'normal' },
    ]);
    expect(corpus.n).toBe(5);
    expect(corpus.parseRate).toBe(0.6);
    expect(corpus.report.labels).toEqual(['anomalous', 'normal']);
    // No-answers are predicted as neither class: outside the matrix, as sklearn leaves unselected labels.
    expect(corpus.report.confusionMatrix).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(corpus.positive).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    // LogLLM's rule (unparsable = normal) would give 3/5 here: the no-answer on a normal sample earned credit.
    expect(corpus.report.accuracy).toBe(0.4);
  });

  it('rejects an empty corpus', () => {
    expect(() => anomalyLabelCorpus([])).toThrow(RangeError);
  });
});
