/**
 * ALSATE cause/remediation answers (k-arthik-r/ALSATE): `Cause - <text>\nRemediation - <text>`.
 * ALSATE's app (`main.py`, `extract_cause_and_remediation`) drops one literal `\n` (backslash, n)
 * after the cause, then takes `Cause\s*-\s*(.*?)` up to `Remediation` and `Remediation\s*-\s*(.*?)$`.
 * Deviations, mainly so that multi-line answers (the numbered remediation steps of ALSATE's own
 * training example) are not lost:
 * - every literal `\n` is read as a line break, not only the first one after the cause;
 * - parts may span lines (Python's `.` stops at a newline, so ALSATE finds no multi-line remediation);
 * - the markers are case-insensitive whole words (`because -` is not a cause);
 * - the cause ends at the first `Remediation -`, not at any word `Remediation`.
 * A part that is missing or empty after trimming is `null`; the answer is parsed when both exist.
 */

import { rate, type ScoringItem, type TaskDefinition } from '../definition.js';
import { rougeScore } from '../rouge/index.js';
import { definedMean, meanOfDefined } from '../statistics/index.js';
import { CAUSE_EXCERPT_CHARS, inputLines, rateLines } from './logRules.js';

const CAUSE = /\bCause\s*-\s*([\s\S]*?)(?=\s*\bRemediation\s*-|$)/i;
const REMEDIATION = /\bRemediation\s*-\s*([\s\S]*)$/i;

export interface CauseRemediationParse {
  parsed: boolean;
  cause: string | null;
  remediation: string | null;
}

function nonEmpty(match: RegExpExecArray | null): string | null {
  const text = match?.[1]?.trim() ?? '';
  return text === '' ? null : text;
}

/** Splits an answer into its cause and remediation parts, for per-part ROUGE. */
export function parseCauseRemediation(text: string): CauseRemediationParse {
  const lines = text.replaceAll('\\n', '\n');
  const cause = nonEmpty(CAUSE.exec(lines));
  const remediation = nonEmpty(REMEDIATION.exec(lines));
  return { parsed: cause !== null && remediation !== null, cause, remediation };
}

export interface CauseRemediationCorpus {
  n: number;
  /** Share of answers with both parts. */
  parseRate: number;
  causeRate: number;
  remediationRate: number;
}

export function causeRemediationCorpus(predictions: readonly string[]): CauseRemediationCorpus {
  if (predictions.length === 0) throw new RangeError('causeRemediationCorpus needs at least one prediction');
  const parses = predictions.map(parseCauseRemediation);
  const rate = (has: (parse: CauseRemediationParse) => boolean) =>
    parses.filter(has).length / predictions.length;
  return {
    n: predictions.length,
    parseRate: rate((p) => p.parsed),
    causeRate: rate((p) => p.cause !== null),
    remediationRate: rate((p) => p.remediation !== null),
  };
}

const rougeLOf = (predicted: string | null, wanted: string | null): number | null =>
  wanted == null ? null : rougeScore(predicted ?? '', wanted, { types: ['rougeL'] }).rougeL.fmeasure;

const OWN_VALUES = ['cr_parsed', 'cause_rougeL', 'remediation_rougeL'];

/**
 * ALSATE's `Cause - …\nRemediation - …` answers: how often both parts are there, and each part's
 * ROUGE-L against the reference's part (where the reference has it). Rules baseline: the first
 * critical (else warning) line's rule and excerpt as the cause, that rule's advice as the remedy.
 */
export const causeRemediationTask: TaskDefinition = {
  name: 'cause-remediation',
  description: "ALSATE's Cause - / Remediation - answers: parse rate and per-part ROUGE-L",
  needs: 'reference',
  figures: OWN_VALUES.map(rate),
  sampleFigures: OWN_VALUES.map(rate),
  defaultMetrics: ['cause-remediation', 'rouge', 'bleu', 'fuzzy'],
  scoreSample: (item: ScoringItem) => {
    const predicted = parseCauseRemediation(item.output ?? '');
    const wanted = parseCauseRemediation(item.reference ?? '');
    return {
      // Per-part ROUGE only where the reference itself has that part.
      values: { cr_parsed: Number(predicted.parsed), cause_rougeL: rougeLOf(predicted.cause, wanted.cause), remediation_rougeL: rougeLOf(predicted.remediation, wanted.remediation) },
      parsed: { parsed: predicted.parsed, cause: predicted.cause, remediation: predicted.remediation },
    };
  },
  corpus: (_items, scored) => OWN_VALUES.map((name) => ({ name, ...meanOfDefined(scored.map((s) => s.values[name])) })),
  statistics: (_items, scored) => Object.fromEntries(OWN_VALUES.map((name) => [name, definedMean(scored.map((s) => s.values[name]))])),
  rulesAnswer: (input) => {
    const rated = rateLines(inputLines(input));
    const first = rated.find((line) => line.rule.severity === 'critical') ?? rated[0];
    if (first === undefined) return { text: 'Cause - No error or warning keyword found; the message looks informational.\nRemediation - No action needed.' };
    const excerpt = first.text.length > CAUSE_EXCERPT_CHARS ? `${first.text.slice(0, CAUSE_EXCERPT_CHARS)}…` : first.text;
    return { text: `Cause - ${first.rule.name}: ${excerpt}\nRemediation - ${first.rule.advice}` };
  },
};
