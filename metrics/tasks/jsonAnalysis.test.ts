import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FPT_RESPONSE_JSON_SCHEMA,
  jsonAnalysisCorpus,
  parseJsonAnalysis,
  scoreJsonAnalysis,
  type JsonAnalysis,
} from './jsonAnalysis.js';

/** The first reference in FPT's test_json.json that has line numbers. */
const FPT_REFERENCE =
  '{"risk_score": 80, "should_alert_user": true, "messages": {"critical": [25, 31, 43], "warning": []}, "summary": ["Multiple fatal data TLB error interrupts detected", "Kernel core generation messages indicating potential system instability"]}';

const analysis = (overrides: Partial<JsonAnalysis> = {}): JsonAnalysis => ({
  risk_score: 10,
  should_alert_user: false,
  messages: { critical: [], warning: [] },
  summary: [],
  ...overrides,
});

describe('parseJsonAnalysis', () => {
  it('accepts an FPT reference as parsed and schema-valid', () => {
    const result = parseJsonAnalysis(FPT_REFERENCE);
    expect(result).toMatchObject({ parsed: true, schemaValid: true });
    expect(result.value?.messages.critical).toEqual([25, 31, 43]);
    expect(result.error).toBeUndefined();
  });

  it('reports text without a JSON object as unparsed', () => {
    expect(parseJsonAnalysis('The logs look fine to me.')).toEqual({
      parsed: false,
      schemaValid: false,
      fields: {},
      error: 'no JSON object found',
    });
    expect(parseJsonAnalysis('} nothing here {').parsed).toBe(false);
  });

  it('takes the first { to the last } so a ```json fence with prose around it parses', () => {
    const text = `Here is my analysis:\n\`\`\`json\n${FPT_REFERENCE}\n\`\`\`\nLet me know {if} you need more.`;
    // The trailing "{if}" moves the last } past the fence: FPT's slice then fails to parse, and so does ours.
    expect(parseJsonAnalysis(text).parsed).toBe(false);
    const fenced = `Here is my analysis:\n\`\`\`json\n${FPT_REFERENCE}\n\`\`\`\nHope this helps.`;
    expect(parseJsonAnalysis(fenced)).toMatchObject({ parsed: true, schemaValid: true });
  });

  it('reports malformed JSON with the parser message', () => {
    const result = parseJsonAnalysis('{"risk_score": 10, "should_alert_user": false,}');
    expect(result.parsed).toBe(false);
    expect(result.error).toMatch(/^invalid JSON/);
  });

  it('rejects wrong types but still reads the fields that are right', () => {
    const result = parseJsonAnalysis(
      '{"risk_score": "high", "should_alert_user": true, "messages": {"critical": ["3"], "warning": [4]}, "summary": []}',
    );
    expect(result).toMatchObject({ parsed: true, schemaValid: false });
    expect(result.value).toBeUndefined();
    expect(result.error).toMatch(/^schema:/);
    expect(result.fields).toEqual({ shouldAlertUser: true, warning: [4], summary: [] });
  });

  it('rejects extra or missing keys at the top level and inside messages, as FPT verify_format does', () => {
    const base = analysis();
    expect(parseJsonAnalysis(JSON.stringify({ ...base, confidence: 0.9 })).schemaValid).toBe(false);
    expect(parseJsonAnalysis(JSON.stringify({ ...base, messages: { critical: [], warning: [], info: [] } })).schemaValid).toBe(false);
    const { summary: _summary, ...withoutSummary } = base;
    expect(parseJsonAnalysis(JSON.stringify(withoutSummary)).schemaValid).toBe(false);
  });

  it('accepts empty arrays and rejects a null summary (FPT checks isinstance(list))', () => {
    expect(parseJsonAnalysis(JSON.stringify(analysis())).schemaValid).toBe(true);
    const nullSummary = parseJsonAnalysis(JSON.stringify({ ...analysis(), summary: null }));
    expect(nullSummary.schemaValid).toBe(false);
    expect(nullSummary.fields).toEqual({ riskScore: 10, shouldAlertUser: false, critical: [], warning: [] });
  });

  it('rejects a non-integer risk score, and a boolean where Python would accept one', () => {
    expect(parseJsonAnalysis(JSON.stringify(analysis({ risk_score: 12.5 }))).schemaValid).toBe(false);
    expect(parseJsonAnalysis(JSON.stringify({ ...analysis(), risk_score: true })).schemaValid).toBe(false);
  });
});

describe('FPT_RESPONSE_JSON_SCHEMA', () => {
  it('is the contents of prompts/fpt_response_schema.json', () => {
    const file: unknown = JSON.parse(readFileSync(new URL('../../prompts/fpt_response_schema.json', import.meta.url), 'utf8'));
    expect(FPT_RESPONSE_JSON_SCHEMA).toEqual(file);
    expect(FPT_RESPONSE_JSON_SCHEMA.name).toBe('Log Analysis Response');
    expect(FPT_RESPONSE_JSON_SCHEMA.schema.required).toEqual(['risk_score', 'should_alert_user', 'messages', 'summary']);
  });
});

