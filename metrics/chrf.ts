/**
 * sacreBLEU 2.6 chrF (Popović 2015) and chrF++ (Popović 2017): `CHRF()` and `CHRF(word_order=2)`
 * (`metrics/chrf.py` + `metrics/helpers.py`), with lowercase, whitespace and eps_smoothing at their
 * default False; 0–100 scale.
 *
 * A segment's statistics are sacreBLEU's flat vector, [hypothesis n-grams, reference n-grams,
 * matches] per order, character orders 1..charOrder then word orders 1..wordOrder. A corpus score
 * is the f-score of the summed vectors, so a bootstrap re-sums them ({@link chrfStatistic}).
 */
import { NgramIdTable } from './bleu/ngramIds.js';
import type { SummedStatistic } from './statistics/bootstrap.js';

/** sacreBLEU `CHRF(char_order, word_order, beta)`. */
export interface ChrfParameters {
  readonly charOrder: number;
  /** 0 for chrF; 2 makes chrF++. */
  readonly wordOrder: number;
  readonly beta: number;
}

/** `CHRF()`: `CHAR_ORDER = 6`, `WORD_ORDER = 0`, `BETA = 2`. */
export const CHRF: ChrfParameters = { charOrder: 6, wordOrder: 0, beta: 2 };
/** `CHRF(word_order=2)`. */
export const CHRF_PLUS_PLUS: ChrfParameters = { ...CHRF, wordOrder: 2 };

/** Numbers per order in a statistics vector: hypothesis n-grams, reference n-grams, matches. */
const STATISTICS_PER_ORDER = 3;

/** One segment's statistics (see the module comment); integers. */
export type ChrfStatistics = readonly number[];

/** Python `str.isspace()`, where `str.split()` splits: JS `\s` has U+FEFF and lacks U+001C–U+001F and U+0085. */
const PYTHON_WHITESPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
/** The same as a table up to U+3000, the last of them; all are in the BMP, so a UTF-16 unit can be tested alone. */
const WHITESPACE_TABLE = Uint8Array.from({ length: 0x3001 }, (_, code) => (PYTHON_WHITESPACE.test(String.fromCharCode(code)) ? 1 : 0));

function isPythonWhitespace(code: number): boolean {
  return code < WHITESPACE_TABLE.length && WHITESPACE_TABLE[code] === 1;
}

/** `string.punctuation`, chrF's `_PUNCTS`. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/** Python `line.split()` with no argument. */
function pythonSplit(line: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let k = 0; k <= line.length; k++) {
    if (k === line.length || isPythonWhitespace(line.charCodeAt(k))) {
      if (start >= 0) words.push(line.slice(start, k));
      start = -1;
    } else if (start < 0) {
      start = k;
    }
  }
  return words;
}

/**
 * `CHRF._remove_punctuation`: one punctuation mark split off the end of a word, or else off its
 * start, so '(hi)' gives '(hi' and ')' (sacreBLEU issue #124). Testing UTF-16 units is exact here:
 * the marks are ASCII, and a word of one astral character (Python length 1, JS length 2) is kept
 * whole either way since neither of its surrogates is a mark.
 */
function chrfWords(line: string): string[] {
  const words: string[] = [];
  for (const word of pythonSplit(line)) {
    const last = word.length - 1;
    if (word.length === 1) {
      words.push(word);
    } else if (PUNCTUATION.has(word[last]!)) {
      words.push(word.slice(0, last), word.slice(last));
    } else if (PUNCTUATION.has(word[0]!)) {
      words.push(word.slice(0, 1), word.slice(1));
    } else {
      words.push(word);
    }
  }
  return words;
}

/**
 * Symbol ids of one segment: 1..size for the hypothesis's distinct symbols in first-occurrence
 * order, 0 for a reference symbol the hypothesis lacks, since no n-gram holding it can match.
 */
interface SymbolIds {
  readonly hypothesis: Int32Array;
  readonly references: readonly Int32Array[];
  readonly size: number;
}

