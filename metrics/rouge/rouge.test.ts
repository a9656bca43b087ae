import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lcsIndices } from './lcs.js';
import {
  DEFAULT_ROUGE_TYPES,
  meanFmeasure,
  rougeCounts,
  rougeScore,
  rougeScoreMulti,
  scoreFromCounts,
  type RougeScores,
} from './rouge.js';
import { tokenize } from './tokenize.js';

const Score = z.object({ precision: z.number(), recall: z.number(), fmeasure: z.number() });
const Scores = z.object({ rouge1: Score, rouge2: Score, rougeL: Score, rougeLsum: Score });
const Means = z.object({ rouge1: z.number(), rouge2: z.number(), rougeL: z.number(), rougeLsum: z.number() });
const golden = z
  .object({
    pairs: z.array(
      z.object({ id: z.string(), prediction: z.string(), reference: z.string(), rouge: Scores, rouge_stem: Scores }),
    ),
    corpus_groups: z.array(
      z.object({
        id: z.string(),
        pair_ids: z.array(z.string()),
        hf_rouge: z.object({ mean_fmeasure: Means, mean_fmeasure_stem: Means }),
      }),
    ),
    multi_reference: z.object({
      cases: z.array(
        z.object({
          id: z.string(),
          prediction: z.string(),
          references: z.array(z.string()),
          rouge_score_multi: Scores,
          rouge_score_multi_stem: Scores,
        }),
      ),
      corpus: z.object({ case_ids: z.array(z.string()), hf_rouge_mean_of_score_multi: Means }),
    }),
  })
  .parse(JSON.parse(readFileSync(new URL('../../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')));

// Golden tolerance for ROUGE (test/fixtures/golden/README.md).
const TOLERANCE = 1e-12;

/** Every (type, field) where `actual` is further than TOLERANCE from `expected`, labelled with `id`. */
function scoreMismatches(id: string, actual: RougeScores, expected: z.infer<typeof Scores>): string[] {
  return DEFAULT_ROUGE_TYPES.flatMap((type) =>
    (['precision', 'recall', 'fmeasure'] as const)
      .filter((field) => !(Math.abs(actual[type][field] - expected[type][field]) <= TOLERANCE))
      .map((field) => `${id} ${type}.${field}: got ${actual[type][field]}, want ${expected[type][field]}`),
  );
}

function meanMismatches(id: string, actual: Record<string, number>, expected: z.infer<typeof Means>): string[] {
  return DEFAULT_ROUGE_TYPES.filter((type) => !(Math.abs((actual[type] ?? Number.NaN) - expected[type]) <= TOLERANCE)).map(
    (type) => `${id} ${type}: got ${actual[type]}, want ${expected[type]}`,
  );
}

const pairsById = new Map(golden.pairs.map((pair) => [pair.id, pair]));
function pairScores(ids: readonly string[], stem: boolean): RougeScores[] {
  return ids.map((id) => {
    const pair = pairsById.get(id);
    if (pair === undefined) throw new Error(`unknown pair ${id}`);
    return rougeScore(pair.prediction, pair.reference, { stem });
  });
}

describe('rougeScore matches rouge_score 0.1.2', () => {
  it('on every golden pair without the stemmer', () => {
    expect(golden.pairs).toHaveLength(311);
    const mismatches = golden.pairs.flatMap((pair) =>
      scoreMismatches(pair.id, rougeScore(pair.prediction, pair.reference), pair.rouge),
    );
    expect(mismatches).toEqual([]);
  });

  it('on every golden pair with the stemmer', () => {
    const mismatches = golden.pairs.flatMap((pair) =>
      scoreMismatches(pair.id, rougeScore(pair.prediction, pair.reference, { stem: true }), pair.rouge_stem),
    );
    expect(mismatches).toEqual([]);
  });

  it('computes only the requested types, in their order', () => {
    const scores = rougeScore('the cat sat', 'the cat sat down', { types: ['rougeLsum', 'rouge3'] });
    expect(Object.keys(scores)).toEqual(['rougeLsum', 'rouge3']);
    expect(scores.rouge3).toEqual({ precision: 1, recall: 0.5, fmeasure: 2 / 3 });
  });

  it('rejects type names rouge_score rejects', () => {
    expect(() => rougeScore('a', 'a', { types: ['rouge0' as 'rouge1'] })).toThrow('Invalid rouge type: rouge0');
    expect(() => rougeScore('a', 'a', { types: ['rougeW' as 'rouge1'] })).toThrow('Invalid rouge type: rougeW');
  });
});

describe('rougeScoreMulti matches rouge_score 0.1.2 score_multi', () => {
  it('on every golden multi-reference case, with and without the stemmer', () => {
    const mismatches = golden.multi_reference.cases.flatMap((c) => [
      ...scoreMismatches(c.id, rougeScoreMulti(c.prediction, c.references), c.rouge_score_multi),
      ...scoreMismatches(`${c.id} (stem)`, rougeScoreMulti(c.prediction, c.references, { stem: true }), c.rouge_score_multi_stem),
    ]);
    expect(mismatches).toEqual([]);
  });

  it('needs at least one reference', () => {
    expect(() => rougeScoreMulti('a', [])).toThrow(RangeError);
  });
});

describe('meanFmeasure matches the HF evaluate rouge mean', () => {
  it('on every golden corpus group, with and without the stemmer', () => {
    const mismatches = golden.corpus_groups.flatMap((group) => [
      ...meanMismatches(group.id, meanFmeasure(pairScores(group.pair_ids, false)), group.hf_rouge.mean_fmeasure),
      ...meanMismatches(`${group.id} (stem)`, meanFmeasure(pairScores(group.pair_ids, true)), group.hf_rouge.mean_fmeasure_stem),
    ]);
    expect(mismatches).toEqual([]);
  });

  it('on the multi-reference corpus (mean of score_multi)', () => {
    const cases = new Map(golden.multi_reference.cases.map((c) => [c.id, c]));
    const scores = golden.multi_reference.corpus.case_ids.map((id) => {
      const c = cases.get(id);
      if (c === undefined) throw new Error(`unknown case ${id}`);
      return rougeScoreMulti(c.prediction, c.references);
    });
    expect(meanMismatches('A_multiref_corpus', meanFmeasure(scores), golden.multi_reference.corpus.hf_rouge_mean_of_score_multi)).toEqual([]);
  });

  it('needs at least one score', () => {
    expect(() => meanFmeasure([])).toThrow(RangeError);
  });
});

// Straight port of rouge_score `_lcs_table` + `_backtrack_norec`, the oracle for the bit-parallel version.
function referenceLcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const table = Array.from({ length: ref.length + 1 }, () => new Array<number>(can.length + 1).fill(0));
  const at = (i: number, j: number): number => table[i]?.[j] ?? 0;
  for (let i = 1; i <= ref.length; i += 1) {
    for (let j = 1; j <= can.length; j += 1) {
      table[i]![j] = ref[i - 1] === can[j - 1] ? at(i - 1, j - 1) + 1 : Math.max(at(i - 1, j), at(i, j - 1));
    }
  }
  const lcs: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      lcs.unshift(i - 1);
      i -= 1;
      j -= 1;
    } else if (at(i, j - 1) > at(i - 1, j)) j -= 1;
    else i -= 1;
  }
  return lcs;
}

