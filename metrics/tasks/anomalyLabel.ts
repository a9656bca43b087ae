/**
 * LogLLM-style sequence classification (guanwei49/LogLLM): the model continues
 * "The sequence is" with "normal." or "anomalous.". LogLLM's `eval.py` takes the first ` (.*?)\.`
 * match and counts exactly `anomalous` as positive, everything else (including no match) as normal.
 *
 * `parseAnomalyAnswer` is more tolerant, so that chat models are not punished for casing or
 * phrasing, and it keeps "unparsable" visible instead of folding it into `normal`:
 * 1. a verdict phrase `is [not] normal|anomalous` decides, the first one in the text; `not` flips it;
 * 2. otherwise the whole words `normal` / `anomalous` (case-insensitive; `abnormal` is not `normal`):
 *    if only one of them occurs, that is the answer;
 * 3. both words without a verdict phrase is ambiguous, and neither word is unparsable: `null`.
 *
 * One rule for a failed request or an unreadable answer, used by the point figures, their bootstrap
 * intervals and the paired tests alike: it is `NO_ANSWER_LABEL`, a label of neither class, so it is
 * wrong in accuracy and never a detection (a missed anomaly counts as a false negative). LogLLM's
 * `eval.py` folds it into `normal` instead, which credits a failed request on every normal sample.
 */
import { classificationReport, type ClassificationReport, type PrecisionRecallF1 } from '../classification.js';
import { rate, type ScoringItem, type TaskDefinition } from '../definition.js';
import { accuracyDifference, countsStatistic, definedMean, indicatorColumns } from '../statistics/index.js';
import { inputLines, LOGLLM_SEPARATOR, rateLines } from './logRules.js';

export type AnomalyLabel = 'normal' | 'anomalous';

/** The positive class for precision/recall/F1, as in LogLLM (`pos_label=1` for anomalous). */
export const ANOMALY_POSITIVE_LABEL: AnomalyLabel = 'anomalous';
/** The two classes, positive first: macro averages and confusion matrices are over these only. */
export const ANOMALY_LABELS: readonly AnomalyLabel[] = ['anomalous', 'normal'];
/** What a failed request or an unreadable answer predicts: neither class. */
export const NO_ANSWER_LABEL = '(no answer)';

/**
 * sklearn's report over the two classes, with no-answers as a third predicted label outside them:
 * P/R/F1 of `anomalous` are its per-label row (the binary figures when every answer is readable).
 */
export function anomalyReport(truth: readonly string[], predicted: readonly (string | null)[]): { report: ClassificationReport; positive: PrecisionRecallF1 } {
  const report = classificationReport(truth, predicted.map((label) => label ?? NO_ANSWER_LABEL), { labels: [...ANOMALY_LABELS], positiveLabel: ANOMALY_POSITIVE_LABEL });
  const { precision, recall, f1 } = report.perLabel;
  return { report, positive: { precision: precision[0] as number, recall: recall[0] as number, f1: f1[0] as number } };
}

const VERDICT = /\bis\s+(not\s+)?(normal|anomalous)\b/i;
const NORMAL_WORD = /\bnormal\b/i;
const ANOMALOUS_WORD = /\banomalous\b/i;

function opposite(label: AnomalyLabel): AnomalyLabel {
  return label === 'normal' ? 'anomalous' : 'normal';
}

/** Maps a model answer to a label, or null when it names neither class or both without a verdict. */
export function parseAnomalyAnswer(text: string): AnomalyLabel | null {
  const verdict = VERDICT.exec(text);
  if (verdict !== null) {
    const label = (verdict[2] ?? '').toLowerCase() as AnomalyLabel;
    return verdict[1] === undefined ? label : opposite(label);
  }
  const saysNormal = NORMAL_WORD.test(text);
  const saysAnomalous = ANOMALOUS_WORD.test(text);
  if (saysNormal === saysAnomalous) return null;
  return saysNormal ? 'normal' : 'anomalous';
}