/** Id per BMP code point, all 0 between segments: a typed-array read per character instead of a `Map` lookup. */
const BMP_CODE_POINT_IDS = new Int32Array(0x10000);

/**
 * Ids of the code points of `''.join(line.split())` (character n-grams skip whitespace,
 * `whitespace=False`); Python iterates code points, so an astral character is one symbol.
 */
function codePointIds(hypothesis: string, references: readonly string[]): SymbolIds {
  const astralIds = new Map<number, number>();
  let size = 0;
  const ids = (line: string, numberNew: boolean): Int32Array => {
    const out = new Int32Array(line.length);
    let length = 0;
    for (let k = 0; k < line.length; k++) {
      const code = line.codePointAt(k)!;
      let id: number;
      if (code > 0xffff) {
        k++;
        id = astralIds.get(code) ?? 0;
        if (id === 0 && numberNew) astralIds.set(code, (id = ++size));
      } else if (isPythonWhitespace(code)) {
        continue;
      } else {
        id = BMP_CODE_POINT_IDS[code]!;
        if (id === 0 && numberNew) BMP_CODE_POINT_IDS[code] = id = ++size;
      }
      out[length++] = id;
    }
    return out.subarray(0, length);
  };
  const hypothesisIds = ids(hypothesis, true);
  const referenceIds = references.map((reference) => ids(reference, false));
  // Every id set belongs to a code unit of the hypothesis (clearing the halves of astral ones is harmless).
  for (let k = 0; k < hypothesis.length; k++) BMP_CODE_POINT_IDS[hypothesis.charCodeAt(k)] = 0;
  return { hypothesis: hypothesisIds, references: referenceIds, size };
}

/** Ids of chrF++'s words ({@link chrfWords}); word n-grams are `' '.join`ed words, which never hold a space. */
function wordIds(hypothesis: string, references: readonly string[]): SymbolIds {
  const idOf = new Map<string, number>();
  const hypothesisWords = chrfWords(hypothesis);
  const hypothesisIds = new Int32Array(hypothesisWords.length);
  hypothesisWords.forEach((word, k) => {
    let id = idOf.get(word);
    if (id === undefined) idOf.set(word, (id = idOf.size + 1));
    hypothesisIds[k] = id;
  });
  const referenceIds = references.map((reference) => {
    const words = chrfWords(reference);
    const ids = new Int32Array(words.length);
    words.forEach((word, k) => (ids[k] = idOf.get(word) ?? 0));
    return ids;
  });
  return { hypothesis: hypothesisIds, references: referenceIds, size: idOf.size };
}

/**
 * `CHRF._get_match_statistics` for orders 1..maxOrder of one symbol sequence, against each reference,
 * written to `out[r]` from `offset`. N-grams get integer ids from (prefix id, last symbol id), as in
 * BLEU's statistics: linear in the lengths, no n-gram strings. Per order n:
 * - hypothesis count `hyp_count if ref_ngrams else 0`: all hypLen-n+1 n-grams, 0 when the reference has none;
 * - reference count `sum(ref_ngrams.values())` = refLen-n+1;
 * - matches: the sum over n-grams of min(hypothesis count, reference count).
 */
