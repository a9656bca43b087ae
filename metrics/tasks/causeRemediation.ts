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
