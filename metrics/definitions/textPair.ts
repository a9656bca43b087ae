/** The per-sample work several text metrics share: computed once per sample, whichever of them a suite lists. */
import { hfAndSacrebleuSegmentStats, type BleuSegmentStats } from '../bleu/index.js';
import type { TextPair } from '../definition.js';

/** BLEU and sacreBLEU segment statistics of one pair: one tokenization for both. */
export function bleuSegments(pair: TextPair): { hf: BleuSegmentStats; sacrebleu: BleuSegmentStats } {
  return pair.shared('bleu-segments', () => {
    const segment = hfAndSacrebleuSegmentStats([pair.output], [pair.references]);
    return { hf: segment.hf[0] as BleuSegmentStats, sacrebleu: segment.sacrebleu[0] as BleuSegmentStats };
  });
}

/** The reference fuzzy match and Levenshtein compare against: thefuzz and python-Levenshtein take one string. */
export function firstReference(pair: TextPair): string {
  const first = pair.references[0];
  if (first === undefined) throw new RangeError('a text pair needs at least one reference');
  return first;
}
