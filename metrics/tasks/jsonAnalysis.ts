/**
 * FPT AI Studio "log tracking and alert" task (fpt-corp/ai-studio,
 * tutorials/log-tracking-and-alert-using-qwen3): the model answers a log chunk with
 * `{"risk_score", "should_alert_user", "messages": {"critical", "warning"}, "summary"}`.
 *
 * Parsing follows FPT's `src/preprocess_synthesized_data.py`: take the text from the first `{` to
 * the last `}`, `json.loads` it, then `verify_format` against the prompt's schema example (same key
 * sets at every level, `int` risk score, `bool` alert flag, lists of `int` line numbers, list of
 * `str` summary bullets). Deviations from that check, all forced by JavaScript or chosen for sanity:
 * - `10.0` passes here as an integer (JSON.parse cannot tell it from `10`); Python rejects a float.
 * - A boolean where an integer belongs fails here; Python accepts it because `bool` subclasses `int`.
 * - FPT re-parses a JSON *string* result; that branch cannot fire after a `{`..`}` slice, so it is omitted.
 * Like FPT, a `null` summary fails the check even though the prompt says "use `null` ... if no findings".
 *
 * Scoring reads each field on its own (`fields`), so a schema slip in `summary` does not erase a
 * correct alert decision; schema validity is reported separately as a format-compliance rate.
 */
import { z } from 'zod';
import fptResponseFormat from '../../prompts/fpt_response_schema.json' with { type: 'json' };
import { classificationReport, type ClassificationReport } from '../classification.js';
import { rate, type ScoringItem, type TaskDefinition } from '../definition.js';
import { countsStatistic, definedMean, indicatorColumns, type SummedStatistic } from '../statistics/index.js';
import { ALERT_RISK_THRESHOLD, CRITICAL_LINE_POINTS, inputLines, pythonJsonDumps, rateLines, summaryBullets, WARNING_LINE_POINTS, type Severity } from './logRules.js';

/**
 * The `json_schema` FPT's demo app (`src/app.py`) sends as `response_format`: its pydantic
 * `Response` model's `model_json_schema()` under the name "Log Analysis Response".
 */
export const FPT_RESPONSE_JSON_SCHEMA: { name: string; schema: Record<string, unknown> } = fptResponseFormat;

const lineNumbers = z.array(z.int());

/** FPT's `verify_format` as a zod schema: exact keys (strict objects) and element types. */
const jsonAnalysisSchema = z.strictObject({
  risk_score: z.int(),
  should_alert_user: z.boolean(),
  messages: z.strictObject({ critical: lineNumbers, warning: lineNumbers }),
  summary: z.array(z.string()),
});

/** A schema-valid FPT analysis. */
export type JsonAnalysis = z.infer<typeof jsonAnalysisSchema>;

/** Each field read on its own from the parsed JSON; absent when missing or of the wrong type. */
export interface JsonAnalysisFields {
  riskScore?: number;
  shouldAlertUser?: boolean;
  critical?: number[];
  warning?: number[];
  summary?: string[];
}

