/**
 * nltk 3.8 `nltk.translate.bleu_score.corpus_bleu` on token lists with its defaults: weights
 * (0.25, 0.25, 0.25, 0.25), no smoothing (SmoothingFunction.method0), closest reference length.
 */
// math.fsum lives with ROUGE, whose mean-of-F figures needed it first.
import { fsum } from '../rouge/index.js';
import { BLEU_MAX_ORDER, bleuSegmentStats, chooseReferenceLength, type BleuSegmentStats } from './stats.js';

/** method0 replaces a zero precision by `sys.float_info.min`, so the score is tiny rather than 0. */
const PYTHON_FLOAT_MIN = 2.2250738585072014e-308;

/**
 * nltk `corpus_bleu` from segment statistics. nltk's per-segment `modified_precision` denominator
 * is max(1, hypothesis n-grams), so the corpus precision differs from sacreBLEU's for short segments.
 * An empty corpus returns 0 (nltk raises ZeroDivisionError building Fraction(0, 0)).
 */
export function nltkCorpusBleuFromStats(stats: readonly BleuSegmentStats[]): number {
  const numerators = new Array<number>(BLEU_MAX_ORDER).fill(0);
  const denominators = new Array<number>(BLEU_MAX_ORDER).fill(0);
  let hypLength = 0;
  let refLength = 0;
  for (const segment of stats) {
    for (let n = 0; n < BLEU_MAX_ORDER; n++) {
      numerators[n] = (numerators[n] ?? 0) + (segment.matches[n] ?? 0);
      denominators[n] = (denominators[n] ?? 0) + Math.max(1, segment.totals[n] ?? 0);
    }
    hypLength += segment.hypLen;
    refLength += chooseReferenceLength(segment.hypLen, segment.refLens, 'closest');
  }
  if ((numerators[0] ?? 0) === 0) return 0;
  // nltk brevity_penalty(closest_ref_len, hyp_len)
  const brevityPenalty = hypLength > refLength ? 1 : hypLength === 0 ? 0 : Math.exp(1 - refLength / hypLength);
  // float(Fraction(num, den)) is num / den correctly rounded, as is JS division of safe integers.
  const logTerms = numerators.map((numerator, n) => {
    const precision = numerator !== 0 ? numerator / (denominators[n] ?? 1) : PYTHON_FLOAT_MIN;
    return (1 / BLEU_MAX_ORDER) * Math.log(precision);
  });
  return brevityPenalty * Math.exp(fsum(logTerms));
}

/** nltk `corpus_bleu(list_of_references, hypotheses)` on already tokenized text. */
export function nltkCorpusBleu(
  listOfReferences: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
): number {
  if (listOfReferences.length !== hypotheses.length) {
    throw new RangeError('The number of hypotheses and their reference(s) should be the same');
  }
  return nltkCorpusBleuFromStats(hypotheses.map((hypothesis, i) => bleuSegmentStats(hypothesis, listOfReferences[i] ?? [])));
}
