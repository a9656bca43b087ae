import { describe, expect, it } from 'vitest';
import { scoreCorpus, scoreSample, type ScoringItem } from './taskScoring.js';

const reference = JSON.stringify({ risk_score: 80, should_alert_user: true, messages: { critical: [3], warning: [5, 6] }, summary: ['Brute force'] });

describe('scoreSample / scoreCorpus', () => {
  it('JSON analysis: parse and schema rates, alert figures and risk error; a failed request scores as no answer', () => {
    const items: ScoringItem[] = [
      { output: reference, reference, failed: false },
      { output: 'Sure! ```json\n' + JSON.stringify({ risk_score: 60, should_alert_user: false, messages: { critical: [], warning: [5] }, summary: [] }) + '\n```', reference, failed: false },
      { output: null, reference, failed: true },
    ];
    const metrics = ['json-analysis', 'rouge'] as const;
    const scored = items.map((i) => scoreSample('json-analysis', metrics, i));
    expect(scored[0]!.values).toMatchObject({ json_parsed: 1, json_schema_valid: 1, alert_correct: 1, risk_abs_error: 0, critical_f1: 1, warning_f1: 1, rougeL: 1 });
    expect(scored[1]!.values).toMatchObject({ json_parsed: 1, json_schema_valid: 1, alert_correct: 0, risk_abs_error: 20 });
    expect(scored[2]!.values).toMatchObject({ json_parsed: 0, rougeL: 0 });
    const figures = new Map(scoreCorpus('json-analysis', metrics, items, scored).map((f) => [f.name, f.value]));
    expect(figures.get('error_rate')).toBeCloseTo(1 / 3, 15);
    expect(figures.get('json_parse_rate')).toBeCloseTo(2 / 3, 15);
    expect(figures.get('alert_accuracy')).toBeCloseTo(1 / 3, 15);
    expect(figures.get('risk_mae')).toBe(10);
  });

  it('classification: runner labels win over parsing, unreadable and failed answers are wrong and never detections', () => {
    const items: ScoringItem[] = [
      { output: 'The sequence is anomalous.', label: 'anomalous', failed: false },
      { output: 'no idea', label: 'anomalous', failed: false },
      { output: 'ignored', predictedLabel: 'normal', label: 'normal', failed: false },
      { output: null, label: 'normal', failed: true },
    ];
    const scored = items.map((i) => scoreSample('classification', ['classification'], i));
    expect(scored.map((s) => s.label)).toEqual(['anomalous', null, 'normal', null]);
    const figures = new Map(scoreCorpus('classification', ['classification'], items, scored).map((f) => [f.name, f.value]));
    expect(figures.get('answer_parse_rate')).toBe(0.5);
    expect(figures.get('accuracy')).toBe(0.5);
    expect(figures.get('recall')).toBe(0.5);
    expect(figures.get('precision')).toBe(1);
  });

  it('cause/remediation: per-part ROUGE-L where the reference has the part', () => {
    const item: ScoringItem = { output: 'Cause - disk full\nRemediation - free space on /var', reference: 'Cause - disk full\nRemediation - free space', failed: false };
    const s = scoreSample('cause-remediation', ['cause-remediation'], item);
    expect(s.values.cr_parsed).toBe(1);
    expect(s.values.cause_rougeL).toBe(1);
    expect(s.values.remediation_rougeL).toBeCloseTo(2 / 3, 12); // P = 2/4, R = 2/2
    const noParts = scoreSample('cause-remediation', ['cause-remediation'], { ...item, reference: 'plain text' });
    expect(noParts.values.cause_rougeL).toBeNull();
  });

  it('needs a reference for generative tasks', () => {
    expect(() => scoreSample('text', ['rouge'], { output: 'x', failed: false })).toThrow(/no reference/);
  });
});