function matchStatistics(
  { hypothesis, references, size }: SymbolIds,
  maxOrder: number,
  out: readonly number[][],
  offset: number,
): void {
  const hypLen = hypothesis.length;
  const longerNgramCapacity = (maxOrder - 1) * hypLen;
  const idCapacity = size + longerNgramCapacity + 1;
  const orderIndexOf = new Int32Array(idCapacity); // n - 1; unigrams (ids 1..size) keep 0
  const hypCounts = new Int32Array(idCapacity);
  const ngramIds = new NgramIdTable(longerNgramCapacity);
  let nextId = size + 1;
  for (let start = 0; start < hypLen; start++) {
    let id = hypothesis[start]!;
    hypCounts[id]!++;
    for (let order = 1; order < maxOrder && start + order < hypLen; order++) {
      const extended = ngramIds.getOrAdd(id, hypothesis[start + order]!, nextId);
      if (extended === nextId) orderIndexOf[nextId++] = order;
      id = extended;
      hypCounts[id]!++;
    }
  }

  const refCounts = new Int32Array(nextId);
  const touched: number[] = [];
  references.forEach((reference, r) => {
    const refLen = reference.length;
    const matches = new Array<number>(maxOrder).fill(0);
    for (let start = 0; start < refLen; start++) {
      // Id 0 (a symbol or n-gram the hypothesis lacks) ends the walk: no longer n-gram from here can match.
      let id = reference[start]!;
      for (let order = 1; id !== 0; order++) {
        if (refCounts[id]!++ === 0) touched.push(id);
        if (order === maxOrder || start + order === refLen) break;
        const next = reference[start + order]!;
        id = next === 0 ? 0 : ngramIds.get(id, next);
      }
    }
    for (const id of touched) {
      matches[orderIndexOf[id]!]! += Math.min(hypCounts[id]!, refCounts[id]!);
      refCounts[id] = 0;
    }
    touched.length = 0;

    const statistics = out[r]!;
    for (let n = 0; n < maxOrder; n++) {
      const refTotal = Math.max(0, refLen - n);
      statistics[offset + STATISTICS_PER_ORDER * n] = refTotal > 0 ? Math.max(0, hypLen - n) : 0;
      statistics[offset + STATISTICS_PER_ORDER * n + 1] = refTotal;
      statistics[offset + STATISTICS_PER_ORDER * n + 2] = matches[n]!;
    }
  });
}

function assertParameters({ charOrder, wordOrder, beta }: ChrfParameters): void {
  if (!Number.isInteger(charOrder) || charOrder < 1 || !Number.isInteger(wordOrder) || wordOrder < 0 || !(beta > 0)) {
    throw new RangeError(`chrF needs charOrder >= 1, wordOrder >= 0 (integers) and beta > 0; got ${charOrder}, ${wordOrder}, ${beta}`);
  }
}

/**
 * `CHRF._compute_segment_statistics`: the statistics against the reference with the best f-score,
 * the first one on ties (strict `>`). An empty reference still counts as a reference.
 */
export function chrfSegmentStatistics(hypothesis: string, references: readonly string[], parameters: ChrfParameters = CHRF): number[] {
  assertParameters(parameters);
  if (references.length === 0) throw new RangeError('chrF needs at least one reference per segment');
  const { charOrder, wordOrder, beta } = parameters;
  const perReference = references.map(() => new Array<number>(STATISTICS_PER_ORDER * (charOrder + wordOrder)).fill(0));
  matchStatistics(codePointIds(hypothesis, references), charOrder, perReference, 0);
  if (wordOrder > 0) matchStatistics(wordIds(hypothesis, references), wordOrder, perReference, STATISTICS_PER_ORDER * charOrder);
  let best = perReference[0]!;
  let bestScore = -1;
  for (const statistics of perReference) {
    const score = chrfFromStatistics(statistics, beta);
    if (score > bestScore) {
      bestScore = score;
      best = statistics;
    }
  }
  return best;
}

/** Per-segment statistics of a corpus; `references[i]` holds every reference of `hypotheses[i]`. */
export function chrfCorpusStatistics(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  parameters: ChrfParameters = CHRF,
): number[][] {
  if (hypotheses.length !== references.length) {
    throw new RangeError(`chrF got ${hypotheses.length} hypotheses but ${references.length} reference lists`);
  }
  return hypotheses.map((hypothesis, i) => chrfSegmentStatistics(hypothesis, references[i]!, parameters));
}

/** sacreBLEU `sum_of_lists`: the corpus statistics. */
export function sumChrfStatistics(segments: readonly ChrfStatistics[], parameters: ChrfParameters = CHRF): number[] {
  const sums = new Array<number>(STATISTICS_PER_ORDER * (parameters.charOrder + parameters.wordOrder)).fill(0);
  for (const segment of segments) {
    if (segment.length !== sums.length) throw new RangeError(`chrF statistics have ${segment.length} numbers, expected ${sums.length}`);
    for (let k = 0; k < sums.length; k++) sums[k]! += segment[k]!;
  }
  return sums;
}

