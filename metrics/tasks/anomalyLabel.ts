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