describe('scoreJsonAnalysis', () => {
  const reference = analysis({ risk_score: 70, should_alert_user: true, messages: { critical: [1, 5], warning: [7, 8] } });

  it('scores alert, risk error and line sets', () => {
    const prediction = parseJsonAnalysis(
      JSON.stringify(analysis({ risk_score: 55, should_alert_user: true, messages: { critical: [5, 5, 9], warning: [7, 8] } })),
    );
    const score = scoreJsonAnalysis(prediction, reference);
    expect(score.alertCorrect).toBe(true);
    expect(score.riskAbsError).toBe(15);
    // Duplicates count once: predicted {5, 9} against {1, 5}.
    expect(score.critical).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, truePositives: 1, predicted: 2, reference: 2 });
    expect(score.warning.f1).toBe(1);
  });

  it('gives empty-vs-empty line sets a perfect score and an empty prediction of real lines zero', () => {
    const score = scoreJsonAnalysis(parseJsonAnalysis(JSON.stringify(analysis())), analysis({ messages: { critical: [], warning: [3] } }));
    expect(score.critical).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(score.warning).toMatchObject({ precision: 0, recall: 0, f1: 0, reference: 1 });
  });

  it('scores an unparsable prediction as wrong everywhere, even against empty references', () => {
    const score = scoreJsonAnalysis(parseJsonAnalysis('no idea'), analysis());
    expect(score).toMatchObject({ parsed: false, schemaValid: false, alertCorrect: false, riskAbsError: null });
    expect(score.critical.f1).toBe(0);
    expect(score.warning.f1).toBe(0);
  });
});

describe('jsonAnalysisCorpus', () => {
  it('aggregates rates, alert P/R/F1 (unparsable = wrong), risk MAE over parsed, and line-set F1 two ways', () => {
    const ref = (alert: boolean, risk: number, critical: number[]) =>
      JSON.stringify(analysis({ should_alert_user: alert, risk_score: risk, messages: { critical, warning: [] } }));
    const corpus = jsonAnalysisCorpus([
      // true positive, risk error 10, critical {1,2} vs {1,2,3,4}: P 1, R .5
      { prediction: ref(true, 70, [1, 2]), reference: ref(true, 80, [1, 2, 3, 4]) },
      // unparsable against a positive: counted as predicted false (a false negative)
      { prediction: 'I cannot answer', reference: ref(true, 90, [6]) },
      // true negative, risk error 5, empty vs empty
      { prediction: `ok: ${ref(false, 5, [])}`, reference: ref(false, 0, []) },
      // parsed but schema-invalid (null summary); its alert is still read: a false positive
      {
        prediction: JSON.stringify({ ...analysis({ should_alert_user: true, risk_score: 40 }), summary: null }),
        reference: ref(false, 20, []),
      },
    ]);
    expect(corpus.n).toBe(4);
    expect(corpus.parseRate).toBe(0.75);
    expect(corpus.schemaValidRate).toBe(0.5);
    expect(corpus.alertAnswered).toBe(3);
    expect(corpus.alert.confusionMatrix).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(corpus.alert.labels).toEqual(['false', 'true']);
    expect(corpus.alert.binary).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(corpus.riskScore).toEqual({ mae: (10 + 5 + 20) / 3, n: 3 });
    // micro: TP 2, predicted 2 (+0 for the rest), reference 4 + 1 → P 1, R 0.4
    expect(corpus.critical.micro.precision).toBe(1);
    expect(corpus.critical.micro.recall).toBeCloseTo(0.4, 12);
    expect(corpus.critical.micro.f1).toBeCloseTo(2 * 0.4 / 1.4, 12);
    // per sample F1: 2/3, 0 (unparsable), 1 (empty-empty), 1 (empty-empty)
    expect(corpus.critical.meanF1).toBeCloseTo((2 / 3 + 0 + 1 + 1) / 4, 12);
    expect(corpus.samples).toHaveLength(4);
  });

  it('reports a null MAE when no prediction has a risk score', () => {
    const corpus = jsonAnalysisCorpus([{ prediction: '', reference: JSON.stringify(analysis()) }]);
    expect(corpus.riskScore).toEqual({ mae: null, n: 0 });
  });

  it('rejects an invalid reference and an empty corpus', () => {
    expect(() => jsonAnalysisCorpus([{ prediction: '{}', reference: '{"risk_score": 1}' }])).toThrow(/reference 0/);
    expect(() => jsonAnalysisCorpus([])).toThrow(RangeError);
  });
});
