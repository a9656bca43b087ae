import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { internals } from './bitParallelLcs.js';
import {
  fuzzRatio,
  fuzzyMatch,
  indelDistance,
  levenshteinDistance,
  levenshteinRatio,
  normalizedLevenshteinSimilarity,
  roundHalfToEven,
} from './fuzzy.js';

const GoldenPair = z.object({
  id: z.string(),
  category: z.string(),
  prediction: z.string(),
  reference: z.string(),
  len_codepoints: z.tuple([z.number(), z.number()]),
  fuzz_ratio: z.number().int(),
  levenshtein_ratio: z.number(),
  levenshtein_distance: z.number().int(),
  levenshtein_normalized_similarity: z.number(),
});
const golden = z
  .object({ pairs: z.array(GoldenPair) })
  .parse(JSON.parse(readFileSync(new URL('../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')));

/** Textbook O(n·m) dynamic programme over code points; `substitutionCost` 2 gives the indel distance. */
function referenceEditDistance(a: string, b: string, substitutionCost: number): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : substitutionCost);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** Deterministic pseudo-random text over `alphabet` (mulberry32), so failures reproduce. */
function randomText(seed: number, length: number, alphabet: readonly string[]): string {
  let state = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const r = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    out += alphabet[Math.floor(r * alphabet.length)]!;
  }
  return out;
}

describe('golden text_metrics pairs', () => {
  it('covers every category the generator wrote', () => {
    expect(golden.pairs.length).toBe(311);
    expect(golden.pairs.filter((p) => p.category === 'unicode').length).toBeGreaterThan(0);
    expect(golden.pairs.filter((p) => p.category === 'fuzz_rounding_edge').length).toBeGreaterThan(0);
  });

  it.each(golden.pairs.map((p) => [p.id, p] as const))('%s', (_id, pair) => {
    const { prediction, reference } = pair;
    expect(fuzzRatio(prediction, reference)).toBe(pair.fuzz_ratio);
    expect(fuzzyMatch(prediction, reference)).toBe(pair.fuzz_ratio / 100);
    expect(Math.abs(levenshteinRatio(prediction, reference) - pair.levenshtein_ratio)).toBeLessThanOrEqual(1e-12);
    expect(levenshteinDistance(prediction, reference)).toBe(pair.levenshtein_distance);
    expect(
      Math.abs(normalizedLevenshteinSimilarity(prediction, reference) - pair.levenshtein_normalized_similarity),
    ).toBeLessThanOrEqual(1e-12);
    const lengthSum = pair.len_codepoints[0] + pair.len_codepoints[1];
    expect(indelDistance(prediction, reference)).toBe(Math.round(lengthSum * (1 - pair.levenshtein_ratio)));
  });
});

