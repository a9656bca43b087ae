import type { HfBleuResult, SacrebleuScore } from '../metrics/bleu/index.js';
import type { PairTextScores, TextCorpusScores } from '../metrics/textMetrics.js';

/** One line of `logbench metrics --pairs`: one reference, or several (never both), as `checkTextPairLine` admits it. */
export type TextPairLine = { prediction: string; reference: string } | { prediction: string; references: string[] };

export function referencesOf(line: TextPairLine): string[] {
  return 'references' in line ? line.references : [line.reference];
}

/**
 * Checks one raw line, without zod for speed on large files (the validation pass and every worker
 * see each line), with messages naming the field.
 */
export function checkTextPairLine(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'expected a JSON object';
  const line = raw as Record<string, unknown>;
  if (typeof line.prediction !== 'string') return `field "prediction": expected a string, got ${typeName(line.prediction)}`;
  // Which one would be scored is a guess either way: refuse rather than drop one silently.
  if ('references' in line && 'reference' in line) return 'fields "reference" and "references": give one of them, not both';
  if ('references' in line) {
    if (!Array.isArray(line.references) || line.references.length === 0) return 'field "references": expected a non-empty array of strings';
    const bad = line.references.findIndex((r) => typeof r !== 'string');
    if (bad >= 0) return `field "references.${bad}": expected a string, got ${typeName(line.references[bad])}`;
    return undefined;
  }
  if (typeof line.reference !== 'string') return `field "reference": expected a string, got ${typeName(line.reference)}`;
  return undefined;
}

function typeName(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** HF evaluate's field names, so the output reads like the Python dict it mirrors. */
export function hfBleuJson(bleu: HfBleuResult): Record<string, unknown> {
  return {
    bleu: bleu.bleu,
    precisions: bleu.precisions,
    brevity_penalty: bleu.brevityPenalty,
    length_ratio: bleu.lengthRatio,
    translation_length: bleu.translationLength,
    reference_length: bleu.referenceLength,
    ...(bleu.undefinedReason !== undefined && { undefined_reason: bleu.undefinedReason }),
  };
}

/** sacreBLEU `BLEUScore` attribute names. */
export function sacrebleuJson(score: SacrebleuScore): Record<string, unknown> {
  return { score: score.score, counts: score.counts, totals: score.totals, precisions: score.precisions, bp: score.bp, sys_len: score.sysLen, ref_len: score.refLen };
}

/** One element of the output's `pairs` array (DESIGN §3 contract plus the extra figures). */
export function pairJson(scores: PairTextScores): string {
  return JSON.stringify({
    fuzzy: scores.fuzzy,
    fuzz_ratio: scores.fuzzRatio,
    ...(scores.levenshtein && {
      levenshtein: scores.levenshtein.distance,
      levenshtein_ratio: scores.levenshtein.ratio,
      levenshtein_normalized_similarity: scores.levenshtein.normalizedSimilarity,
    }),
    rouge1: scores.rouge.rouge1,
    rouge2: scores.rouge.rouge2,
    rougeL: scores.rouge.rougeL,
    rougeLsum: scores.rouge.rougeLsum,
    bleu: hfBleuJson(scores.bleu),
    sacrebleu: sacrebleuJson(scores.sacrebleu),
    ...(scores.chrf !== undefined && { chrf: scores.chrf, chrfpp: scores.chrfpp }),
  });
}

export function corpusJson(corpus: TextCorpusScores): Record<string, unknown> {
  return {
    n: corpus.n,
    bleu: hfBleuJson(corpus.bleu),
    sacrebleu: sacrebleuJson(corpus.sacrebleu),
    ...corpus.rouge,
    fuzzy: corpus.fuzzy,
    ...(corpus.chrf !== undefined && { chrf: corpus.chrf, chrfpp: corpus.chrfpp }),
  };
}
