/**
 * Exact bit-parallel indel (LCS) and Levenshtein distances over code-point arrays, banded so that
 * similar long texts cost a few words per text character instead of the whole pattern.
 *
 * Both kernels read one match-mask table (`buildMatchMasks`): bit i of the mask of character c is
 * set when pattern[i] === c; 32-bit words, one table row per distinct pattern code point (row 0,
 * all zeros, for characters absent from the pattern), and per text position the offset of its row.
 *
 * - LCS: Allison–Dix / Hyyrö (2004) "Bit-parallel LCS-length computation revisited": per text
 *   character, u = S & Match; S = (S + u) | (S − u), the addition carrying across words.
 * - Levenshtein: Hyyrö (2003) "A bit-vector algorithm for computing Levenshtein and Damerau edit
 *   distances", block form: each word's top-row horizontal step comes in as HP/HN carries (HN folded
 *   into the match vector), so the addition needs no carry across words.
 *
 * A banded run (rapidfuzz-cpp `lcs_blockwise`, `levenshtein_hyrroe2003_block`) advances only the
 * words of a band of rows and treats the rest as simple bounds (see the kernels), so its result is
 * always the cost of a real alignment, and it is exact whenever an optimal alignment stays in the
 * band. `bandedDistance` uses that twice: a narrow static band yields an achievable cost u (exact
 * when u fits the band); a second run with Ukkonen's cutoff u is then exact.
 */

const WORD_BITS = 32;

/** Table row of each BMP code point of the current pattern (0 = absent); cleared after each build. */
const bmpRow = new Int32Array(0x10000);
/** Table row of each astral code point of the current pattern; only touched when one occurs. */
const astralRow = new Map<number, number>();

// Scratch buffers, grown to the largest input seen and reused, so a call allocates nothing.
let maskTable = new Int32Array(4096);
let textRowOffsets = new Int32Array(2048);
let vpWords = new Int32Array(64);
let vnWords = new Int32Array(64);

function capacityFor(needed: number): number {
  let size = 64;
  while (size < needed) size *= 2;
  return size;
}

