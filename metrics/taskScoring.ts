/**
 * What a suite's task and metric list mean in numbers: per-sample scores (stored beside every
 * prediction) and corpus figures (stored per run). Pure: the harness hands in texts and labels.
 */
import {
  anomalyReport,
  jsonAnalysisCorpus,
  parseAnomalyAnswer,
  parseCauseRemediation,
  parseJsonAnalysis,
  scoreJsonAnalysis,
} from './tasks/index.js';
import { rougeScore } from './rouge/index.js';
import { levenshteinDistance } from './fuzzy.js';
import { scoreTextPair, TEXT_ROUGE_TYPES, TextCorpusAccumulator, exactMean, type PairTextResult } from './textMetrics.js';

export type TaskKind = 'json-analysis' | 'classification' | 'cause-remediation' | 'text';
export type SuiteMetric = 'fuzzy' | 'levenshtein' | 'bleu' | 'sacrebleu' | 'rouge' | 'json-analysis' | 'classification' | 'cause-remediation';

/** One sample's outcome as the scorer sees it. A failed request has `output` null: it scores as an empty answer. */
export interface ScoringItem {
  output: string | null;
  /** Label a classifier runner returned directly (otherwise parsed from `output`). */
  predictedLabel?: string | null;
  reference?: string | null;
  label?: string | null;
  failed: boolean;
}

export interface SampleScores {
  /** Per-sample metric values; null where undefined for this sample. */
  values: Record<string, number | null>;
  /** The label the task parser read from the output (classification). */
  label?: string | null;
  /** Task-parsed fields stored with the prediction (e.g. the JSON analysis verdicts). */
  parsed?: Record<string, unknown>;
  /** The text-metric result with its BLEU segment statistics, for corpus figures without rescoring. */
  text?: PairTextResult;
}

export interface CorpusFigure {
  name: string;
  value: number | null;
  n: number;
}

const usesText = (metrics: readonly SuiteMetric[]) => metrics.some((m) => m === 'fuzzy' || m === 'bleu' || m === 'sacrebleu' || m === 'rouge');

function requireReference(item: ScoringItem, task: TaskKind): string {
  if (item.reference == null) throw new Error(`task ${task}: a sample has no reference text to score against`);
  return item.reference;
}

/** Label of a classification item: the runner's own, else parsed from its answer; null when unreadable. */
function labelOf(item: ScoringItem): string | null {
  if (item.failed) return null;
  if (item.predictedLabel != null) return item.predictedLabel;
  return item.output === null ? null : parseAnomalyAnswer(item.output);
}

export function scoreSample(task: TaskKind, metrics: readonly SuiteMetric[], item: ScoringItem): SampleScores {
  const values: Record<string, number | null> = {};
  const scores: SampleScores = { values };
  const output = item.output ?? '';
  if (task === 'classification') {
    const label = labelOf(item);
    scores.label = label;
    values.correct = item.label == null ? null : Number(label === item.label);
    return scores;
  }
  const reference = requireReference(item, task);
  if (usesText(metrics)) {
    scores.text = scoreTextPair(output, [reference]);
    const text = scores.text.scores;
    if (metrics.includes('fuzzy')) values.fuzzy = text.fuzzy;
    if (metrics.includes('rouge')) for (const type of TEXT_ROUGE_TYPES) values[type] = text.rouge[type].fmeasure;
    if (metrics.includes('sacrebleu') || metrics.includes('bleu')) values.sentence_bleu = text.sacrebleu.score;
  }
  if (metrics.includes('levenshtein')) values.levenshtein = levenshteinDistance(output, reference);
  if (task === 'json-analysis' && metrics.includes('json-analysis')) {
    const parsedReference = parseJsonAnalysis(reference);
    const prediction = parseJsonAnalysis(output);
    values.json_parsed = Number(prediction.parsed);
    values.json_schema_valid = Number(prediction.schemaValid);
    if (parsedReference.value) {
      const s = scoreJsonAnalysis(prediction, parsedReference.value);
      values.alert_correct = Number(s.alertCorrect);
      values.risk_abs_error = s.riskAbsError;
      values.critical_f1 = s.critical.f1;
      values.warning_f1 = s.warning.f1;
    }
    scores.parsed = { parsed: prediction.parsed, schemaValid: prediction.schemaValid, ...(prediction.value && { value: prediction.value }) };
  }
  if (task === 'cause-remediation' && metrics.includes('cause-remediation')) {
    const predicted = parseCauseRemediation(output);
    const wanted = parseCauseRemediation(reference);
    values.cr_parsed = Number(predicted.parsed);
    // Per-part ROUGE only where the reference itself has that part.
    values.cause_rougeL = wanted.cause == null ? null : rougeScore(predicted.cause ?? '', wanted.cause, { types: ['rougeL'] }).rougeL.fmeasure;
    values.remediation_rougeL = wanted.remediation == null ? null : rougeScore(predicted.remediation ?? '', wanted.remediation, { types: ['rougeL'] }).rougeL.fmeasure;
    scores.parsed = { parsed: predicted.parsed, cause: predicted.cause, remediation: predicted.remediation };
  }
  return scores;
}

