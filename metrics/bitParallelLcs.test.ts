import { describe, expect, it } from 'vitest';
import { indelDistanceOfPoints, internals, levenshteinDistanceOfPoints } from './bitParallelLcs.js';

/** Textbook O(n·m) edit distance; `substitutionCost` 2 gives the indel distance. */
function reference(a: Int32Array, b: Int32Array, substitutionCost: number): number {
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = new Int32Array(b.length + 1);
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : substitutionCost);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** mulberry32, so failures reproduce. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function randomPoints(random: () => number, length: number, symbols: number): Int32Array {
  return Int32Array.from({ length }, () => 97 + Math.floor(random() * symbols));
}

/** Drops, substitutes and inserts symbols at `rate`, and sometimes moves a block. */
function edited(random: () => number, points: Int32Array, rate: number, symbols: number): Int32Array {
  const out: number[] = [];
  for (const point of points) {
    const r = random();
    if (r < rate / 3) continue;
    if (r < (2 * rate) / 3) out.push(97 + Math.floor(random() * symbols));
    else if (r < rate) out.push(point, 97 + Math.floor(random() * symbols));
    else out.push(point);
  }
  if (random() < 0.3 && out.length > 20) {
    const start = Math.floor(random() * out.length);
    const block = out.splice(start, Math.floor(random() * Math.min(150, out.length - start)));
    out.splice(Math.floor(random() * out.length), 0, ...block);
  }
  return Int32Array.from(out);
}

/** The longer as pattern, as the kernels expect it (n ≥ m), with the band for cost k. */
function band(pattern: Int32Array, text: Int32Array, k: number): [number, number] {
  const delta = pattern.length - text.length;
  return [Math.ceil((delta - k) / 2), Math.floor((delta + k) / 2)];
}

describe('banded kernels', () => {
  const random = generator(2024);
  const cases: [Int32Array, Int32Array][] = [];
  for (let c = 0; c < 60; c++) {
    const symbols = 2 + Math.floor(random() * 20);
    const a = randomPoints(random, 33 + Math.floor(random() * (c < 40 ? 200 : 600)), symbols);
    const b = random() < 0.2 ? randomPoints(random, 33 + Math.floor(random() * 300), symbols) : edited(random, a, random() * 0.4, symbols);
    if (b.length < 33) continue;
    cases.push(a.length >= b.length ? [a, b] : [b, a]);
  }

  it('on a static band: never below the distance, exact when the band holds cost k ≥ distance', () => {
    for (const [pattern, text] of cases) {
      const levenshtein = reference(pattern, text, 1);
      const indel = reference(pattern, text, 2);
      const delta = pattern.length - text.length;
      for (const extra of [0, 1, 2, 31, 32, 33, 95, 400]) {
        const k = delta + extra;
        const [low, high] = band(pattern, text, k);
        const bandedLevenshtein = internals.levenshteinBanded(pattern, text, low, high);
        const bandedIndel = internals.indelBanded(pattern, text, low, high);
        expect(bandedLevenshtein).toBeGreaterThanOrEqual(levenshtein);
        expect(bandedIndel).toBeGreaterThanOrEqual(indel);
        if (levenshtein <= k) expect(bandedLevenshtein).toBe(levenshtein);
        if (indel <= k) expect(bandedIndel).toBe(indel);
      }
    }
  });

  it('with a cutoff: exact from the distance up, never below it (or −1) under it', () => {
    for (const [pattern, text] of cases) {
      const delta = pattern.length - text.length;
      for (const [substitutionCost, kernel] of [
        [1, internals.levenshteinBanded],
        [2, internals.indelBanded],
      ] as const) {
        const distance = reference(pattern, text, substitutionCost);
        for (const bound of [distance - 3, distance - 1, distance, distance + 1, distance + 2, distance + 40]) {
          if (bound < delta) continue;
          const [low, high] = band(pattern, text, bound);
          const result = kernel(pattern, text, low, high, bound);
          if (bound >= distance) expect(result).toBe(distance);
          else expect(result === -1 || result >= distance).toBe(true);
        }
      }
    }
  });

  it('keeps the padded last word out of the result (pattern lengths around multiples of 32)', () => {
    const random = generator(7);
    for (const length of [63, 64, 65, 95, 96, 97, 128, 129]) {
      const pattern = randomPoints(random, length, 4);
      const text = edited(random, pattern, 0.2, 4).subarray(0, Math.min(length, 60));
      expect(internals.levenshteinBanded(pattern, text, -text.length, pattern.length)).toBe(reference(pattern, text, 1));
      expect(internals.indelBanded(pattern, text, -text.length, pattern.length)).toBe(reference(pattern, text, 2));
    }
  });
});

describe('distances of points', () => {
  it('reuse the masks of a pair only while the caller keeps its version', () => {
    const random = generator(11);
    const a = randomPoints(random, 500, 6);
    const b = edited(random, a, 0.2, 6);
    const c = edited(random, a, 0.3, 6);
    const indelAB = reference(a, b, 2);
    const levenshteinAB = reference(a, b, 1);
    expect(indelDistanceOfPoints(a, a.length, b, b.length, 7)).toBe(indelAB);
    expect(levenshteinDistanceOfPoints(a, a.length, b, b.length, 7)).toBe(levenshteinAB);
    // Same arrays, new contents: a new version rebuilds.
    const bCopy = b.slice();
    b.set(c.subarray(0, Math.min(c.length, b.length)));
    expect(levenshteinDistanceOfPoints(a, a.length, b, b.length, 8)).toBe(reference(a, b, 1));
    b.set(bCopy);
    // Version 0 never reuses; prefixes of the arrays are the strings.
    expect(indelDistanceOfPoints(a, 300, b, 280, 0)).toBe(reference(a.subarray(0, 300), b.subarray(0, 280), 2));
    expect(levenshteinDistanceOfPoints(a, a.length, b, b.length, 0)).toBe(levenshteinAB);
  });

  it('use a caller bound when it holds, and stay exact when it does not', () => {
    const random = generator(12);
    const a = randomPoints(random, 700, 8);
    const b = edited(random, a, 0.25, 8);
    const levenshtein = reference(a, b, 1);
    const indel = reference(a, b, 2);
    for (const bound of [indel, levenshtein, levenshtein + 1, levenshtein - 1, Math.abs(a.length - b.length), 5000]) {
      expect(levenshteinDistanceOfPoints(a, a.length, b, b.length, 0, bound)).toBe(levenshtein);
    }
  });

  it('handle empty rests and one-word patterns', () => {
    const a = Int32Array.from([1, 2, 3, 4, 5]);
    expect(indelDistanceOfPoints(a, 5, a, 3)).toBe(2);
    expect(levenshteinDistanceOfPoints(a, 0, a, 5)).toBe(5);
    expect(levenshteinDistanceOfPoints(a, 5, Int32Array.from([9, 2, 3, 4, 9]), 5)).toBe(2);
    const random = generator(13);
    const long = randomPoints(random, 900, 5);
    const short = randomPoints(random, 32, 5);
    expect(indelDistanceOfPoints(long, long.length, short, short.length)).toBe(reference(long, short, 2));
    expect(levenshteinDistanceOfPoints(short, short.length, long, long.length)).toBe(reference(long, short, 1));
  });
});
