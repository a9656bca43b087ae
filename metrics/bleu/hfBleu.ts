/**
 * HF evaluate's "bleu" metric: `Bleu._compute` = 13a tokens (no rstrip) fed to tensorflow/nmt
 * `compute_bleu` (nmt/scripts/bleu.py, vendored as metrics/bleu/nmt_bleu.py), on a 0–1 scale.
 */
import { BLEU_MAX_ORDER, corpusSegmentStats, sumSegmentStats, type BleuSegmentStats } from './stats.js';

export interface HfBleuOptions {
  /** Lin & Och (2004) add-one smoothing of every order's precision (nmt `smooth=True`). */
  readonly smooth?: boolean;
}

/**
 * Why nmt `compute_bleu` has no value: the evaluate revision our golden files pin raises
 * ZeroDivisionError in `translation_length / reference_length` ('empty reference': the summed
 * shortest reference length is 0) or in `1. / ratio` ('empty translation': no hypothesis token).
 */
export type HfBleuUndefinedReason = 'empty reference' | 'empty translation';

export interface HfBleuResult {
  readonly bleu: number;
  /** Index n-1: matches / possible matches of order n (smoothed: (m + 1) / (p + 1)). */
  readonly precisions: readonly number[];
  readonly brevityPenalty: number;
  /** translationLength / referenceLength. */
  readonly lengthRatio: number;
  readonly translationLength: number;
  /** Sum over segments of the shortest reference length. */
  readonly referenceLength: number;
  /** Present only where Python raises; then bleu, brevityPenalty and lengthRatio are 0. */
  readonly undefinedReason?: HfBleuUndefinedReason;
}

/**
 * nmt `compute_bleu` from segment statistics. Where the pinned Python raises ZeroDivisionError we
 * return bleu = brevityPenalty = lengthRatio = 0 with `undefinedReason` set, which is also what
 * later evaluate revisions return (they guard `reference_length == 0 or translation_length == 0`).
 * An empty corpus (Python: IndexError) reads as 'empty reference'.
 */
export function hfBleuFromStats(stats: readonly BleuSegmentStats[], options: HfBleuOptions = {}): HfBleuResult {
  const corpus = sumSegmentStats(stats, 'shortest');
  const precisions = corpus.matches.map((matches, n) => {
    const possible = corpus.totals[n] ?? 0;
    if (options.smooth) return (matches + 1) / (possible + 1);
    return possible > 0 ? matches / possible : 0;
  });
  // nmt: p_log_sum = sum((1. / max_order) * math.log(p) for p in precisions), summed left to right.
  const geoMean =
    Math.min(...precisions) > 0
      ? Math.exp(precisions.reduce((logSum, p) => logSum + (1 / BLEU_MAX_ORDER) * Math.log(p), 0))
      : 0;
  const lengths = { translationLength: corpus.hypLen, referenceLength: corpus.refLen };
  const undefinedReason: HfBleuUndefinedReason | undefined =
    corpus.refLen === 0 ? 'empty reference' : corpus.hypLen === 0 ? 'empty translation' : undefined;
  if (undefinedReason) return { bleu: 0, precisions, brevityPenalty: 0, lengthRatio: 0, ...lengths, undefinedReason };
  const ratio = corpus.hypLen / corpus.refLen;
  // nmt: bp = 1. if ratio > 1.0 else math.exp(1 - 1. / ratio)
  const brevityPenalty = ratio > 1 ? 1 : Math.exp(1 - 1 / ratio);
  return { bleu: geoMean * brevityPenalty, precisions, brevityPenalty, lengthRatio: ratio, ...lengths };
}

/** HF `evaluate.load('bleu').compute(predictions, references)`; `references[i]` lists every reference of `predictions[i]`. */
export function hfBleuCorpus(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  options: HfBleuOptions = {},
): HfBleuResult {
  return hfBleuFromStats(corpusSegmentStats(predictions, references, 'hf'), options);
}