export interface AnomalyLabelCorpus {
  n: number;
  /** Share of answers `parseAnomalyAnswer` could map to a label. */
  parseRate: number;
  /** Classification report over both classes; unparsable answers are `NO_ANSWER_LABEL`. */
  report: ClassificationReport;
  /** Precision, recall and F1 of `anomalous`. */
  positive: PrecisionRecallF1;
}

export function anomalyLabelCorpus(
  pairs: readonly { prediction: string; reference: AnomalyLabel }[],
): AnomalyLabelCorpus {
  if (pairs.length === 0) throw new RangeError('anomalyLabelCorpus needs at least one pair');
  const predicted = pairs.map(({ prediction }) => parseAnomalyAnswer(prediction));
  const parsedCount = predicted.filter((label) => label !== null).length;
  return {
    n: pairs.length,
    parseRate: parsedCount / pairs.length,
    ...anomalyReport(pairs.map(({ reference }) => reference), predicted),
  };
}

/** The label of an outcome: the runner's own, else parsed from its answer; null when failed or unreadable. */
function labelOf(item: ScoringItem): string | null {
  if (item.failed) return null;
  if (item.predictedLabel != null) return item.predictedLabel;
  return item.output === null ? null : parseAnomalyAnswer(item.output);
}

/** 1 when the outcome's label is the sample's (a failed or unreadable answer is wrong), null without a true label. */
function correctOf(item: ScoringItem): number | null {
  return item.label == null ? null : Number(labelOf(item) === item.label);
}

/**
 * LogLLM-style anomaly classification: normal vs anomalous per sample, scored like scikit-learn with
 * `anomalous` as the positive class. Rules baseline: anomalous when any message (lines, or LogLLM's
 * ` ;-; ` parts) has a critical rule (metrics/tasks/logRules.ts).
 */
export const classificationTask: TaskDefinition = {
  name: 'classification',
  description: 'normal vs anomalous per sample (LogLLM); accuracy, P/R/F1 of anomalous, macro F1',
  needs: 'label',
  figures: ['answer_parse_rate', 'accuracy', 'precision', 'recall', 'f1', 'macro_f1'].map(rate),
  sampleFigures: [rate('correct')],
  defaultMetrics: ['classification'],
  scoreSample: (item) => ({ label: labelOf(item), values: { correct: correctOf(item) } }),
  corpus: (items) => {
    const n = items.length;
    const truth = items.map((i) => i.label ?? '');
    // A failed or unreadable answer is wrong and never a detection: the same rule as the per-sample
    // `correct` and the TP/FP/FN columns that intervals and paired tests resample.
    const predicted = items.map(labelOf);
    const figures = [{ name: 'answer_parse_rate', value: n ? predicted.filter((label) => label !== null).length / n : 0, n }];
    if (n === 0) return figures;
    const { report, positive } = anomalyReport(truth, predicted);
    return [
      ...figures,
      { name: 'accuracy', value: report.accuracy, n },
      { name: 'precision', value: positive.precision, n },
      { name: 'recall', value: positive.recall, n },
      { name: 'f1', value: positive.f1, n },
      { name: 'macro_f1', value: report.macro.f1, n },
    ];
  },
  statistics: (items, scored) => {
    const truth = items.map((i) => i.label === ANOMALY_POSITIVE_LABEL);
    const { tp, fp, fn } = indicatorColumns(truth, scored.map((s) => s.label === ANOMALY_POSITIVE_LABEL));
    return {
      accuracy: definedMean(scored.map((s) => s.values['correct'])),
      precision: countsStatistic(tp, fp, fn, 'precision'),
      recall: countsStatistic(tp, fp, fn, 'recall'),
      f1: countsStatistic(tp, fp, fn, 'f1'),
    };
  },
  pairedTests: {
    // Exact McNemar on the per-sample right/wrong of both runs.
    accuracy: (candidate, baseline, settings) => accuracyDifference(candidate.map((i) => correctOf(i) === 1), baseline.map((i) => correctOf(i) === 1), settings),
  },
  rulesAnswer: (input) => {
    const messages = input.split(LOGLLM_SEPARATOR).flatMap(inputLines);
    return { label: rateLines(messages).some((line) => line.rule.severity === 'critical') ? 'anomalous' : 'normal' };
  },
};
