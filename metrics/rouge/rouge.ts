/**
 * ROUGE-N / ROUGE-L / ROUGE-Lsum with exact parity to Google `rouge_score` 0.1.2
 * (`rouge_scorer.py`, `scoring.py`), and the HF `evaluate` "rouge" mean of per-pair F-measures.
 *
 * Speed: each pair is tokenized once and its tokens interned to small integer ids shared by all
 * types; n-grams are counted by id, ROUGE-L and ROUGE-Lsum use the bit-parallel LCS of `lcs.ts`.
 * Scratch buffers live at module level and are reused between calls (single-threaded, no
 * re-entrancy: a custom sentence splitter runs before any buffer is used).
 */
import { fsum } from './fsum.js';
import { lcsLength, markUnionLcs, type SegmentedIds } from './lcs.js';
import { rougeTokenInterner, type RougeTokenInterner, type TokenSink } from './tokenize.js';

type RougeNDigit = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
export type RougeNType = `rouge${RougeNDigit}`;
export type RougeType = RougeNType | 'rougeL' | 'rougeLsum';

export const DEFAULT_ROUGE_TYPES = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;
export type DefaultRougeType = (typeof DEFAULT_ROUGE_TYPES)[number];

/** rouge_score `scoring.Score`. */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

export type RougeScores<T extends RougeType = DefaultRougeType> = Record<T, RougeScore>;

/** The raw counts behind one score: matched units and the prediction / reference totals they divide. */
export interface RougeCounts {
  /** Overlapping n-grams (ROUGE-N), LCS length (ROUGE-L) or de-duplicated union-LCS hits (ROUGE-Lsum). */
  hits: number;
  /** Prediction n-grams (ROUGE-N) or tokens (ROUGE-L, ROUGE-Lsum). */
  predictionTotal: number;
  /** Reference n-grams (ROUGE-N) or tokens (ROUGE-L, ROUGE-Lsum). */
  referenceTotal: number;
}

/** Splits a text into the sentences ROUGE-Lsum compares; empty strings are dropped afterwards. */
export type SentenceSplitter = (text: string) => string[];

export interface RougeOptions<T extends RougeType = DefaultRougeType> {
  /** Porter-stem tokens longer than 3 chars (rouge_score `use_stemmer`). Default false. */
  stem?: boolean;
  /** Default: rouge1, rouge2, rougeL, rougeLsum. */
  types?: readonly T[];
  /** ROUGE-Lsum sentences; default `text.split('\n')` as rouge_score does without `split_summaries`. */
  sentenceSplitter?: SentenceSplitter;
}

// ---------------------------------------------------------------------------------------------
// Scratch state

/** Token ids of one text, cut into its non-empty sentences. */
class TokenizedText implements TokenSink, SegmentedIds {
  ids: Int32Array = new Int32Array(256);
  length = 0;
  /** Exclusive end of each non-empty sentence; sentence k is [sentenceEnds[k-1] ?? 0, sentenceEnds[k]). */
  readonly sentenceEnds: number[] = [];

  reset(): void {
    this.length = 0;
    this.sentenceEnds.length = 0;
  }

  push(id: number): void {
    if (this.length === this.ids.length) this.ids = grownInt32(this.ids, this.length + 1);
    this.ids[this.length++] = id;
  }

  endLine(): void {
    if (this.length > (this.sentenceEnds.at(-1) ?? 0)) this.sentenceEnds.push(this.length);
  }
}

function grownInt32(buffer: Int32Array, size: number): Int32Array {
  const grown = new Int32Array(Math.max(size, buffer.length * 2));
  grown.set(buffer);
  return grown;
}

const referenceText = new TokenizedText();
const predictionText = new TokenizedText();
const referenceSentences = new TokenizedText();
const predictionSentences = new TokenizedText();

// Counts indexed by token (or gram) id; all zero between calls.
let countsA = new Int32Array(256);
let countsB = new Int32Array(256);
let referenceMarks = new Uint8Array(256);
let gramsA = new Int32Array(256);
let gramsB = new Int32Array(256);
// Open-addressing table numbering (gram id, token id) pairs; the first `pairTableSize` slots are live.
const NO_PAIR = -1;
let pairGram = new Int32Array(1024);
let pairToken = new Int32Array(1024);
let pairId = new Int32Array(1024).fill(NO_PAIR);
let pairTableSize = 0;
let pairCount = 0;

