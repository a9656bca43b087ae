/**
 * The whole text-metric set for one prediction against its reference(s), and a streaming corpus
 * accumulator: what `logbench metrics` prints and what the harness stores per sample.
 */
import {
  BLEU_MAX_ORDER,
  chooseReferenceLength,
  hfAndSacrebleuSegmentStats,
  hfBleuFromStats,
  sacrebleuFromStats,
  type BleuSegmentStats,
  type HfBleuResult,
  type ReferenceLengthRule,
  type SacrebleuScore,
} from './bleu/index.js';
import { chrfFromStatistics, chrfPairStatistics } from './chrf.js';
import { fuzzRatio, levenshteinDistance, levenshteinRatio, normalizedLevenshteinSimilarity } from './fuzzy.js';
import { fsum, rougeScore, rougeScoreMulti, type RougeScore, type SentenceSplitter } from './rouge/index.js';

export const TEXT_ROUGE_TYPES = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;
export type TextRougeType = (typeof TEXT_ROUGE_TYPES)[number];

export interface TextMetricOptions {
  /** rouge_score `use_stemmer`. */
  stem?: boolean;
  /** Lsum sentences; newline split when absent. */
  sentenceSplitter?: SentenceSplitter;
  /** Levenshtein distance and ratios: a second pass over the characters, skipped where not needed. */
  levenshtein?: boolean;
  /** sacreBLEU chrF and chrF++ (their own n-gram counts, skipped where not needed). */
  chrf?: boolean;
}

export interface LevenshteinFigures {
  distance: number;
  ratio: number;
  normalizedSimilarity: number;
}

export interface PairTextScores {
  /** thefuzz `fuzz.ratio` / 100. */
  fuzzy: number;
  /** thefuzz `fuzz.ratio` as it prints it (0–100 integer). */
  fuzzRatio: number;
  levenshtein?: LevenshteinFigures;
  rouge: Record<TextRougeType, RougeScore>;
  /** HF evaluate BLEU of this pair alone. */
  bleu: HfBleuResult;
  /** sacreBLEU `sentence_bleu` (effective order). */
  sacrebleu: SacrebleuScore;
  /** sacreBLEU `CHRF().sentence_score` and `CHRF(word_order=2)`'s (0–100). */
  chrf?: number;
  chrfpp?: number;
}

export interface PairTextResult {
  scores: PairTextScores;
  /** Per-segment BLEU statistics, for corpus BLEU and bootstrap resampling. */
  hfStats: BleuSegmentStats;
  sacrebleuStats: BleuSegmentStats;
  /** chrF / chrF++ segment statistics, when asked for. */
  chrfStats?: { chrf: number[]; chrfpp: number[] };
}

/**
 * Fuzzy and Levenshtein figures compare the prediction with the first reference (thefuzz and
 * python-Levenshtein take one string); ROUGE takes the best reference (rouge_score `score_multi`),
 * BLEU all of them.
 */
export function scoreTextPair(prediction: string, references: readonly string[], options: TextMetricOptions = {}): PairTextResult {
  const first = references[0];
  if (first === undefined) throw new RangeError('a text pair needs at least one reference');
  const rougeOptions = {
    types: TEXT_ROUGE_TYPES,
    ...(options.stem !== undefined && { stem: options.stem }),
    ...(options.sentenceSplitter !== undefined && { sentenceSplitter: options.sentenceSplitter }),
  };
  const rouge = references.length === 1 ? rougeScore(prediction, first, rougeOptions) : rougeScoreMulti(prediction, references, rougeOptions);
  const segment = hfAndSacrebleuSegmentStats([prediction], [references]);
  const hfStats = segment.hf[0] as BleuSegmentStats;
  const sacrebleuStats = segment.sacrebleu[0] as BleuSegmentStats;
  const ratio = fuzzRatio(prediction, first);
  const scores: PairTextScores = {
    fuzzy: ratio / 100,
    fuzzRatio: ratio,
    rouge,
    bleu: hfBleuFromStats([hfStats]),
    sacrebleu: sacrebleuFromStats([sacrebleuStats], { effectiveOrder: true }),
  };
  if (options.levenshtein) {
    scores.levenshtein = {
      distance: levenshteinDistance(prediction, first),
      ratio: levenshteinRatio(prediction, first),
      normalizedSimilarity: normalizedLevenshteinSimilarity(prediction, first),
    };
  }
  if (!options.chrf) return { scores, hfStats, sacrebleuStats };
  const chrfStats = chrfPairStatistics(prediction, references);
  scores.chrf = chrfFromStatistics(chrfStats.chrf);
  scores.chrfpp = chrfFromStatistics(chrfStats.chrfpp);
  return { scores, hfStats, sacrebleuStats, chrfStats };
}