export interface JsonAnalysisParse {
  /** A `{`..`}` slice was found and JSON.parse accepted it. */
  parsed: boolean;
  /** The parsed object passes FPT's format check. */
  schemaValid: boolean;
  /** The analysis, present exactly when `schemaValid`. */
  value?: JsonAnalysis;
  fields: JsonAnalysisFields;
  /** Why parsing or the schema check failed. */
  error?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readFields(object: Record<string, unknown>): JsonAnalysisFields {
  const fields: JsonAnalysisFields = {};
  const { risk_score: riskScore, should_alert_user: shouldAlertUser, messages, summary } = object;
  if (typeof riskScore === 'number' && Number.isFinite(riskScore)) fields.riskScore = riskScore;
  if (typeof shouldAlertUser === 'boolean') fields.shouldAlertUser = shouldAlertUser;
  if (isRecord(messages)) {
    const critical = lineNumbers.safeParse(messages.critical);
    if (critical.success) fields.critical = critical.data;
    const warning = lineNumbers.safeParse(messages.warning);
    if (warning.success) fields.warning = warning.data;
  }
  const bullets = z.array(z.string()).safeParse(summary);
  if (bullets.success) fields.summary = bullets.data;
  return fields;
}

/** Parses a model answer the way FPT's preprocessing does (first `{` to last `}`), then checks its schema. */
export function parseJsonAnalysis(text: string): JsonAnalysisParse {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) {
    return { parsed: false, schemaValid: false, fields: {}, error: 'no JSON object found' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    return { parsed: false, schemaValid: false, fields: {}, error: `invalid JSON: ${(error as Error).message}` };
  }
  // A slice that starts with `{` and parses is always an object.
  const fields = readFields(json as Record<string, unknown>);
  const checked = jsonAnalysisSchema.safeParse(json);
  if (!checked.success) {
    return { parsed: true, schemaValid: false, fields, error: `schema: ${z.prettifyError(checked.error)}` };
  }
  return { parsed: true, schemaValid: true, value: checked.data, fields };
}

/** Precision/recall/F1 of predicted line numbers against the reference's, as sets. */
export interface LineSetScore {
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  /** Distinct predicted line numbers (0 when the prediction has no valid list). */
  predicted: number;
  /** Distinct reference line numbers. */
  reference: number;
}

/**
 * P/R/F1 from set counts with scikit-learn's zero_division=0, except that an empty prediction of
 * an empty reference is a perfect answer (1, 1, 1): "no critical lines" is the correct output.
 */
function precisionRecallF1(truePositives: number, predicted: number, reference: number) {
  if (predicted === 0 && reference === 0) return { precision: 1, recall: 1, f1: 1 };
  const precision = predicted === 0 ? 0 : truePositives / predicted;
  const recall = reference === 0 ? 0 : truePositives / reference;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** A missing or ill-typed predicted list scores 0 everywhere, even against an empty reference. */
function lineSetScore(predicted: readonly number[] | undefined, reference: readonly number[]): LineSetScore {
  const referenceSet = new Set(reference);
  if (predicted === undefined) {
    return { precision: 0, recall: 0, f1: 0, truePositives: 0, predicted: 0, reference: referenceSet.size };
  }
  const predictedSet = new Set(predicted);
  let truePositives = 0;
  for (const line of predictedSet) if (referenceSet.has(line)) truePositives++;
  return {
    ...precisionRecallF1(truePositives, predictedSet.size, referenceSet.size),
    truePositives,
    predicted: predictedSet.size,
    reference: referenceSet.size,
  };
}

export interface JsonAnalysisSampleScore {
  parsed: boolean;
  schemaValid: boolean;
  /** The reference's `should_alert_user`. */
  alertTruth: boolean;
  /** The prediction's flag; a prediction without a boolean flag counts as the opposite of the reference (always wrong). */
  alertPredicted: boolean;
  /** Whether the prediction carried a boolean `should_alert_user`. */
  alertAnswered: boolean;
  /** False when the prediction has no boolean `should_alert_user`. */
  alertCorrect: boolean;
  /** |predicted − reference| risk score; null when the prediction has no numeric `risk_score`. */
  riskAbsError: number | null;
  critical: LineSetScore;
  warning: LineSetScore;
}

/** Scores one parsed prediction against its (schema-valid) reference analysis. */
export function scoreJsonAnalysis(prediction: JsonAnalysisParse, reference: JsonAnalysis): JsonAnalysisSampleScore {
  const { fields } = prediction;
  const truth = reference.should_alert_user;
  return {
    parsed: prediction.parsed,
    schemaValid: prediction.schemaValid,
    alertTruth: truth,
    alertPredicted: fields.shouldAlertUser ?? !truth,
    alertAnswered: fields.shouldAlertUser !== undefined,
    alertCorrect: fields.shouldAlertUser === truth,
    riskAbsError: fields.riskScore === undefined ? null : Math.abs(fields.riskScore - reference.risk_score),
    critical: lineSetScore(fields.critical, reference.messages.critical),
    warning: lineSetScore(fields.warning, reference.messages.warning),
  };
}

/** Line-set agreement over a corpus, pooled two ways. */
export interface LineSetCorpus {
  /** TP, predicted and reference counts summed over samples, then P/R/F1 (long chunks weigh more). */
  micro: { precision: number; recall: number; f1: number };
  /** Per-sample P/R/F1 averaged with equal weight per sample (empty-vs-empty samples count 1). */
  meanPrecision: number;
  meanRecall: number;
  meanF1: number;
}

function lineSetCorpus(scores: readonly LineSetScore[]): LineSetCorpus {
  const sum = (pick: (score: LineSetScore) => number) => scores.reduce((total, score) => total + pick(score), 0);
  const mean = (pick: (score: LineSetScore) => number) => sum(pick) / scores.length;
  return {
    micro: precisionRecallF1(sum((s) => s.truePositives), sum((s) => s.predicted), sum((s) => s.reference)),
    meanPrecision: mean((s) => s.precision),
    meanRecall: mean((s) => s.recall),
    meanF1: mean((s) => s.f1),
  };
}

export interface JsonAnalysisCorpus {
  n: number;
  parseRate: number;
  schemaValidRate: number;
  /**
   * `should_alert_user` as a binary task, positive label `'true'`. A prediction without a boolean
   * flag is scored as the opposite of the reference, so it is always wrong (FN or FP).
   */
  alert: ClassificationReport;
  /** Predictions that carried a boolean `should_alert_user`. */
  alertAnswered: number;
  /** Mean absolute risk-score error over the `n` predictions that carried a numeric `risk_score`. */
  riskScore: { mae: number | null; n: number };
  critical: LineSetCorpus;
  warning: LineSetCorpus;
  samples: JsonAnalysisSampleScore[];
}

/**
 * Corpus metrics for FPT JSON analysis. `reference` is the dataset's gpt turn and must pass the
 * schema check (FPT filtered its data with it); a bad reference throws, naming its index.
 */
export function jsonAnalysisCorpus(pairs: readonly { prediction: string; reference: string }[]): JsonAnalysisCorpus {
  if (pairs.length === 0) throw new RangeError('jsonAnalysisCorpus needs at least one pair');
  const samples = pairs.map(({ prediction, reference }, index) => {
    const referenceParse = parseJsonAnalysis(reference);
    if (referenceParse.value === undefined) {
      throw new Error(`reference ${index} is not a valid FPT analysis: ${referenceParse.error ?? ''}`);
    }
    return scoreJsonAnalysis(parseJsonAnalysis(prediction), referenceParse.value);
  });
  const riskErrors = samples.flatMap((score) => (score.riskAbsError === null ? [] : [score.riskAbsError]));
  const count = (pick: (score: JsonAnalysisSampleScore) => boolean) => samples.filter(pick).length;
  return {
    n: pairs.length,
    parseRate: count((s) => s.parsed) / pairs.length,
    schemaValidRate: count((s) => s.schemaValid) / pairs.length,
    alert: classificationReport(
      samples.map((s) => String(s.alertTruth)),
      samples.map((s) => String(s.alertPredicted)),
      { positiveLabel: 'true' },
    ),
    alertAnswered: count((s) => s.alertAnswered),
    riskScore: {
      mae: riskErrors.length === 0 ? null : riskErrors.reduce((a, b) => a + b, 0) / riskErrors.length,
      n: riskErrors.length,
    },
    critical: lineSetCorpus(samples.map((s) => s.critical)),
    warning: lineSetCorpus(samples.map((s) => s.warning)),
    samples,
  };
}

/**
 * Micro F1 of line sets as summed per-sample counts (TP, predicted, reference), finalized by the same
 * rule as the corpus figure, so its full-sample value is `critical_f1` / `warning_f1` exactly
 * (including "nothing predicted, nothing to find" = 1, which TP/FP/FN alone cannot express).
 */
function lineSetF1Statistic(scores: readonly LineSetScore[]): SummedStatistic {
  return {
    columns: [
      Float64Array.from(scores, (s) => s.truePositives),
      Float64Array.from(scores, (s) => s.predicted),
      Float64Array.from(scores, (s) => s.reference),
    ],
    finalize: ([truePositives, predicted, reference]) => precisionRecallF1(truePositives!, predicted!, reference!).f1,
  };
}

/** Alert precision, recall and F1 (positive label `'true'`) from per-sample TP / FP / FN indicators, as scikit-learn counts them. */
function alertStatistics(samples: readonly JsonAnalysisSampleScore[]): Record<string, SummedStatistic> {
  const { tp, fp, fn } = indicatorColumns(
    samples.map((s) => s.alertTruth),
    samples.map((s) => s.alertPredicted),
  );
  return {
    alert_precision: countsStatistic(tp, fp, fn, 'precision'),
    alert_recall: countsStatistic(tp, fp, fn, 'recall'),
    alert_f1: countsStatistic(tp, fp, fn, 'f1'),
  };
}

function referenceOf(item: ScoringItem): string {
  if (item.reference == null) throw new Error('task json-analysis: a sample has no reference text to score against');
  return item.reference;
}

// A model may answer any integer risk score, so the error has no upper bound.
const RISK_ERROR = { higherIsBetter: false, range: [0, Number.POSITIVE_INFINITY] } as const;

/**
 * FPT's JSON risk analysis: parse and schema rates, the alert decision as a binary classification,
 * the risk score's absolute error, and the critical / warning line sets. Rules baseline: risk =
 * min(100, 20 × critical lines + 2 × warning lines), alert on any critical line or risk ≥ 50, one
 * summary bullet per rule that fired (metrics/tasks/logRules.ts), in FPT's JSON spacing.
 */
export const jsonAnalysisTask: TaskDefinition = {
  name: 'json-analysis',
  description: "FPT's JSON log risk analysis: parse/schema rates, alert P/R/F1, risk-score error, line-set F1",
  needs: 'reference',
  figures: [
    ...['json_parse_rate', 'json_schema_valid_rate', 'alert_accuracy', 'alert_precision', 'alert_recall', 'alert_f1'].map(rate),
    { name: 'risk_mae', ...RISK_ERROR },
    ...['critical_f1', 'warning_f1'].map(rate),
  ],
  sampleFigures: [...['json_parsed', 'json_schema_valid', 'alert_correct'].map(rate), { name: 'risk_abs_error', ...RISK_ERROR }, ...['critical_f1', 'warning_f1'].map(rate)],
  defaultMetrics: ['json-analysis', 'fuzzy', 'bleu', 'sacrebleu', 'rouge'],
  scoreSample: (item) => {
    const values: Record<string, number | null> = {};
    const parsedReference = parseJsonAnalysis(referenceOf(item));
    const prediction = parseJsonAnalysis(item.output ?? '');
    values['json_parsed'] = Number(prediction.parsed);
    values['json_schema_valid'] = Number(prediction.schemaValid);
    if (parsedReference.value) {
      const s = scoreJsonAnalysis(prediction, parsedReference.value);
      values['alert_correct'] = Number(s.alertCorrect);
      values['risk_abs_error'] = s.riskAbsError;
      values['critical_f1'] = s.critical.f1;
      values['warning_f1'] = s.warning.f1;
    }
    return { values, parsed: { parsed: prediction.parsed, schemaValid: prediction.schemaValid, ...(prediction.value && { value: prediction.value }) } };
  },
  corpus: (items) => {
    const n = items.length;
    const corpus = jsonAnalysisCorpus(items.map((i) => ({ prediction: i.output ?? '', reference: referenceOf(i) })));
    const alert = 'error' in corpus.alert.binary ? null : corpus.alert.binary;
    return [
      { name: 'json_parse_rate', value: corpus.parseRate, n },
      { name: 'json_schema_valid_rate', value: corpus.schemaValidRate, n },
      { name: 'alert_accuracy', value: corpus.alert.accuracy, n },
      { name: 'alert_precision', value: alert?.precision ?? null, n },
      { name: 'alert_recall', value: alert?.recall ?? null, n },
      { name: 'alert_f1', value: alert?.f1 ?? null, n },
      { name: 'risk_mae', value: corpus.riskScore.mae, n: corpus.riskScore.n },
      { name: 'critical_f1', value: corpus.critical.micro.f1, n },
      { name: 'warning_f1', value: corpus.warning.micro.f1, n },
    ];
  },
  statistics: (items, scored) => {
    const column = (name: string) => scored.map((s) => s.values[name]);
    // The per-sample counts behind the pooled figures are not stored per sample, so they come from one re-parse.
    const { samples } = jsonAnalysisCorpus(items.map((i) => ({ prediction: i.output ?? '', reference: referenceOf(i) })));
    return {
      json_parse_rate: definedMean(column('json_parsed')),
      json_schema_valid_rate: definedMean(column('json_schema_valid')),
      alert_accuracy: definedMean(column('alert_correct')),
      ...alertStatistics(samples),
      risk_mae: definedMean(column('risk_abs_error')),
      critical_f1: lineSetF1Statistic(samples.map((s) => s.critical)),
      warning_f1: lineSetF1Statistic(samples.map((s) => s.warning)),
    };
  },
  rulesAnswer: (input) => {
    const rated = rateLines(inputLines(input));
    const lineNumbersOf = (severity: Severity) => rated.filter((line) => line.rule.severity === severity).map((line) => line.lineNumber);
    const critical = lineNumbersOf('critical');
    const warning = lineNumbersOf('warning');
    const riskScore = Math.min(100, CRITICAL_LINE_POINTS * critical.length + WARNING_LINE_POINTS * warning.length);
    const analysis: JsonAnalysis = {
      risk_score: riskScore,
      should_alert_user: critical.length > 0 || riskScore >= ALERT_RISK_THRESHOLD,
      messages: { critical, warning },
      summary: summaryBullets(rated),
    };
    return { text: pythonJsonDumps(analysis) };
  },
};