const meanOf = (name: string, rows: readonly Record<string, number | null>[]): CorpusFigure => {
  const values = rows.map((r) => r[name]).filter((v): v is number => typeof v === 'number');
  return { name, value: values.length ? exactMean(Float64Array.from(values)) : null, n: values.length };
};

/** Corpus figures for one run; `scored` is `scoreSample` of each item, aligned with `items`. */
export function scoreCorpus(
  task: TaskKind,
  metrics: readonly SuiteMetric[],
  items: readonly ScoringItem[],
  scored: readonly SampleScores[],
): CorpusFigure[] {
  const sampleValues = scored.map((s) => s.values);
  const n = items.length;
  const failures = items.filter((i) => i.failed).length;
  const figures: CorpusFigure[] = [{ name: 'error_rate', value: n ? failures / n : 0, n }];
  if (task === 'classification') {
    const truth = items.map((i) => i.label ?? '');
    // A failed or unreadable answer is wrong and never a detection: the same rule as the per-sample
    // `correct` and the TP/FP/FN columns that intervals and paired tests resample (anomalyLabel.ts).
    const predicted = items.map(labelOf);
    figures.push({ name: 'answer_parse_rate', value: n ? predicted.filter((label) => label !== null).length / n : 0, n });
    if (n) {
      const { report, positive } = anomalyReport(truth, predicted);
      figures.push({ name: 'accuracy', value: report.accuracy, n });
      figures.push({ name: 'precision', value: positive.precision, n }, { name: 'recall', value: positive.recall, n }, { name: 'f1', value: positive.f1, n });
      figures.push({ name: 'macro_f1', value: report.macro.f1, n });
    }
    return figures;
  }
  if (usesText(metrics)) {
    const corpus = new TextCorpusAccumulator();
    items.forEach((item, i) => corpus.add(scored[i]?.text ?? scoreTextPair(item.output ?? '', [requireReference(item, task)])));
    const text = corpus.result();
    if (metrics.includes('bleu')) figures.push({ name: 'bleu', value: text.bleu.bleu, n });
    if (metrics.includes('sacrebleu')) figures.push({ name: 'sacrebleu', value: text.sacrebleu.score, n });
    if (metrics.includes('rouge')) for (const type of TEXT_ROUGE_TYPES) figures.push({ name: type, value: text.rouge[type], n });
    if (metrics.includes('fuzzy')) figures.push({ name: 'fuzzy', value: text.fuzzy, n });
  }
  if (metrics.includes('levenshtein')) figures.push(meanOf('levenshtein', sampleValues));
  if (task === 'json-analysis' && metrics.includes('json-analysis')) {
    const corpus = jsonAnalysisCorpus(items.map((i) => ({ prediction: i.output ?? '', reference: requireReference(i, task) })));
    const alert = 'error' in corpus.alert.binary ? null : corpus.alert.binary;
    figures.push(
      { name: 'json_parse_rate', value: corpus.parseRate, n },
      { name: 'json_schema_valid_rate', value: corpus.schemaValidRate, n },
      { name: 'alert_accuracy', value: corpus.alert.accuracy, n },
      { name: 'alert_precision', value: alert?.precision ?? null, n },
      { name: 'alert_recall', value: alert?.recall ?? null, n },
      { name: 'alert_f1', value: alert?.f1 ?? null, n },
      { name: 'risk_mae', value: corpus.riskScore.mae, n: corpus.riskScore.n },
      { name: 'critical_f1', value: corpus.critical.micro.f1, n },
      { name: 'warning_f1', value: corpus.warning.micro.f1, n },
    );
  }
  if (task === 'cause-remediation' && metrics.includes('cause-remediation')) {
    figures.push(meanOf('cr_parsed', sampleValues), meanOf('cause_rougeL', sampleValues), meanOf('remediation_rougeL', sampleValues));
  }
  return figures;
}

/** Figures (corpus or per sample) where a larger value is worse: tables, charts and gates read deltas with this direction. */
const LOWER_IS_BETTER = new Set(['error_rate', 'risk_mae', 'levenshtein', 'risk_abs_error']);

export function higherIsBetter(name: string): boolean {
  return !LOWER_IS_BETTER.has(name);
}