/** A growable Float64Array: per-pair values kept compactly so corpus means can be summed exactly. */
class FloatColumn {
  private values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

/** Exactly rounded mean (math.fsum / n), as the golden HF rouge `mean_fmeasure` is computed. */
export function exactMean(values: ArrayLike<number> & Iterable<number>): number {
  return values.length === 0 ? 0 : fsum(values) / values.length;
}

export interface TextCorpusScores {
  n: number;
  bleu: HfBleuResult;
  sacrebleu: SacrebleuScore;
  /** HF evaluate "rouge": the mean of per-pair F-measures (its deterministic value, not the bootstrap median). */
  rouge: Record<TextRougeType, number>;
  /** Mean of per-pair fuzzy match. */
  fuzzy: number;
  /** Corpus chrF and chrF++ (summed statistics), when the pairs carried them. */
  chrf?: number;
  chrfpp?: number;
}

/**
 * Corpus figures over pairs added one at a time: BLEU statistics are summed as they arrive and
 * per-pair F-measures kept in typed columns, so memory grows by a few numbers per pair.
 */
export class TextCorpusAccumulator {
  private readonly hfTotals = new SegmentStatsSum('shortest');
  private readonly sacreTotals = new SegmentStatsSum('closest');
  private readonly rouge = Object.fromEntries(TEXT_ROUGE_TYPES.map((t) => [t, new FloatColumn()])) as Record<TextRougeType, FloatColumn>;
  private readonly fuzzy = new FloatColumn();
  private chrfSums: Float64Array | undefined;
  private chrfppSums: Float64Array | undefined;

  add(result: PairTextResult): void {
    this.addParts(result.hfStats, result.sacrebleuStats, TEXT_ROUGE_TYPES.map((t) => result.scores.rouge[t].fmeasure), result.scores.fuzzy, result.chrfStats);
  }

  /** The same from the parts a worker thread sends back (F-measures in TEXT_ROUGE_TYPES order). */
  addParts(hfStats: BleuSegmentStats, sacrebleuStats: BleuSegmentStats, rougeF: ArrayLike<number>, fuzzy: number, chrfStats?: { chrf: ArrayLike<number>; chrfpp: ArrayLike<number> }): void {
    if (chrfStats) {
      this.chrfSums = addInto(this.chrfSums, chrfStats.chrf);
      this.chrfppSums = addInto(this.chrfppSums, chrfStats.chrfpp);
    }
    this.hfTotals.add(hfStats);
    this.sacreTotals.add(sacrebleuStats);
    TEXT_ROUGE_TYPES.forEach((type, i) => this.rouge[type].push(rougeF[i] as number));
    this.fuzzy.push(fuzzy);
  }

  result(): TextCorpusScores {
    return {
      n: this.fuzzy.length,
      bleu: hfBleuFromStats(this.hfTotals.asSegments()),
      sacrebleu: sacrebleuFromStats(this.sacreTotals.asSegments(), { effectiveOrder: false }),
      rouge: Object.fromEntries(TEXT_ROUGE_TYPES.map((t) => [t, exactMean(this.rouge[t].view())])) as Record<TextRougeType, number>,
      fuzzy: exactMean(this.fuzzy.view()),
      ...(this.chrfSums && { chrf: chrfFromStatistics(this.chrfSums) }),
      ...(this.chrfppSums && { chrfpp: chrfFromStatistics(this.chrfppSums) }),
    };
  }
}

/** Element-wise running sum (sacreBLEU `sum_of_lists`), allocated on the first add. */
function addInto(sums: Float64Array | undefined, values: ArrayLike<number>): Float64Array {
  const out = sums ?? new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) out[k]! += values[k]!;
  return out;
}

/**
 * Running sums of segment statistics. The reference length is chosen per segment (HF: shortest,
 * sacreBLEU: closest), so it is reduced at add time and the sums replayed as one segment.
 */
export class SegmentStatsSum {
  private readonly matches = new Array<number>(BLEU_MAX_ORDER).fill(0);
  private readonly totals = new Array<number>(BLEU_MAX_ORDER).fill(0);
  private hypLen = 0;
  private refLen = 0;

  constructor(private readonly rule: ReferenceLengthRule) {}

  add(stats: BleuSegmentStats): void {
    for (let n = 0; n < BLEU_MAX_ORDER; n++) {
      this.matches[n]! += stats.matches[n] ?? 0;
      this.totals[n]! += stats.totals[n] ?? 0;
    }
    this.hypLen += stats.hypLen;
    this.refLen += chooseReferenceLength(stats.hypLen, stats.refLens, this.rule);
  }

  asSegments(): BleuSegmentStats[] {
    return [{ matches: this.matches, totals: this.totals, hypLen: this.hypLen, refLens: [this.refLen] }];
  }
}
