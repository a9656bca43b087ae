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
 * `anomalyLabelCorpus` then scores `null` as `normal`, as LogLLM does, and reports the parse rate.
 */
import { classificationReport, type ClassificationReport } from '../classification.js';

export type AnomalyLabel = 'normal' | 'anomalous';

/** The positive class for precision/recall/F1, as in LogLLM (`pos_label=1` for anomalous). */
export const ANOMALY_POSITIVE_LABEL: AnomalyLabel = 'anomalous';

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
  /** Classification report with positive label `anomalous`; unparsable answers count as `normal`. */
  report: ClassificationReport;
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
    report: classificationReport(
      pairs.map(({ reference }) => reference),
      predicted.map((label) => label ?? 'normal'),
      { positiveLabel: ANOMALY_POSITIVE_LABEL },
    ),
  };
}