/**
 * `CHRF._compute_f_score` with eps_smoothing=False: precision and recall averaged over the orders
 * where both the hypothesis and the reference have n-grams (sacreBLEU < 2.0 "effective order"),
 * then F-beta of the averages, 0 when no order counts or both averages are 0. The operations keep
 * Python's order, so the result is the same double.
 */
export function chrfFromStatistics(statistics: ArrayLike<number>, beta: number = CHRF.beta): number {
  const factor = beta ** 2;
  let averagePrecision = 0;
  let averageRecall = 0;
  let effectiveOrder = 0;
  for (let k = 0; k + STATISTICS_PER_ORDER <= statistics.length; k += STATISTICS_PER_ORDER) {
    const hypCount = statistics[k]!;
    const refCount = statistics[k + 1]!;
    const matches = statistics[k + 2]!;
    if (hypCount > 0 && refCount > 0) {
      averagePrecision += matches / hypCount;
      averageRecall += matches / refCount;
      effectiveOrder++;
    }
  }
  if (effectiveOrder === 0) return 0;
  averagePrecision /= effectiveOrder;
  averageRecall /= effectiveOrder;
  if (averagePrecision + averageRecall === 0) return 0;
  // score = (1 + factor) * avg_prec * avg_rec; score /= ((factor * avg_prec) + avg_rec); 100 * score
  return 100 * (((1 + factor) * averagePrecision * averageRecall) / (factor * averagePrecision + averageRecall));
}

/** `CHRF(...).sentence_score(hypothesis, references).score`. */
export function chrfSentence(hypothesis: string, references: readonly string[], parameters: ChrfParameters = CHRF): number {
  return chrfFromStatistics(chrfSegmentStatistics(hypothesis, references, parameters), parameters.beta);
}

/**
 * `CHRF(...).corpus_score(hypotheses, refs).score`; unlike sacreBLEU's reference streams,
 * `references[i]` lists every reference of `hypotheses[i]`. An empty corpus scores 0 (sacreBLEU raises).
 */
export function chrfCorpus(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  parameters: ChrfParameters = CHRF,
): number {
  return chrfFromStatistics(sumChrfStatistics(chrfCorpusStatistics(hypotheses, references, parameters), parameters), parameters.beta);
}

/**
 * Corpus chrF as a `SummedStatistic`: a resample's chrF is the f-score of its segments' summed
 * statistics, as in sacreBLEU's bootstrap, so a resample re-sums 3 numbers per order and segment.
 */
export function chrfStatistic(segments: readonly ChrfStatistics[], parameters: ChrfParameters = CHRF): SummedStatistic {
  assertParameters(parameters);
  const width = STATISTICS_PER_ORDER * (parameters.charOrder + parameters.wordOrder);
  const columns = Array.from({ length: width }, () => new Float64Array(segments.length));
  segments.forEach((segment, i) => {
    if (segment.length !== width) throw new RangeError(`chrF statistics have ${segment.length} numbers, expected ${width}`);
    for (let k = 0; k < width; k++) columns[k]![i] = segment[k]!;
  });
  return { columns, finalize: (sums) => chrfFromStatistics(sums, parameters.beta) };
}

/**
 * chrF and chrF++ statistics of one segment. With one reference the chrF vector is the first
 * character orders of the chrF++ vector, so the character n-grams are counted once; with several,
 * each picks its own best reference and both are computed.
 */
export function chrfPairStatistics(hypothesis: string, references: readonly string[]): { chrf: number[]; chrfpp: number[] } {
  const chrfpp = chrfSegmentStatistics(hypothesis, references, CHRF_PLUS_PLUS);
  const chrf = references.length === 1 ? chrfpp.slice(0, STATISTICS_PER_ORDER * CHRF.charOrder) : chrfSegmentStatistics(hypothesis, references, CHRF);
  return { chrf, chrfpp };
}