/** Deterministic xorshift32, so failures reproduce. */
function randomTokens(seed: number, count: number, alphabet: number): string[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return `t${(state >>> 0) % alphabet}`;
  });
}

// Straight port of rouge_score `_summary_level_lcs` on newline sentences, over the oracle above.
function referenceSummaryLevelHits(prediction: string, reference: string): number {
  const sentences = (text: string): string[][] => text.split('\n').filter((line) => line.length > 0).map((line) => tokenize(line));
  const refSentences = sentences(reference);
  const predictionSentences = sentences(prediction);
  const left = (groups: string[][]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const token of groups.flat()) counts.set(token, (counts.get(token) ?? 0) + 1);
    return counts;
  };
  const refLeft = left(refSentences);
  const predictionLeft = left(predictionSentences);
  let hits = 0;
  for (const ref of refSentences) {
    const union = [...new Set(predictionSentences.flatMap((c) => referenceLcsIndices(ref, c)))].sort((a, b) => a - b);
    for (const index of union) {
      const token = ref[index]!;
      if ((predictionLeft.get(token) ?? 0) > 0 && (refLeft.get(token) ?? 0) > 0) {
        hits += 1;
        predictionLeft.set(token, predictionLeft.get(token)! - 1);
        refLeft.set(token, refLeft.get(token)! - 1);
      }
    }
  }
  return hits;
}