function ensureCountCapacity(size: number): void {
  if (countsA.length < size) {
    countsA = new Int32Array(Math.max(size, countsA.length * 2));
    countsB = new Int32Array(countsA.length);
  }
}

/** Whole-text tokens, with sentences = the non-empty lines of `text.split('\n')`. */
function tokenizeByLines(interner: RougeTokenInterner, text: string, into: TokenizedText): void {
  into.reset();
  interner.scan(text, into);
  into.endLine();
}

/** Tokens of each sentence, one sentence each; the sentences' own newlines do not split them. */
function tokenizeSentences(interner: RougeTokenInterner, sentences: readonly string[], into: TokenizedText): void {
  into.reset();
  const withinSentence: TokenSink = { push: (id) => into.push(id), endLine: () => undefined };
  for (const sentence of sentences) {
    if (sentence.length === 0) continue;
    interner.scan(sentence, withinSentence);
    into.endLine();
  }
}

// ---------------------------------------------------------------------------------------------
// ROUGE-N: `_create_ngrams` + `_score_ngrams`

/** Empties the pair table, sized to keep it at most half full for `pairs` insertions. */
function resetPairTable(pairs: number): void {
  pairTableSize = 1024;
  while (pairTableSize < pairs * 2) pairTableSize *= 2;
  if (pairId.length < pairTableSize) {
    pairGram = new Int32Array(pairTableSize);
    pairToken = new Int32Array(pairTableSize);
    pairId = new Int32Array(pairTableSize);
  }
  pairId.fill(NO_PAIR, 0, pairTableSize);
  pairCount = 0;
}

/**
 * Replaces grams[p] (ids of the (order-1)-grams at p) by ids of the order-grams at p, numbering
 * distinct grams densely across both texts, so n-grams of any order are counted by small integers.
 */
function extendGrams(grams: Int32Array, tokens: Int32Array, count: number, order: number): void {
  const mask = pairTableSize - 1;
  for (let p = 0; p < count; p += 1) {
    const gram = grams[p]!;
    const token = tokens[p + order - 1]!;
    const hash = Math.imul(gram ^ Math.imul(token, 0x9e3779b1), 0x85ebca6b);
    let slot = (hash ^ (hash >>> 16)) & mask;
    while (pairId[slot] !== NO_PAIR && (pairGram[slot] !== gram || pairToken[slot] !== token)) slot = (slot + 1) & mask;
    if (pairId[slot] === NO_PAIR) {
      pairGram[slot] = gram;
      pairToken[slot] = token;
      pairId[slot] = pairCount++;
    }
    grams[p] = pairId[slot]!;
  }
}

/** Sum over n-grams of min(reference count, prediction count), i.e. `_score_ngrams`' intersection. */
function ngramCounts(reference: TokenizedText, prediction: TokenizedText, n: number, vocabularySize: number): RougeCounts {
  const referenceTotal = Math.max(reference.length - n + 1, 0);
  const predictionTotal = Math.max(prediction.length - n + 1, 0);
  if (referenceTotal === 0 || predictionTotal === 0) return { hits: 0, predictionTotal, referenceTotal };

  let referenceGrams = reference.ids;
  let predictionGrams = prediction.ids;
  let gramVocabulary = vocabularySize;
  if (n > 1) {
    if (gramsA.length < reference.length) gramsA = new Int32Array(reference.length * 2);
    if (gramsB.length < prediction.length) gramsB = new Int32Array(prediction.length * 2);
    gramsA.set(reference.ids.subarray(0, referenceTotal));
    gramsB.set(prediction.ids.subarray(0, predictionTotal));
    for (let order = 2; order <= n; order += 1) {
      resetPairTable(referenceTotal + predictionTotal);
      extendGrams(gramsA, reference.ids, referenceTotal, order);
      extendGrams(gramsB, prediction.ids, predictionTotal, order);
      gramVocabulary = pairCount;
    }
    referenceGrams = gramsA;
    predictionGrams = gramsB;
    ensureCountCapacity(gramVocabulary);
  }

  const remaining = countsA;
  for (let p = 0; p < referenceTotal; p += 1) remaining[referenceGrams[p]!]! += 1;
  let hits = 0;
  for (let p = 0; p < predictionTotal; p += 1) {
    const gram = predictionGrams[p]!;
    if (remaining[gram]! > 0) {
      remaining[gram]! -= 1;
      hits += 1;
    }
  }
  for (let p = 0; p < referenceTotal; p += 1) remaining[referenceGrams[p]!] = 0;
  return { hits, predictionTotal, referenceTotal };
}