/** Number of 1 bits of a 32-bit integer. */
function popcount32(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Entries of `maskTable` the last build may have set; cleared at the start of the next one. */
let maskTableDirty = 0;

/**
 * Fills the match-mask table for `pattern[patternStart, patternStart + n)` and the row offsets of
 * `text[textStart, textStart + m)`; returns the number of 32-bit words per mask (n ≥ 1).
 */
function buildMatchMasks(
  pattern: Int32Array,
  patternStart: number,
  n: number,
  text: Int32Array,
  textStart: number,
  m: number,
): number {
  const words = (n + WORD_BITS - 1) >>> 5;
  preparedVersion = 0;
  maskTable.fill(0, 0, maskTableDirty);
  let masks = maskTable;
  // Row 0 (all zeros) serves every character absent from the pattern; rows are numbered on first sight.
  let rows = 1;
  let astral = false;
  for (let i = 0; i < n; i++) {
    const point = pattern[patternStart + i]!;
    let row: number;
    if (point < 0x10000) {
      row = bmpRow[point]!;
      if (row === 0) row = bmpRow[point] = rows++;
    } else {
      astral = true;
      row = astralRow.get(point) ?? 0;
      if (row === 0) astralRow.set(point, (row = rows++));
    }
    if (rows * words > masks.length) {
      const grown = new Int32Array(capacityFor(rows * words));
      grown.set(masks);
      masks = maskTable = grown;
    }
    masks[row * words + (i >>> 5)]! |= 1 << (i & 31);
  }
  maskTableDirty = rows * words;
  if (textRowOffsets.length < m) textRowOffsets = new Int32Array(capacityFor(m));
  const offsets = textRowOffsets;
  if (astral) {
    for (let j = 0; j < m; j++) {
      const point = text[textStart + j]!;
      offsets[j] = (point < 0x10000 ? bmpRow[point]! : (astralRow.get(point) ?? 0)) * words;
    }
    astralRow.clear();
  } else {
    for (let j = 0; j < m; j++) {
      const point = text[textStart + j]!;
      offsets[j] = point < 0x10000 ? bmpRow[point]! * words : 0;
    }
  }
  for (let i = 0; i < n; i++) {
    const point = pattern[patternStart + i]!;
    if (point < 0x10000) bmpRow[point] = 0;
  }
  return words;
}

function ensureStateWords(words: number): void {
  if (vpWords.length < words) {
    vpWords = new Int32Array(capacityFor(words));
    vnWords = new Int32Array(capacityFor(words));
  }
}

/** LCS length for a pattern of ≤ 32 code points (one word), over the whole text. */
function lcsSingleWord(m: number): number {
  const masks = maskTable;
  const offsets = textRowOffsets;
  let s = -1;
  for (let j = 0; j < m; j++) {
    const u = s & masks[offsets[j]!]!;
    s = ((s + u) | 0) | (s ^ u);
  }
  // Bits above the pattern length never leave 1, so ~s counts only real matches.
  return popcount32(~s);
}

/** Levenshtein distance for a pattern of 1..32 code points (one word), over the whole text. */
function levenshteinSingleWord(n: number, m: number): number {
  const masks = maskTable;
  const offsets = textRowOffsets;
  const lastBit = n - 1;
  let vp = -1;
  let vn = 0;
  let score = n;
  for (let j = 0; j < m; j++) {
    const x = masks[offsets[j]!]!;
    const d0 = ((((x & vp) + vp) | 0) ^ vp) | x | vn;
    let hp = vn | ~(d0 | vp);
    let hn = d0 & vp;
    score += ((hp >>> lastBit) & 1) - ((hn >>> lastBit) & 1);
    hp = (hp << 1) | 1;
    hn <<= 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
  }
  return score;
}

/*
 * Banded kernels. Pattern rows are 1..n (bit i − 1 is row i); word w holds rows 32w + 1 .. 32w + 32,
 * the last word padded with rows that match nothing (they change no real cell: the recurrence only
 * looks up and left). D(i, j) is the distance of pattern[0, i) and text[0, j) (for LCS kernels
 * i + j − 2·LCS).
 *
 * Per text column j only the words [first, last] are advanced. Words above stay frozen and the row
 * above `first` is taken to grow by exactly 1 per column (LCS: carry 0 in, Levenshtein: HP carry 1
 * in); a word entering at the bottom starts as column j − 1 growing by 1 per row below the band.
 * Both are costs of real alignments (a horizontal resp. vertical step from a real value), and the
 * recurrence keeps that, so every banded value is achievable: the result is never below the true
 * distance. Each kernel tracks D at two rows only: the row above the band and the band's bottom row
 * (whose horizontal step is the carry out of the last word).
 *
 * Which words, per column j (Ukkonen 1985, blockwise as in Hyyrö 2003 / rapidfuzz):
 * - static band: rows in [j + low, j + high];
 * - cutoff `bound`: a cell (i, j) can be on an alignment of cost ≤ bound only if
 *   D(i, j) + |n − m − (i − j)| ≤ bound. Words whose cells all fail are dropped from the bottom and
 *   the top. The word below the band is started before column j when the band's bottom cell
 *   (R, j − 1) passes. An optimal alignment reaching row R + 1 in column j either steps diagonally
 *   from (R, j − 1), which then passes, or goes down from (R, j). In that case D(R, j − 1) ≤
 *   D(R, j) + 1 (the banded column j − 1 is at most one step off its path); writing h(R, j) for
 *   |n − m + j − R|: below the end diagonal the alignment first steps away from it, so its cost
 *   from (R, j) on is ≥ h(R, j) + 2 = h(R, j − 1) + 1, and above it h(R, j − 1) = h(R, j) − 1.
 *   Either way (R, j − 1) passes; the same holds down a chain of words started in one column.
 *   Such an alignment uses no cell of a new word in column j − 1, so the word computes it exactly.
 * The cells of an optimal alignment inside the static band always pass, and their banded values are
 * exact (by induction over the columns): with bound ≥ the true distance and the band holding an
 * optimal alignment, the result is exact.
 */

/** Unconstrained cutoff: no Ukkonen pruning, static band only. */
const NO_BOUND = 0x3fffffff;

/**
 * Lowest D(i, j) + |target − i| over the rows of word `word`, knowing only D(bottom, j) = score
 * (vertical steps change D by at most 1); target = n − m + j is the row of the end diagonal.
 */
function wordLowerBound(score: number, word: number, target: number): number {
  const top = (word << 5) + 1;
  const bottom = top + WORD_BITS - 1;
  return score - bottom + target + (target < top ? 2 * (top - target) : 0);
}

/**
 * Indel distance n + m − 2·LCS over the band; −1 when the band lost the last row (only possible when
 * bound is below the true distance).
 */
function lcsKernel(n: number, m: number, words: number, low: number, high: number, bound: number): number {
  ensureStateWords(words);
  const state = vpWords;
  const masks = maskTable;
  const offsets = textRowOffsets;
  const lastWord = words - 1;
  const delta = n - m;
  const pruning = bound < NO_BOUND;
  let first = 0;
  let last = -1;
  let topValue = 0; // distance at row 32·first in the current column
  let lastValue = 0; // distance at row 32·(last + 1) in the current column
  for (let j = 1; j <= m; j++) {
    const previousTarget = delta + j - 1;
    while (last < lastWord) {
      const bottom = (last + 1) << 5;
      if (bottom >= j + high || lastValue + Math.abs(previousTarget - bottom) > bound) break;
      // The word starts as column j − 1 with no matches below the band: +1 per row.
      last++;
      state[last] = -1;
      lastValue += WORD_BITS;
    }
    const offset = offsets[j - 1]!;
    let carry = 0;
    for (let w = first; w <= last; w++) {
      const s = state[w]!;
      const u = s & masks[offset + w]!;
      const sum = (s + u + carry) | 0;
      // Carry out of the unsigned s + u + carry (u ⊆ s): the LCS step along this word's bottom row.
      carry = (u | (s & ~sum)) >>> 31;
      // u ⊆ s, so s − u (no borrow) is s ^ u.
      state[w] = sum | (s ^ u);
    }
    lastValue += 1 - 2 * carry;
    topValue += 1;
    // Dropping words is optional (it only saves work): do it every fourth column.
    if ((j & 3) === 0) {
      const target = delta + j;
      if (pruning) {
        while (last > first && wordLowerBound(lastValue, last, target) > bound) {
          lastValue -= WORD_BITS - 2 * popcount32(~state[last]!);
          last--;
        }
      }
      while (first < last) {
        const aboveStaticBand = (first + 1) << 5 < j + 1 + low;
        if (!aboveStaticBand && !pruning) break;
        const firstValue = topValue + WORD_BITS - 2 * popcount32(~state[first]!);
        if (!aboveStaticBand && wordLowerBound(firstValue, first, target) <= bound) break;
        first++;
        topValue = firstValue;
      }
    }
  }
  if (last !== lastWord) return -1;
  // Padding rows never match: each adds 1.
  return lastValue - ((words << 5) - n);
}

/**
 * Levenshtein distance over the band; −1 when the band lost the last row (only possible when bound
 * is below the true distance).
 */
function levenshteinKernel(n: number, m: number, words: number, low: number, high: number, bound: number): number {
  ensureStateWords(words);
  const vpState = vpWords;
  const vnState = vnWords;
  const masks = maskTable;
  const offsets = textRowOffsets;
  const lastWord = words - 1;
  const delta = n - m;
  const pruning = bound < NO_BOUND;
  let first = 0;
  let last = -1;
  let topValue = 0;
  let lastValue = 0;
  for (let j = 1; j <= m; j++) {
    const previousTarget = delta + j - 1;
    while (last < lastWord) {
      const bottom = (last + 1) << 5;
      if (bottom >= j + high || lastValue + Math.abs(previousTarget - bottom) > bound) break;
      last++;
      vpState[last] = -1;
      vnState[last] = 0;
      lastValue += WORD_BITS;
    }
    const offset = offsets[j - 1]!;
    // The row above the band grows by 1 per column (exact for row 0, an upper bound below it).
    let hpCarry = 1;
    let hnCarry = 0;
    for (let w = first; w <= last; w++) {
      const vp = vpState[w]!;
      const vn = vnState[w]!;
      const x = masks[offset + w]! | hnCarry;
      const d0 = ((((x & vp) + vp) | 0) ^ vp) | x | vn;
      const hpTop = vn | ~(d0 | vp);
      const hnTop = d0 & vp;
      const hp = (hpTop << 1) | hpCarry;
      const hn = (hnTop << 1) | hnCarry;
      hpCarry = hpTop >>> 31;
      hnCarry = hnTop >>> 31;
      vpState[w] = hn | ~(d0 | hp);
      vnState[w] = hp & d0;
    }
    lastValue += hpCarry - hnCarry;
    topValue += 1;
    // Dropping words is optional (it only saves work): do it every fourth column.
    if ((j & 3) === 0) {
      const target = delta + j;
      if (pruning) {
        while (last > first && wordLowerBound(lastValue, last, target) > bound) {
          lastValue -= popcount32(vpState[last]!) - popcount32(vnState[last]!);
          last--;
        }
      }
      while (first < last) {
        const aboveStaticBand = (first + 1) << 5 < j + 1 + low;
        if (!aboveStaticBand && !pruning) break;
        const firstValue = topValue + popcount32(vpState[first]!) - popcount32(vnState[first]!);
        if (!aboveStaticBand && wordLowerBound(firstValue, first, target) <= bound) break;
        first++;
        topValue = firstValue;
      }
    }
  }
  if (last !== lastWord) return -1;
  // Back from the padded bottom row to row n: undo the padding rows' vertical steps.
  const padding = n & 31 ? -1 << (n & 31) : 0;
  return lastValue - popcount32(vpState[lastWord]! & padding) + popcount32(vnState[lastWord]! & padding);
}

/** Diagonal band [low, high] holding every alignment of cost ≤ k (k ≥ |n − m|). */
function bandLow(n: number, m: number, k: number): number {
  return Math.ceil((n - m - k) / 2);
}
function bandHigh(n: number, m: number, k: number): number {
  return Math.floor((n - m + k) / 2);
}

type BandKernel = (n: number, m: number, words: number, low: number, high: number, bound: number) => number;

/**
 * Cost width of the first, static band (96 rows, about four words per column): cheap, yet it holds
 * the optimal alignment of most paraphrased texts, so its cost is a tight cutoff for the second run.
 */
const FIRST_BAND = 95;

/**
 * Exact distance by at most two passes: with a known upper bound u, one pass with cutoff u; else a
 * narrow static band first, whose achievable cost u is exact when u ≤ the band's width + 1, and
 * otherwise the cutoff for a second pass.
 */
function bandedDistance(kernel: BandKernel, n: number, m: number, words: number, most: number, upperBound: number): number {
  let upper = upperBound;
  if (upper < 0) {
    const k = Math.max(FIRST_BAND, n - m);
    if (k >= most) return kernel(n, m, words, -m, n, NO_BOUND);
    upper = kernel(n, m, words, bandLow(n, m, k), bandHigh(n, m, k), NO_BOUND);
    // A distance ≤ k would have been found exactly, so a result of k + 1 is exact too.
    if (upper <= k + 1) return upper;
  }
  if (upper < most) {
    const exact = kernel(n, m, words, bandLow(n, m, upper), bandHigh(n, m, upper), upper);
    // Always true when `upper` is achievable; a caller's bound below the distance falls through.
    if (exact >= 0 && exact <= upper) return exact;
  }
  return kernel(n, m, words, -m, n, NO_BOUND);
}

/*
 * The pair whose masks are in the table. A caller passing the same non-zero `version` with the same
 * arrays and lengths promises the contents did not change, so a second metric on that pair reuses
 * the affix, the roles and the masks.
 */
let preparedVersion = 0;
let preparedA: Int32Array | null = null;
let preparedB: Int32Array | null = null;
let preparedLengthA = -1;
let preparedLengthB = -1;
/** Pattern (mask) side and text side after removing the common affix; `words` is 0 when one is empty. */
let patternLength = 0;
let textLength = 0;
let patternWords = 0;

/**
 * Removes the common prefix and suffix (they change neither the LCS nor the Levenshtein distance)
 * and builds the masks: a rest of ≤ 32 code points is the pattern (one word, the long side scanned
 * once); otherwise the long rest is the pattern and the short one the text (fewer columns, and the
 * band spans the long side).
 */
function preparePair(a: Int32Array, lengthA: number, b: Int32Array, lengthB: number, version: number): void {
  if (
    version !== 0 &&
    version === preparedVersion &&
    a === preparedA &&
    b === preparedB &&
    lengthA === preparedLengthA &&
    lengthB === preparedLengthB
  ) {
    return;
  }
  const shorter = lengthA < lengthB ? lengthA : lengthB;
  let start = 0;
  while (start < shorter && a[start] === b[start]) start++;
  let suffix = 0;
  while (suffix < shorter - start && a[lengthA - 1 - suffix] === b[lengthB - 1 - suffix]) suffix++;
  const restA = lengthA - start - suffix;
  const restB = lengthB - start - suffix;
  const aShorter = restA <= restB;
  const shortRest = aShorter ? restA : restB;
  const longRest = aShorter ? restB : restA;
  if (shortRest === 0) {
    patternLength = longRest;
    textLength = 0;
    patternWords = 0;
  } else if (shortRest <= WORD_BITS) {
    patternLength = shortRest;
    textLength = longRest;
    patternWords = buildMatchMasks(aShorter ? a : b, start, shortRest, aShorter ? b : a, start, longRest);
  } else {
    patternLength = longRest;
    textLength = shortRest;
    patternWords = buildMatchMasks(aShorter ? b : a, start, longRest, aShorter ? a : b, start, shortRest);
  }
  preparedVersion = version;
  preparedA = a;
  preparedB = b;
  preparedLengthA = lengthA;
  preparedLengthB = lengthB;
}

/**
 * Indel distance (insertions and deletions only, len(a) + len(b) − 2·LCS) of `a[0, lengthA)` and
 * `b[0, lengthB)`, code points. `version`: see `preparePair` (0: no reuse).
 */
export function indelDistanceOfPoints(a: Int32Array, lengthA: number, b: Int32Array, lengthB: number, version = 0): number {
  preparePair(a, lengthA, b, lengthB, version);
  const n = patternLength;
  const m = textLength;
  if (patternWords === 0) return n + m;
  if (patternWords === 1) return n + m - 2 * lcsSingleWord(m);
  return bandedDistance(lcsKernel, n, m, patternWords, n + m, -1);
}

/**
 * Levenshtein distance (unit costs) of `a[0, lengthA)` and `b[0, lengthB)`, code points.
 * `upperBound`: a distance the caller knows is not exceeded (the indel distance is one), or −1.
 */
export function levenshteinDistanceOfPoints(
  a: Int32Array,
  lengthA: number,
  b: Int32Array,
  lengthB: number,
  version = 0,
  upperBound = -1,
): number {
  preparePair(a, lengthA, b, lengthB, version);
  const n = patternLength;
  const m = textLength;
  if (patternWords === 0) return n + m;
  if (patternWords === 1) return levenshteinSingleWord(n, m);
  // The pattern is the long side here, so n is the largest distance possible.
  return bandedDistance(levenshteinKernel, n, m, patternWords, n, upperBound);
}

/** Kernels on explicit bands, for tests (pattern and text as given, no affix removal). */
export const internals = {
  firstBand: FIRST_BAND,
  indelBanded(pattern: Int32Array, text: Int32Array, low: number, high: number, bound = NO_BOUND): number {
    const words = buildMatchMasks(pattern, 0, pattern.length, text, 0, text.length);
    return lcsKernel(pattern.length, text.length, words, low, high, bound);
  },
  levenshteinBanded(pattern: Int32Array, text: Int32Array, low: number, high: number, bound = NO_BOUND): number {
    const words = buildMatchMasks(pattern, 0, pattern.length, text, 0, text.length);
    return levenshteinKernel(pattern.length, text.length, words, low, high, bound);
  },
};