/** Random text over a small vocabulary with random line breaks (blank lines included). */
function randomLines(seed: number, count: number, alphabet: number): string {
  return randomTokens(seed, count, alphabet)
    .map((token, k) => token + ((seed + k * 7) % 5 === 0 ? '\n' : (seed * k) % 11 === 0 ? '\n\n' : ' '))
    .join('');
}

describe('ROUGE-Lsum union LCS', () => {
  it('matches a straight port of _summary_level_lcs on random multi-line texts', () => {
    const mismatches: string[] = [];
    for (let seed = 1; seed <= 200; seed += 1) {
      const prediction = randomLines(seed, (seed * 11) % 120, 2 + (seed % 7));
      const reference = randomLines(seed * 17 + 3, (seed * 5) % 110, 2 + (seed % 7));
      const got = rougeCounts(prediction, reference, { types: ['rougeLsum'] }).rougeLsum;
      const want = referenceSummaryLevelHits(prediction, reference);
      if (got.hits !== want) mismatches.push(`seed ${seed}: got ${got.hits} want ${want}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('lcsIndices (rouge_score lcs_ind)', () => {
  it('reads out the same LCS as rouge_score, tie-breaking included, across word boundaries', () => {
    const mismatches: string[] = [];
    for (let seed = 1; seed <= 300; seed += 1) {
      // Lengths straddle the 32-token word size; small alphabets make many tied paths.
      const ref = randomTokens(seed, (seed * 7) % 90, 2 + (seed % 5));
      const can = randomTokens(seed * 31 + 7, (seed * 13) % 100, 2 + (seed % 5));
      const got = lcsIndices(ref, can);
      const want = referenceLcsIndices(ref, can);
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`seed ${seed}: got ${got.join(',')} want ${want.join(',')}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('returns reference indices in ascending order', () => {
    expect(lcsIndices(['a', 'b', 'c', 'b'], ['b', 'c'])).toEqual([1, 2]);
    expect(lcsIndices([], ['a'])).toEqual([]);
  });
});

describe('rougeCounts', () => {
  it('exposes the hits and totals behind each score', () => {
    const counts = rougeCounts('the cat was found\nunder the bed', 'the cat was under the bed');
    expect(counts.rouge1).toEqual({ hits: 6, predictionTotal: 7, referenceTotal: 6 });
    expect(counts.rouge2).toEqual({ hits: 4, predictionTotal: 6, referenceTotal: 5 });
    expect(counts.rougeL).toEqual({ hits: 6, predictionTotal: 7, referenceTotal: 6 });
    expect(counts.rougeLsum).toEqual({ hits: 6, predictionTotal: 7, referenceTotal: 6 });
  });

  it('turns counts into rouge_score precision, recall and F', () => {
    expect(scoreFromCounts({ hits: 2, predictionTotal: 4, referenceTotal: 3 })).toEqual({
      precision: 0.5,
      recall: 2 / 3,
      fmeasure: (2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3),
    });
    expect(scoreFromCounts({ hits: 0, predictionTotal: 0, referenceTotal: 3 })).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });

  it('dedupes ROUGE-Lsum hits by the tokens each side has left', () => {
    // Both reference lines match the single prediction 'a', but the prediction holds one 'a' only.
    expect(rougeCounts('a', 'a\na', { types: ['rougeLsum'] }).rougeLsum).toEqual({
      hits: 1,
      predictionTotal: 1,
      referenceTotal: 2,
    });
  });

  it('splits ROUGE-Lsum sentences with a custom splitter when given one', () => {
    const bySemicolon = (text: string): string[] => text.split(';');
    expect(rougeScore('a b; c d', 'c d; a b', { sentenceSplitter: bySemicolon, types: ['rougeLsum'] })).toEqual(
      rougeScore('a b\n c d', 'c d\n a b', { types: ['rougeLsum'] }),
    );
  });
});