/** `_score_lcs`: the LCS length of the two whole texts. */
function lcsCounts(reference: TokenizedText, prediction: TokenizedText, vocabularySize: number): RougeCounts {
  const hits = lcsLength(reference.ids, reference.length, prediction.ids, prediction.length, vocabularySize);
  return { hits, predictionTotal: prediction.length, referenceTotal: reference.length };
}

/**
 * `_summary_level_lcs`: for each reference sentence the union of its `lcs_ind` indices against
 * every prediction sentence, then hits counted in reference order while both texts still have
 * that token left (the ROUGE 1.5.5 double-counting guard).
 */
function summaryLevelLcsCounts(reference: TokenizedText, prediction: TokenizedText, vocabularySize: number): RougeCounts {
  const referenceTotal = reference.length;
  const predictionTotal = prediction.length;
  if (referenceTotal === 0 || predictionTotal === 0) return { hits: 0, predictionTotal, referenceTotal };

  if (referenceMarks.length < referenceTotal) referenceMarks = new Uint8Array(referenceTotal * 2);
  referenceMarks.fill(0, 0, referenceTotal);
  markUnionLcs(reference, prediction, vocabularySize, referenceMarks);

  const referenceLeft = countsA;
  const predictionLeft = countsB;
  for (let p = 0; p < referenceTotal; p += 1) referenceLeft[reference.ids[p]!]! += 1;
  for (let p = 0; p < predictionTotal; p += 1) predictionLeft[prediction.ids[p]!]! += 1;
  let hits = 0;
  for (let p = 0; p < referenceTotal; p += 1) {
    if (referenceMarks[p] === 0) continue;
    const token = reference.ids[p]!;
    if (predictionLeft[token]! > 0 && referenceLeft[token]! > 0) {
      hits += 1;
      predictionLeft[token]! -= 1;
      referenceLeft[token]! -= 1;
    }
  }
  for (let p = 0; p < referenceTotal; p += 1) referenceLeft[reference.ids[p]!] = 0;
  for (let p = 0; p < predictionTotal; p += 1) predictionLeft[prediction.ids[p]!] = 0;
  return { hits, predictionTotal, referenceTotal };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** n of a ROUGE-N type, 0 for rougeL / rougeLsum; throws on a name rouge_score rejects. */
function ngramOrder(type: string): number {
  if (type === 'rougeL' || type === 'rougeLsum') return 0;
  const match = /^rouge([1-9])$/.exec(type);
  if (match === null) throw new Error(`Invalid rouge type: ${type}`);
  return Number(match[1]);
}

/**
 * Raw counts per type for `rouge_score.RougeScorer(types, use_stemmer).score(target=reference,
 * prediction=prediction)`; `rougeScore` divides them.
 */
export function rougeCounts<T extends RougeType = DefaultRougeType>(
  prediction: string,
  reference: string,
  options: RougeOptions<T> = {},
): Record<T, RougeCounts> {
  const types: readonly RougeType[] = options.types ?? DEFAULT_ROUGE_TYPES;
  const orders = types.map(ngramOrder);
  const stem = options.stem ?? false;
  const splitter = options.sentenceSplitter;
  const wantsSummary = types.includes('rougeLsum');
  const wantsWholeText = types.some((type) => type !== 'rougeLsum') || (wantsSummary && splitter === undefined);
  // Split first: a user splitter must not run while the scratch buffers are in use.
  const predictionSplit = wantsSummary && splitter !== undefined ? splitter(prediction) : undefined;
  const referenceSplit = wantsSummary && splitter !== undefined ? splitter(reference) : undefined;

  const interner = rougeTokenInterner(stem);
  interner.trim();
  if (wantsWholeText) {
    tokenizeByLines(interner, reference, referenceText);
    tokenizeByLines(interner, prediction, predictionText);
  }
  // Whole-text tokens are exactly the concatenated tokens of the lines ('\n' always separates tokens).
  let referenceSummary = referenceText;
  let predictionSummary = predictionText;
  if (predictionSplit !== undefined && referenceSplit !== undefined) {
    tokenizeSentences(interner, referenceSplit, referenceSentences);
    tokenizeSentences(interner, predictionSplit, predictionSentences);
    referenceSummary = referenceSentences;
    predictionSummary = predictionSentences;
  }
  const vocabularySize = interner.vocabularySize;
  ensureCountCapacity(vocabularySize);

  const result: Partial<Record<RougeType, RougeCounts>> = {};
  types.forEach((type, index) => {
    const order = orders[index] ?? 0;
    if (order > 0) result[type] = ngramCounts(referenceText, predictionText, order, vocabularySize);
    else if (type === 'rougeL') result[type] = lcsCounts(referenceText, predictionText, vocabularySize);
    else result[type] = summaryLevelLcsCounts(referenceSummary, predictionSummary, vocabularySize);
  });
  return result as Record<T, RougeCounts>;
}

/** Precision, recall and F from counts: `_score_ngrams` / `_score_lcs` / `_summary_level_lcs` + `scoring.fmeasure`. */
export function scoreFromCounts({ hits, predictionTotal, referenceTotal }: RougeCounts): RougeScore {
  // rouge_score divides by max(total, 1) for n-grams and returns 0 for an empty side in the LCS
  // types; both give 0 whenever a total is 0 because the hits are 0 then.
  const precision = predictionTotal > 0 ? hits / predictionTotal : 0;
  const recall = referenceTotal > 0 ? hits / referenceTotal : 0;
  // scoring.fmeasure, evaluated in the same order: 2 * p * r / (p + r).
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/** `rouge_score` `RougeScorer(types, use_stemmer).score(target=reference, prediction=prediction)`. */
export function rougeScore<T extends RougeType = DefaultRougeType>(
  prediction: string,
  reference: string,
  options: RougeOptions<T> = {},
): RougeScores<T> {
  const counts = rougeCounts(prediction, reference, options);
  const scores: Partial<Record<T, RougeScore>> = {};
  for (const type of Object.keys(counts) as T[]) scores[type] = scoreFromCounts(counts[type]);
  return scores as RougeScores<T>;
}

/**
 * rouge_score 0.1.2 `score_multi(targets=references, prediction)`: per type, the score against the
 * reference with the highest F-measure (the first one on ties, as `np.argmax`).
 */
export function rougeScoreMulti<T extends RougeType = DefaultRougeType>(
  prediction: string,
  references: readonly string[],
  options: RougeOptions<T> = {},
): RougeScores<T> {
  if (references.length === 0) throw new RangeError('rougeScoreMulti needs at least one reference');
  const perReference = references.map((reference) => rougeScore(prediction, reference, options));
  const best: Partial<Record<T, RougeScore>> = {};
  for (const scores of perReference) {
    for (const type of Object.keys(scores) as T[]) {
      const current = best[type];
      if (current === undefined || scores[type].fmeasure > current.fmeasure) best[type] = scores[type];
    }
  }
  return best as RougeScores<T>;
}

/**
 * HF `evaluate` "rouge" aggregate read as its exact target: the arithmetic mean of per-pair
 * F-measures, summed with `fsum` (as `math.fsum`) and divided by the count.
 */
export function meanFmeasure<T extends RougeType>(scores: readonly RougeScores<T>[]): Record<T, number> {
  const first = scores[0];
  if (first === undefined) throw new RangeError('meanFmeasure needs at least one score');
  const means: Partial<Record<T, number>> = {};
  for (const type of Object.keys(first) as T[]) {
    means[type] = fsum(scores.map((score) => score[type].fmeasure)) / scores.length;
  }
  return means as Record<T, number>;
}
