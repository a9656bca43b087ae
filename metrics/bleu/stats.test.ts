import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  bleuSegmentStats,
  chooseReferenceLength,
  corpusSegmentStats,
  hfAndSacrebleuSegmentStats,
  sumSegmentStats,
  type BleuSegmentStats,
} from './stats.js';
import { sacrebleuBleuTokens, tokenize13a } from './tokenizer13a.js';

/** The textbook definition with joined-string n-gram keys, as an oracle for the integer-id counting. */
function naiveSegmentStats(hypothesis: string[], references: string[][]): BleuSegmentStats {
  const ngramCounts = (tokens: string[], n: number): Map<string, number> => {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join('\u0000');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const orders = [1, 2, 3, 4];
  const matches = orders.map((n) => {
    const refCounts = references.map((reference) => ngramCounts(reference, n));
    let clipped = 0;
    for (const [ngram, count] of ngramCounts(hypothesis, n)) {
      clipped += Math.min(count, Math.max(0, ...refCounts.map((counts) => counts.get(ngram) ?? 0)));
    }
    return clipped;
  });
  const totals = orders.map((n) => Math.max(0, hypothesis.length - n + 1));
  return { matches, totals, hypLen: hypothesis.length, refLens: references.map((reference) => reference.length) };
}

/** Deterministic token sequences over a tiny vocabulary, so that n-grams repeat and collide often. */
function* randomSegments(count: number): Generator<{ hypothesis: string[]; references: string[][] }> {
  let state = 20240611;
  const next = (bound: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % bound;
  };
  const sentence = (): string[] => Array.from({ length: next(12) }, () => 'abcd'.charAt(next(4)));
  for (let i = 0; i < count; i++) {
    yield { hypothesis: sentence(), references: Array.from({ length: 1 + next(3) }, sentence) };
  }
}

describe('bleuSegmentStats', () => {
  it('clips each hypothesis n-gram by its largest count in any single reference', () => {
    expect(bleuSegmentStats(['the', 'the', 'the', 'the'], [['the', 'cat'], ['the', 'the']])).toEqual({
      matches: [2, 1, 0, 0],
      totals: [4, 3, 2, 1],
      hypLen: 4,
      refLens: [2, 2],
    });
  });

  it('handles empty hypotheses and references', () => {
    expect(bleuSegmentStats([], [[], ['x']])).toEqual({ matches: [0, 0, 0, 0], totals: [0, 0, 0, 0], hypLen: 0, refLens: [0, 1] });
    expect(bleuSegmentStats(['x'], [[]])).toEqual({ matches: [0, 0, 0, 0], totals: [1, 0, 0, 0], hypLen: 1, refLens: [0] });
  });

  it('rejects a segment without references', () => {
    expect(() => bleuSegmentStats(['x'], [])).toThrow(RangeError);
  });

  it('counts a segment too long for the reused working arrays, and short ones after it', () => {
    const long = Array.from({ length: 180_000 }, (_, i) => `w${i % 7919}`);
    expect(bleuSegmentStats(long, [long.slice(1)])).toEqual({
      matches: [179_999, 179_998, 179_997, 179_996],
      totals: [180_000, 179_999, 179_998, 179_997],
      hypLen: 180_000,
      refLens: [179_999],
    });
    expect(bleuSegmentStats(['a', 'b'], [['b', 'a']]).matches).toEqual([2, 0, 0, 0]);
  });

  it('agrees with joined-string n-gram counting on 2,000 random multi-reference segments', () => {
    for (const { hypothesis, references } of randomSegments(2000)) {
      expect(bleuSegmentStats(hypothesis, references)).toEqual(naiveSegmentStats(hypothesis, references));
    }
  });
});

describe('chooseReferenceLength', () => {
  it("'shortest' is nmt's min over references", () => {
    expect(chooseReferenceLength(9, [7, 3, 12], 'shortest')).toBe(3);
  });

  it("'closest' breaks ties toward the shorter reference, as sacreBLEU and nltk do", () => {
    expect(chooseReferenceLength(12, [13, 11], 'closest')).toBe(11);
    expect(chooseReferenceLength(12, [13, 2], 'closest')).toBe(13);
    expect(chooseReferenceLength(7, [8, 6, 0], 'closest')).toBe(6);
  });

  it('rejects an empty reference list', () => {
    expect(() => chooseReferenceLength(1, [], 'closest')).toThrow(RangeError);
  });
});

describe('sumSegmentStats', () => {
  it('sums matches, totals and lengths with the chosen reference length per segment', () => {
    const stats = [
      { matches: [3, 2, 1, 0], totals: [4, 3, 2, 1], hypLen: 4, refLens: [2, 5] },
      { matches: [1, 0, 0, 0], totals: [1, 0, 0, 0], hypLen: 1, refLens: [1] },
    ];
    expect(sumSegmentStats(stats, 'shortest')).toEqual({ matches: [4, 2, 1, 0], totals: [5, 3, 2, 1], hypLen: 5, refLen: 3 });
    expect(sumSegmentStats(stats, 'closest')).toEqual({ matches: [4, 2, 1, 0], totals: [5, 3, 2, 1], hypLen: 5, refLen: 6 });
  });
});

describe('hfAndSacrebleuSegmentStats', () => {
  const SegmentGolden = z.object({
    pairs: z.array(z.object({ prediction: z.string(), reference: z.string() })),
    multi_reference: z.object({ cases: z.array(z.object({ prediction: z.string(), references: z.array(z.string()) })) }),
  });
  const golden = SegmentGolden.parse(
    JSON.parse(readFileSync(new URL('../../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')),
  );
  const predictions = [...golden.pairs.map((p) => p.prediction), ...golden.multi_reference.cases.map((c) => c.prediction)];
  const references = [...golden.pairs.map((p) => [p.reference]), ...golden.multi_reference.cases.map((c) => c.references)];

  it('equals each variant computed alone, and from token lists, on every golden segment', () => {
    const fromTokenLists = (tokenize: (line: string) => string[]): BleuSegmentStats[] =>
      predictions.map((prediction, i) => bleuSegmentStats(tokenize(prediction), (references[i] ?? []).map(tokenize)));
    const hf = corpusSegmentStats(predictions, references, 'hf');
    const sacrebleu = corpusSegmentStats(predictions, references, 'sacrebleu');
    expect(hf).toEqual(fromTokenLists(tokenize13a));
    expect(sacrebleu).toEqual(fromTokenLists(sacrebleuBleuTokens));
    expect(hfAndSacrebleuSegmentStats(predictions, references)).toEqual({ hf, sacrebleu });
  });

  it('computes a segment once unless rstripping changes its tokens', () => {
    const { hf, sacrebleu } = hfAndSacrebleuSegmentStats(
      ['plain line', 'ends with newline\n', 'hyphen at the end-\n', 'x'],
      [['plain'], ['ends'], ['hyphen at the end'], ['trail-\n']],
    );
    expect(hf.map((stats, i) => stats === sacrebleu[i])).toEqual([true, true, false, false]);
    expect(hf[2]?.matches).toEqual([4, 3, 2, 1]);
    expect(sacrebleu[2]?.matches).toEqual([3, 2, 1, 0]);
  });

  it('rejects misaligned predictions and references', () => {
    expect(() => hfAndSacrebleuSegmentStats(['a', 'b'], [['a']])).toThrow(RangeError);
  });
});
