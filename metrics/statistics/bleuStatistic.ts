/**
 * Corpus BLEU as a `SummedStatistic`: a resample's BLEU is the BLEU of its segments' summed counts,
 * so a bootstrap re-sums ten numbers per segment instead of re-tokenizing (sacreBLEU's paired
 * bootstrap works the same way). Each segment's reference length is chosen once, by the rule of the
 * BLEU in question, since that choice depends on the segment alone.
 */
import {
  BLEU_MAX_ORDER,
  chooseReferenceLength,
  hfBleuFromStats,
  sacrebleuFromStats,
  type BleuSegmentStats,
  type HfBleuOptions,
  type ReferenceLengthRule,
} from '../bleu/index.js';
import type { SummedStatistic } from './bootstrap.js';

/** Column layout: matches of orders 1..4, totals of orders 1..4, hypothesis length, chosen reference length. */
const TOTALS_OFFSET = BLEU_MAX_ORDER;
const HYPOTHESIS_LENGTH = 2 * BLEU_MAX_ORDER;
const REFERENCE_LENGTH = HYPOTHESIS_LENGTH + 1;
const BLEU_COLUMNS = REFERENCE_LENGTH + 1;

function bleuColumns(stats: readonly BleuSegmentStats[], rule: ReferenceLengthRule): Float64Array[] {
  const columns = Array.from({ length: BLEU_COLUMNS }, () => new Float64Array(stats.length));
  stats.forEach((segment, i) => {
    for (let n = 0; n < BLEU_MAX_ORDER; n++) {
      columns[n]![i] = segment.matches[n] ?? 0;
      columns[TOTALS_OFFSET + n]![i] = segment.totals[n] ?? 0;
    }
    columns[HYPOTHESIS_LENGTH]![i] = segment.hypLen;
    columns[REFERENCE_LENGTH]![i] = chooseReferenceLength(segment.hypLen, segment.refLens, rule);
  });
  return columns;
}

/** Summed counts as one segment with one reference: `*FromStats` of it equals `*FromStats` of all the segments summed. */
function summedSegment(sums: Float64Array): BleuSegmentStats {
  // Plain loops: subarray + Array.from cost more than the BLEU formula itself, 10,000 times per bootstrap.
  const matches = new Array<number>(BLEU_MAX_ORDER);
  const totals = new Array<number>(BLEU_MAX_ORDER);
  for (let n = 0; n < BLEU_MAX_ORDER; n++) {
    matches[n] = sums[n]!;
    totals[n] = sums[TOTALS_OFFSET + n]!;
  }
  return { matches, totals, hypLen: sums[HYPOTHESIS_LENGTH]!, refLens: [sums[REFERENCE_LENGTH]!] };
}

/** HF evaluate corpus BLEU (0–1, `hfBleuFromStats(...).bleu`) over the HF segment statistics. */
export function hfBleuStatistic(stats: readonly BleuSegmentStats[], options: HfBleuOptions = {}): SummedStatistic {
  return {
    columns: bleuColumns(stats, 'shortest'),
    finalize: (sums) => hfBleuFromStats([summedSegment(sums)], options).bleu,
  };
}

/** sacreBLEU `corpus_bleu` score (0–100, `sacrebleuFromStats(...).score`) over the sacreBLEU segment statistics. */
export function sacrebleuStatistic(stats: readonly BleuSegmentStats[]): SummedStatistic {
  return {
    columns: bleuColumns(stats, 'closest'),
    finalize: (sums) => sacrebleuFromStats([summedSegment(sums)], { effectiveOrder: false }).score,
  };
}
