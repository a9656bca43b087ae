/**
 * Fuzzy string similarity over Unicode code points, matching the Python references in the golden
 * file: python-Levenshtein 0.12.2 (`ratio`, `distance`) and thefuzz 0.19 (`fuzz.ratio`).
 * Distances come from the banded bit-parallel kernels of `bitParallelLcs.ts`; short strings without
 * surrogates go to fastest-levenshtein, whose UTF-16 units are then code points.
 */
import { distance as utf16LevenshteinDistance } from 'fastest-levenshtein';
import { indelDistanceOfPoints, levenshteinDistanceOfPoints } from './bitParallelLcs.js';

// Code points of the two arguments, in scratch buffers grown to the longest text seen.
let pointsA = new Int32Array(2048);
let pointsB = new Int32Array(2048);

/**
 * Writes the code points of `text` into `into` from index 0 and returns how many there are; a lone
 * surrogate counts as one, as it does in a Python str. `into` must hold `text.length` entries.
 */
function writeCodePoints(text: string, into: Int32Array): number {
  let count = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        into[count++] = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    into[count++] = unit;
  }
  return count;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Up to this many UTF-16 units on both sides, fastest-levenshtein (Myers, one or two words) is quicker. */
const SHORT_TEXT = 64;

/*
 * The last pair asked about and what is known of it. `scoreTextPair` asks for the indel distance
 * (fuzz ratio, Levenshtein ratio) and the Levenshtein distance (distance, normalized similarity) of
 * the same two strings twice each; this way each is computed once. It starts as the empty pair.
 */
let pairA = '';
let pairB = '';
let pairLengthA = 0;
let pairLengthB = 0;
let pairIndel = 0;
let pairLevenshtein = 0;
let knownPoints = true;
let knownIndel = true;
let knownLevenshtein = true;
/** Bumped whenever `pointsA` / `pointsB` change; while it stays, the kernels may reuse their masks. */
let pointsVersion = 1;

function selectPair(a: string, b: string): void {
  if (a === pairA && b === pairB) return;
  pairA = a;
  pairB = b;
  knownPoints = knownIndel = knownLevenshtein = false;
}

/** Code points of the selected pair into `pointsA` / `pointsB`, and their counts. */
function loadPoints(): void {
  if (knownPoints) return;
  if (pointsA.length < pairA.length) pointsA = new Int32Array(pairA.length * 2);
  if (pointsB.length < pairB.length) pointsB = new Int32Array(pairB.length * 2);
  pairLengthA = writeCodePoints(pairA, pointsA);
  pairLengthB = writeCodePoints(pairB, pointsB);
  pointsVersion = (pointsVersion % 0x3fffffff) + 1;
  knownPoints = true;
}

function selectedIndel(): number {
  if (!knownIndel) {
    loadPoints();
    pairIndel = indelDistanceOfPoints(pointsA, pairLengthA, pointsB, pairLengthB, pointsVersion);
    knownIndel = true;
  }
  return pairIndel;
}

function selectedLevenshtein(): number {
  if (!knownLevenshtein) {
    if (pairA.length <= SHORT_TEXT && pairB.length <= SHORT_TEXT && !SURROGATE.test(pairA) && !SURROGATE.test(pairB)) {
      pairLengthA = pairA.length;
      pairLengthB = pairB.length;
      pairLevenshtein = utf16LevenshteinDistance(pairA, pairB);
    } else {
      loadPoints();
      // Every indel alignment is a Levenshtein one: a known indel distance bounds the search.
      const bound = knownIndel ? pairIndel : -1;
      pairLevenshtein = levenshteinDistanceOfPoints(pointsA, pairLengthA, pointsB, pairLengthB, pointsVersion, bound);
    }
    knownLevenshtein = true;
  }
  return pairLevenshtein;
}

/** Indel distance between two strings, counted in code points. */
export function indelDistance(a: string, b: string): number {
  selectPair(a, b);
  return selectedIndel();
}

/**
 * python-Levenshtein 0.12.2 `ratio`: (lensum − indel) / lensum, 1.0 for two empty strings.
 * The division order matters: rapidfuzz's 1 − indel/lensum differs in the last bit (golden A_p015).
 */
export function levenshteinRatio(a: string, b: string): number {
  selectPair(a, b);
  const indel = selectedIndel();
  const lengthSum = pairLengthA + pairLengthB;
  if (lengthSum === 0) return 1;
  return (lengthSum - indel) / lengthSum;
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

/** Unit-cost Levenshtein distance over code points (an astral character is one edit). */
export function levenshteinDistance(a: string, b: string): number {
  selectPair(a, b);
  return selectedLevenshtein();
}

/** 1 − distance / max(len(a), len(b)) in code points; 1.0 when both are empty. */
export function normalizedLevenshteinSimilarity(a: string, b: string): number {
  selectPair(a, b);
  const distance = selectedLevenshtein();
  const longest = Math.max(pairLengthA, pairLengthB);
  if (longest === 0) return 1;
  return 1 - distance / longest;
}
