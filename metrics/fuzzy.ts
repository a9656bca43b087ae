/**
 * Fuzzy string similarity over Unicode code points, matching the Python references in the golden
 * file: python-Levenshtein 0.12.2 (`ratio`, `distance`) and thefuzz 0.19 (`fuzz.ratio`).
 */
import { distance as utf16LevenshteinDistance } from 'fastest-levenshtein';

const WORD_BITS = 32;
const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of `text`; a lone surrogate counts as one, as it does in a Python str. */
function codePoints(text: string): Int32Array {
  const points = new Int32Array(text.length);
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        points[count++] = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    points[count++] = unit;
  }
  return points.subarray(0, count);
}

function popcount32(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Row of the bit-mask table for each BMP code point of the pattern (0 = absent). Reused across calls
 * and cleared after each, like fastest-levenshtein's `peq`, so no 64K table is allocated per pair.
 */
const bmpRowIndex = new Int32Array(0x10000);

/**
 * Length of the longest common subsequence, bit-parallel after Hyyrö (2004) / Allison–Dix (1986),
 * as in rapidfuzz-cpp `lcs_unroll`/`lcs_blockwise`: per column, u = S & Match(c);
 * S = (S + u) | (S - u) with the addition's carry running across 32-bit words; LCS = popcount(~S).
 */
function lcsLength(pattern: Int32Array, text: Int32Array): number {
  const words = Math.ceil(pattern.length / WORD_BITS);
  // One table row (`words` masks) per distinct pattern code point; row 0 stays zero for the rest.
  const astralRowIndex = new Map<number, number>();
  const rowOf = (point: number): number =>
    point < 0x10000 ? bmpRowIndex[point]! : (astralRowIndex.get(point) ?? 0);
  const patternRows = new Int32Array(pattern.length);
  let rows = 1;
  for (let i = 0; i < pattern.length; i++) {
    const point = pattern[i]!;
    let row = rowOf(point);
    if (row === 0) {
      row = rows++;
      if (point < 0x10000) bmpRowIndex[point] = row;
      else astralRowIndex.set(point, row);
    }
    patternRows[i] = row;
  }
  const masks = new Int32Array(rows * words);
  for (let i = 0; i < pattern.length; i++) {
    masks[patternRows[i]! * words + (i >>> 5)]! |= 1 << (i & 31);
  }
  const textOffsets = new Int32Array(text.length);
  for (let j = 0; j < text.length; j++) textOffsets[j] = rowOf(text[j]!) * words;
  for (let i = 0; i < pattern.length; i++) {
    const point = pattern[i]!;
    if (point < 0x10000) bmpRowIndex[point] = 0;
  }

  if (words === 1) {
    let state = -1;
    for (let j = 0; j < text.length; j++) {
      const matched = state & masks[textOffsets[j]!]!;
      state = (state + matched) | (state & ~matched);
    }
    // Bits above the pattern length never leave 1, so ~state counts only real matches.
    return popcount32(~state);
  }

  const state = new Int32Array(words).fill(-1);
  for (let j = 0; j < text.length; j++) {
    const offset = textOffsets[j]!;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const current = state[w]!;
      const matched = current & masks[offset + w]!;
      const sum = (current + matched + carry) | 0;
      // Carry out of bit 31 of an unsigned add, kept in int32 arithmetic (faster than a double compare).
      carry = ((current & matched) | ((current | matched) & ~sum)) >>> 31;
      // u ⊆ S, so S - u (no borrow) is S & ~u.
      state[w] = sum | (current & ~matched);
    }
  }
  let lcs = 0;
  for (let w = 0; w < words; w++) lcs += popcount32(~state[w]!);
  return lcs;
}

/** Indel distance (insertions + deletions only) = len(a) + len(b) − 2·LCS, on code point arrays. */
function indelDistanceOfPoints(a: Int32Array, b: Int32Array): number {
  // A common prefix and suffix never change the LCS (rapidfuzz `remove_common_affix`).
  let start = 0;
  const shorterLength = Math.min(a.length, b.length);
  while (start < shorterLength && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const restA = a.subarray(start, endA);
  const restB = b.subarray(start, endB);
  if (restA.length === 0 || restB.length === 0) return restA.length + restB.length;
  // The shorter side as pattern keeps more pairs on the single-word path.
  const lcs = restA.length <= restB.length ? lcsLength(restA, restB) : lcsLength(restB, restA);
  return restA.length + restB.length - 2 * lcs;
}

/** Indel distance between two strings, counted in code points. */
export function indelDistance(a: string, b: string): number {
  return indelDistanceOfPoints(codePoints(a), codePoints(b));
}

/**
 * python-Levenshtein 0.12.2 `ratio`: (lensum − indel) / lensum, 1.0 for two empty strings.
 * The division order matters: rapidfuzz's 1 − indel/lensum differs in the last bit (golden A_p015).
 */
export function levenshteinRatio(a: string, b: string): number {
  const pointsA = codePoints(a);
  const pointsB = codePoints(b);
  const lengthSum = pointsA.length + pointsB.length;
  if (lengthSum === 0) return 1;
  return (lengthSum - indelDistanceOfPoints(pointsA, pointsB)) / lengthSum;
}

/** Python 3 `round(x)` for a double: nearest integer, ties to even, on the exact binary value. */
export function roundHalfToEven(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round ${x} to an integer`);
  const floor = Math.floor(x);
  // Exact: x − floor(x) is the fractional bits of x.
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * thefuzz 0.19 `fuzz.ratio` with python-Levenshtein: equal strings (two empties included) → 100
 * (`@check_for_equivalence`), else either empty → 0 (`@check_empty_string`), else
 * `int(round(100 * Levenshtein.ratio(a, b)))`.
 */
export function fuzzRatio(a: string, b: string): number {
  if (a === b) return 100;
  if (a.length === 0 || b.length === 0) return 0;
  return roundHalfToEven(100 * levenshteinRatio(a, b));
}

/** Fuzzy match score in [0, 1]: thefuzz `fuzz.ratio` / 100. */
export function fuzzyMatch(a: string, b: string): number {
  return fuzzRatio(a, b) / 100;
}

const NON_SURROGATE_BMP_CHARS = 0x10000 - 0x800;

/** The k-th BMP character that is not a surrogate (k < NON_SURROGATE_BMP_CHARS). */
function nonSurrogateBmpChar(k: number): string {
  return String.fromCharCode(k < 0xd800 ? k : k + 0x800);
}

/**
 * Unit-cost Levenshtein distance over code points. fastest-levenshtein works on UTF-16 units, so
 * strings with surrogates are first re-spelled with one distinct BMP character per code point.
 */
export function levenshteinDistance(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return utf16LevenshteinDistance(a, b);
  const charOf = new Map<number, string>();
  const respell = (text: string): string => {
    let out = '';
    for (const point of codePoints(text)) {
      let char = charOf.get(point);
      if (char === undefined) {
        if (charOf.size === NON_SURROGATE_BMP_CHARS) {
          throw new RangeError(`levenshteinDistance supports at most ${NON_SURROGATE_BMP_CHARS} distinct code points`);
        }
        char = nonSurrogateBmpChar(charOf.size);
        charOf.set(point, char);
      }
      out += char;
    }
    return out;
  };
  return utf16LevenshteinDistance(respell(a), respell(b));
}

/** 1 − distance / max(len(a), len(b)) in code points; 1.0 when both are empty. */
export function normalizedLevenshteinSimilarity(a: string, b: string): number {
  const longest = Math.max(codePoints(a).length, codePoints(b).length);
  if (longest === 0) return 1;
  return 1 - levenshteinDistance(a, b) / longest;
}