describe('roundHalfToEven (Python round)', () => {
  it('sends exact halves to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, 12.5, 62.5, 87.5, -0.5, -1.5, -2.5].map(roundHalfToEven)).toEqual([
      0, 2, 2, 4, 12, 62, 88, 0, -2, -2,
    ]);
  });

  it('rounds the exact double, not its shortest decimal', () => {
    expect(roundHalfToEven(7.499999999999996)).toBe(7);
    expect(roundHalfToEven(7.500000000000001)).toBe(8);
    expect(roundHalfToEven(2 ** 53 + 2)).toBe(2 ** 53 + 2);
  });

  it('rejects non-finite input as Python does', () => {
    expect(() => roundHalfToEven(Number.NaN)).toThrow(RangeError);
    expect(() => roundHalfToEven(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('fuzzRatio', () => {
  it('follows thefuzz 0.19 decorators for empty strings', () => {
    expect(fuzzRatio('', '')).toBe(100);
    expect(fuzzRatio('', 'x')).toBe(0);
    expect(fuzzRatio('x', '')).toBe(0);
  });

  it('rounds ties of 100·ratio to even', () => {
    // ratio 1/8 → 12.5 → 12, 5/8 → 62.5 → 62, 7/8 → 87.5 → 88.
    expect(fuzzRatio('abcdefgh', 'aijklmno')).toBe(12);
    expect(fuzzRatio('abcdefgh', 'abcdexyz')).toBe(62);
    expect(fuzzRatio('aaaaaaab', 'aaaaaaac')).toBe(88);
    // (80 − 74) / 80 = 0.075 and 100 · 0.075 = 7.5 exactly → 8; rapidfuzz's 1 − 74/80 would give 7.
    expect(fuzzRatio(`abc${'x'.repeat(37)}`, `abc${'y'.repeat(37)}`)).toBe(8);
  });
});

describe('code points, not UTF-16 units', () => {
  it('counts an astral character once', () => {
    expect(levenshteinDistance('😀', '')).toBe(1);
    expect(levenshteinDistance('a😀b', 'ab')).toBe(1);
    expect(levenshteinDistance('😀', '😁')).toBe(1); // same high surrogate: UTF-16 would say 1 too
    expect(levenshteinDistance('😀', '𝔘')).toBe(1); // UTF-16 would say 2
    expect(indelDistance('😀', '𝔘')).toBe(2); // UTF-16 would say 4
    expect(indelDistance('a😀b', 'ab')).toBe(1);
    expect(levenshteinRatio('😀', '😁')).toBe(0);
    expect(normalizedLevenshteinSimilarity('x😀', 'x')).toBe(0.5);
  });

  it('treats a lone surrogate as one code point', () => {
    expect(levenshteinDistance('\ud83d', '')).toBe(1);
    expect(levenshteinDistance('a\ud83d', 'a\ud83d\ude00')).toBe(1);
    expect(indelDistance('\ude00b', 'b')).toBe(1);
  });

  it('matches the O(n·m) reference on random astral-heavy texts', () => {
    const alphabet = ['a', 'b', ' ', 'é', '😀', '😁', '𝔘', '👩', '\u200d', 'ﬁ'];
    for (let seed = 1; seed <= 40; seed++) {
      const a = randomText(seed, 1 + (seed % 90), alphabet);
      const b = randomText(seed * 7919, 1 + ((seed * 37) % 90), alphabet);
      expect(levenshteinDistance(a, b)).toBe(referenceEditDistance(a, b, 1));
      expect(indelDistance(a, b)).toBe(referenceEditDistance(a, b, 2));
    }
  });
});

describe('bit-parallel indel distance', () => {
  it('agrees with the O(n·m) reference across word boundaries (1, 2 and many 32-bit words)', () => {
    const alphabet = ['a', 'b', 'c', 'd', ' ', 'e'];
    const lengths = [1, 31, 32, 33, 63, 64, 65, 96, 97, 200, 333];
    let seed = 1000;
    for (const lengthA of lengths) {
      for (const lengthB of [1, 32, 33, 65, 150]) {
        seed++;
        const a = randomText(seed, lengthA, alphabet);
        const b = randomText(seed * 31, lengthB, alphabet);
        expect(indelDistance(a, b)).toBe(referenceEditDistance(a, b, 2));
        expect(indelDistance(b, a)).toBe(referenceEditDistance(a, b, 2));
      }
    }
  });

  it('propagates carries across words on long runs of matches', () => {
    const a = 'x'.repeat(100);
    expect(indelDistance(a, 'x'.repeat(70))).toBe(30);
    expect(indelDistance(`${a}y`, `y${'x'.repeat(99)}`)).toBe(referenceEditDistance(`${a}y`, `y${'x'.repeat(99)}`, 2));
    const mixed = randomText(7, 130, ['x', 'y']);
    const other = randomText(8, 140, ['x', 'y']);
    expect(indelDistance(mixed, other)).toBe(referenceEditDistance(mixed, other, 2));
  });

  it('handles texts with shared prefix and suffix and a disjoint middle', () => {
    const a = `2024-06-11 ERROR ${'q'.repeat(80)} done`;
    const b = `2024-06-11 ERROR ${'z'.repeat(45)} done`;
    expect(indelDistance(a, b)).toBe(125);
    expect(levenshteinDistance(a, b)).toBe(80);
    expect(levenshteinRatio(a, b)).toBe((a.length + b.length - 125) / (a.length + b.length));
  });

  it('gives 0 for equal and full length for disjoint strings', () => {
    const long = randomText(3, 1500, ['a', 'b', 'c', ' ', '.']);
    expect(indelDistance(long, long)).toBe(0);
    expect(indelDistance('abc', 'xyz')).toBe(6);
    expect(indelDistance('', 'xyz')).toBe(3);
    expect(levenshteinRatio('', '')).toBe(1);
    expect(normalizedLevenshteinSimilarity('', '')).toBe(1);
  });
});

/** `text` with its code points at `positions` replaced by `replacement` (a character absent from it). */
function substituteAt(text: string, positions: readonly number[], replacement: string): string {
  const points = Array.from(text);
  for (const position of positions) points[position] = replacement;
  return points.join('');
}

/** `count` positions spread evenly over `length` (distinct when count ≤ length). */
function spread(count: number, length: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * length) / count));
}

/** Deterministic paraphrase-like edit of `text`: dropped, substituted and inserted characters. */
function mutate(seed: number, text: string, rate: number, alphabet: readonly string[]): string {
  const noise = randomText(seed, 2 * text.length + 2, alphabet);
  const picks = Array.from(randomText(seed * 13 + 7, text.length, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']));
  const out: string[] = [];
  let k = 0;
  Array.from(text).forEach((char, i) => {
    const r = Number(picks[i]) / 10;
    if (r < rate / 3) return;
    if (r < (2 * rate) / 3) out.push(noise[k++]!);
    else if (r < rate) out.push(char, noise[k++]!);
    else out.push(char);
  });
  return out.join('');
}

function expectBothDistances(a: string, b: string): void {
  const levenshtein = referenceEditDistance(a, b, 1);
  const indel = referenceEditDistance(a, b, 2);
  expect(levenshteinDistance(a, b)).toBe(levenshtein);
  expect(levenshteinDistance(b, a)).toBe(levenshtein);
  expect(indelDistance(a, b)).toBe(indel);
  expect(indelDistance(b, a)).toBe(indel);
  // Indel first: the Levenshtein distance of the same pair then starts from the indel bound.
  expect(indelDistance(a, `${b}`)).toBe(indel);
  expect(levenshteinDistance(a, `${b}`)).toBe(levenshtein);
}

describe('long texts (banded kernels)', () => {
  const alphabet = ['a', 'b', 'c', 'd', 'e', ' ', '.', 'r', 'o', 't'];

  it('matches the O(n·m) reference on similar texts of many lengths', () => {
    const lengths = [33, 40, 63, 64, 65, 95, 96, 97, 127, 128, 129, 160, 200, 257, 320, 450, 600];
    let seed = 5000;
    for (const length of lengths) {
      for (const rate of [0.02, 0.1, 0.3]) {
        seed++;
        const a = randomText(seed, length, alphabet);
        expectBothDistances(a, mutate(seed, a, rate, alphabet));
      }
    }
  });

  it('matches the O(n·m) reference on unrelated texts of many lengths', () => {
    let seed = 6000;
    for (const [lengthA, lengthB] of [[40, 70], [64, 64], [100, 97], [200, 260], [333, 129], [500, 480]] as const) {
      seed++;
      expectBothDistances(randomText(seed, lengthA, alphabet), randomText(seed * 17, lengthB, alphabet));
    }
  });

  it('matches the reference on the benchmark workload (paraphrases with swapped lines)', async () => {
    const { makeTextPairs } = await import('../bench/corpus.js');
    for (const pair of makeTextPairs(6, 1500, 99)) expectBothDistances(pair.prediction, pair.reference);
  });

  // The first pass certifies costs up to this width + 1 (95 + 1 today); the cases sit on both sides.
  const band = internals.firstBand;
  const half = Math.floor(band / 2);

  it('is exact with the distance exactly at, and just past, the first band', () => {
    // Substituting s characters by one absent from the text: Levenshtein s, indel 2s, lengths equal.
    const base = randomText(77, 700, alphabet);
    for (const substitutions of [half, half + 1, band - 1, band, band + 1, band + 2]) {
      const changed = substituteAt(base, spread(substitutions, 700), 'X');
      expect(levenshteinDistance(base, changed)).toBe(substitutions);
      expect(indelDistance(base, changed)).toBe(2 * substitutions);
      expect(levenshteinDistance(changed, base)).toBe(substitutions);
    }
    // Deleting a block of d characters: both distances exactly d, the alignment on diagonals 0..d.
    for (const removed of [band - 1, band, band + 1, band + 2, 2 * band + 1, 2 * band + 2]) {
      const shorter = base.slice(0, 300) + base.slice(300 + removed);
      expect(levenshteinDistance(base, shorter)).toBe(removed);
      expect(indelDistance(shorter, base)).toBe(removed);
      expectBothDistances(base.slice(0, 500), shorter.slice(0, 500 - removed));
    }
  });

  it('is exact when the first band costs just past its width but a cheaper alignment leaves it', () => {
    // a = U + C, b = C + V over disjoint characters, |U| = |V| = s = half + 1: shifting C by s
    // (2s edits) leaves the first band (diagonals −half..half), whose best costs s + |C| = 2s + 1
    // for |C| = s + 1 and 2s + 2 for |C| = s + 2.
    const run = (from: number, length: number): string => String.fromCodePoint(...Array.from({ length }, (_, i) => from + i));
    const shift = half + 1;
    for (const common of [shift + 1, shift + 2]) {
      const a = run(0x4e00, shift) + run(0x3040, common);
      const b = run(0x3040, common) + run(0xac00, shift);
      expect(levenshteinDistance(a, b)).toBe(2 * shift);
      expect(levenshteinDistance(b, a)).toBe(2 * shift);
      expect(indelDistance(a, b)).toBe(2 * shift);
    }
  });

  it('is exact when the optimal alignment leaves the first band (moved blocks)', () => {
    const text = randomText(91, 900, alphabet);
    for (const blockLength of [60, 130, 250]) {
      const moved = text.slice(blockLength, 2 * blockLength) + text.slice(0, blockLength) + text.slice(2 * blockLength);
      expectBothDistances(text, moved);
      expectBothDistances(text.slice(0, 500), moved.slice(0, 470));
    }
  });

  it('handles one string much longer than the other', () => {
    const long = randomText(31, 1200, alphabet);
    for (const [start, length] of [[0, 33], [500, 40], [100, 300], [0, 1100]] as const) {
      expectBothDistances(long, long.slice(start, start + length));
      expectBothDistances(long, mutate(start + length, long.slice(start, start + length), 0.2, alphabet));
    }
    expectBothDistances(long.slice(0, 700), randomText(32, 35, alphabet));
  });

  it('ignores long common prefixes and suffixes', () => {
    const prefix = randomText(41, 1000, alphabet);
    const suffix = randomText(42, 800, alphabet);
    expect(indelDistance(prefix + suffix, prefix + suffix)).toBe(0);
    expect(levenshteinDistance(`${prefix}xyz${suffix}`, `${prefix}${suffix}`)).toBe(3);
    expect(indelDistance(`${prefix}xyz${suffix}`, `${prefix}q${suffix}`)).toBe(4);
    expect(levenshteinDistance(`${prefix}xyz${suffix}`, `${prefix}q${suffix}`)).toBe(3);
    // The affix is all of one string: the rest of the other is the distance.
    expect(levenshteinDistance(prefix, prefix + suffix)).toBe(800);
    expect(indelDistance(prefix + suffix, suffix)).toBe(1000);
    // A long middle between long affixes goes through the banded kernels.
    const middleA = randomText(43, 300, alphabet);
    const middleB = mutate(44, middleA, 0.2, alphabet);
    expect(levenshteinDistance(prefix + middleA + suffix, prefix + middleB + suffix)).toBe(referenceEditDistance(middleA, middleB, 1));
    expect(indelDistance(prefix + middleA + suffix, prefix + middleB + suffix)).toBe(referenceEditDistance(middleA, middleB, 2));
  });

  it('counts astral characters once in long texts', () => {
    const astral = ['a', 'b', ' ', '😀', '😁', '𝔘', '👩', '\u200d', 'é', '𝄞'];
    for (const [seed, length] of [[1, 70], [2, 150], [3, 400]] as const) {
      const a = randomText(seed + 300, length, astral);
      expectBothDistances(a, mutate(seed, a, 0.15, astral));
      expectBothDistances(a, randomText(seed + 400, length - 5, astral));
    }
    const long = randomText(9, 300, astral);
    const dropped = Array.from(long).slice(0, -2).join('');
    expect(levenshteinDistance(long, dropped)).toBe(2);
    expect(normalizedLevenshteinSimilarity(long, dropped)).toBe(1 - 2 / 300);
  });

  it('agrees around the one-word (32) and short-text (64 UTF-16 units) thresholds, with and without surrogates', () => {
    const sizes = [[32, 32], [32, 33], [33, 33], [31, 64], [1, 32], [64, 64], [64, 65], [65, 65], [63, 128], [2, 64]] as const;
    for (const [lengthA, lengthB] of sizes) {
      const a = randomText(lengthA * 3 + lengthB, lengthA, alphabet);
      const b = mutate(lengthB, randomText(lengthA + lengthB * 5, lengthB, alphabet), 0.3, alphabet);
      expectBothDistances(a, b);
      // The same lengths in UTF-16 units, but two units are one astral character.
      expectBothDistances(`${a.slice(0, -2)}😀`, b);
    }
  });

  it('computes each distance once per pair and still answers every call for it', () => {
    const a = randomText(51, 400, alphabet);
    const b = mutate(52, a, 0.2, alphabet);
    const indel = referenceEditDistance(a, b, 2);
    const levenshtein = referenceEditDistance(a, b, 1);
    const lengthSum = a.length + b.length;
    // Levenshtein before indel, then the ratios of the same pair, then a new pair and back.
    expect(levenshteinDistance(a, b)).toBe(levenshtein);
    expect(normalizedLevenshteinSimilarity(a, b)).toBe(1 - levenshtein / Math.max(a.length, b.length));
    expect(indelDistance(a, b)).toBe(indel);
    expect(levenshteinRatio(a, b)).toBe((lengthSum - indel) / lengthSum);
    expect(fuzzRatio(a, b)).toBe(roundHalfToEven((100 * (lengthSum - indel)) / lengthSum));
    expect(indelDistance(a, a)).toBe(0);
    expect(levenshteinDistance(b, a)).toBe(levenshtein);
    expect(indelDistance('', '')).toBe(0);
    expect(levenshteinRatio(a, b)).toBe((lengthSum - indel) / lengthSum);
    expect(levenshteinDistance(a, b)).toBe(levenshtein);
  });
});
