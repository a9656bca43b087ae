/** chrF and chrF++ against every figure of chrf.public.json (sacreBLEU 2.6), plus corner cases computed with sacreBLEU 2.6's chrf.py. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CHRF,
  CHRF_PLUS_PLUS,
  chrfCorpus,
  chrfCorpusStatistics,
  chrfFromStatistics,
  chrfSegmentStatistics,
  chrfSentence,
  chrfStatistic,
  sumChrfStatistics,
  type ChrfParameters,
} from './chrf.js';
import { bootstrapReplicates, fullSampleValue } from './statistics/bootstrap.js';
import { resampleIndices } from './statistics/random.js';
import { lookupById as lookup } from '../test/support/golden.js';

const Score = z.object({ score: z.number() });
const Figures = { chrf: Score, chrfpp: Score };
const ChrfGolden = z.object({
  meta: z.object({ sacrebleu: z.literal('2.6.0') }),
  pairs: z.array(z.object({ id: z.string(), prediction: z.string(), reference: z.string(), ...Figures })),
  corpus_groups: z.array(z.object({ id: z.string(), pair_ids: z.array(z.string()), ...Figures })),
  multi_reference: z.object({
    cases: z.array(z.object({ id: z.string(), prediction: z.string(), references: z.array(z.string()), ...Figures })),
    corpus: z.object({ id: z.string(), case_ids: z.array(z.string()), ...Figures }),
  }),
});

const golden = ChrfGolden.parse(
  JSON.parse(readFileSync(new URL('../test/fixtures/golden/chrf.public.json', import.meta.url), 'utf8')),
);

/** One golden corpus (a single pair is a corpus of one); `sentence` when sacreBLEU's figure is `sentence_score`. */
interface CorpusCase {
  id: string;
  predictions: string[];
  references: string[][];
  chrf: number;
  chrfpp: number;
  sentence: boolean;
}


const pairCases: CorpusCase[] = golden.pairs.map((pair) => ({
  id: pair.id,
  predictions: [pair.prediction],
  references: [[pair.reference]],
  chrf: pair.chrf.score,
  chrfpp: pair.chrfpp.score,
  sentence: true,
}));
const groupCases: CorpusCase[] = golden.corpus_groups.map((group) => {
  const pairs = lookup(golden.pairs, group.pair_ids);
  return {
    id: group.id,
    predictions: pairs.map((pair) => pair.prediction),
    references: pairs.map((pair) => [pair.reference]),
    chrf: group.chrf.score,
    chrfpp: group.chrfpp.score,
    sentence: false,
  };
});
const multiReferenceCases: CorpusCase[] = golden.multi_reference.cases.map((mr) => ({
  id: mr.id,
  predictions: [mr.prediction],
  references: [mr.references],
  chrf: mr.chrf.score,
  chrfpp: mr.chrfpp.score,
  sentence: true,
}));
const multiReferenceCorpus = golden.multi_reference.corpus;
const multiReferenceCorpusCases = lookup(golden.multi_reference.cases, multiReferenceCorpus.case_ids);
const corpusCases: CorpusCase[] = [
  ...groupCases,
  {
    id: multiReferenceCorpus.id,
    predictions: multiReferenceCorpusCases.map((mr) => mr.prediction),
    references: multiReferenceCorpusCases.map((mr) => mr.references),
    chrf: multiReferenceCorpus.chrf.score,
    chrfpp: multiReferenceCorpus.chrfpp.score,
    sentence: false,
  },
];
const sentenceCases = [...pairCases, ...multiReferenceCases];

const VARIANTS: readonly { name: 'chrf' | 'chrfpp'; parameters: ChrfParameters }[] = [
  { name: 'chrf', parameters: CHRF },
  { name: 'chrfpp', parameters: CHRF_PLUS_PLUS },
];

/** Tighter than the fixture's 1e-9: the f-score keeps Python's operation order, so the doubles agree. */
const RELATIVE_TOLERANCE = 1e-12;

function expectWithinRelative(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE * Math.abs(expected));
}

describe('golden fixture coverage', () => {
  it('reads every pair, corpus group and multi-reference case', () => {
    expect(pairCases).toHaveLength(311);
    expect(groupCases).toHaveLength(21);
    expect(multiReferenceCases).toHaveLength(15);
    expect(multiReferenceCorpusCases).toHaveLength(7);
  });
});

describe.each(VARIANTS)('$name', ({ name, parameters }) => {
  describe('chrfSentence = CHRF(...).sentence_score', () => {
    it.each(sentenceCases)('$id', (c) => {
      expectWithinRelative(chrfSentence(c.predictions[0]!, c.references[0]!, parameters), c[name], c.id);
    });
  });

  describe('chrfCorpus = CHRF(...).corpus_score', () => {
    it.each(corpusCases)('$id', (c) => {
      expectWithinRelative(chrfCorpus(c.predictions, c.references, parameters), c[name], c.id);
    });
  });

  describe('chrfStatistic finalizes summed segment statistics to the corpus score', () => {
    it.each(corpusCases)('$id', (c) => {
      const segments = chrfCorpusStatistics(c.predictions, c.references, parameters);
      expect(fullSampleValue(chrfStatistic(segments, parameters))).toBe(chrfCorpus(c.predictions, c.references, parameters));
      expect(chrfFromStatistics(sumChrfStatistics(segments, parameters), parameters.beta)).toBe(
        chrfCorpus(c.predictions, c.references, parameters),
      );
    });
  });
});

describe('chrfStatistic in a bootstrap', () => {
  it('gives each resample the chrF of its resampled segments', () => {
    const resamples = 20;
    const [allPairs] = corpusCases.filter((c) => c.id === 'A_all');
    const segments = chrfCorpusStatistics(allPairs!.predictions, allPairs!.references, CHRF_PLUS_PLUS);
    const n = segments.length;
    const indices = resampleIndices(n, resamples, 77);
    const [replicates] = bootstrapReplicates([chrfStatistic(segments, CHRF_PLUS_PLUS)], { seed: 77, resamples });
    for (let r = 0; r < resamples; r++) {
      const resampled = Array.from(indices.subarray(r * n, (r + 1) * n), (i) => segments[i]!);
      expect(replicates![r]).toBe(chrfFromStatistics(sumChrfStatistics(resampled, CHRF_PLUS_PLUS)));
    }
  });
});

/**
 * Computed with sacreBLEU 2.6.0 `CHRF()` / `CHRF(word_order=2)`: `sentence_score(...).score` and
 * `_extract_corpus_statistics([prediction], [[r] for r in references])[0]`. They pin Python's
 * whitespace (U+001C–U+001F, U+0085 split, U+FEFF and U+200B do not), code points (astral
 * characters are one character), `_remove_punctuation`, empty sides and the first reference
 * winning a tie of f-scores (the last two cases).
 */
const SACREBLEU_CASES = [
  {
    prediction: 'tab\tand\u000bvt\fff\rcr\u001cfs\u001dgs\u001ers\u001fus\u0085nel\u00a0nbsp\u3000ideo\u2009thin',
    references: ['tab and vt ff cr fs gs rs us nel nbsp ideo thin'],
    chrf: 100,
    chrfpp: 100,
    chrfStatistics: [35, 35, 35, 34, 34, 34, 33, 33, 33, 32, 32, 32, 31, 31, 31, 30, 30, 30],
    chrfppStatistics: [35, 35, 35, 34, 34, 34, 33, 33, 33, 32, 32, 32, 31, 31, 31, 30, 30, 30, 13, 13, 13, 12, 12, 12],
  },
  {
    prediction: 'zero\ufeffwidth no\u200bbreak',
    references: ['zero width no break', 'zerowidth nobreak'],
    chrf: 58.912236225918235,
    chrfpp: 44.18417716943868,
    chrfStatistics: [18, 16, 16, 17, 15, 13, 16, 14, 10, 15, 13, 7, 14, 12, 4, 13, 11, 2],
    chrfppStatistics: [18, 16, 16, 17, 15, 13, 16, 14, 10, 15, 13, 7, 14, 12, 4, 13, 11, 2, 2, 4, 0, 1, 3, 0],
  },
  {
    prediction: 'emoji \ud83d\ude00\ud83d\ude00 here \ud83d\ude00',
    references: ['emoji \ud83d\ude00 here \ud83d\ude00\ud83d\ude00'],
    chrf: 70.87301587301587,
    chrfpp: 65.6547619047619,
    chrfStatistics: [12, 12, 12, 11, 11, 11, 10, 10, 8, 9, 9, 6, 8, 8, 4, 7, 7, 2],
    chrfppStatistics: [12, 12, 12, 11, 11, 11, 10, 10, 8, 9, 9, 6, 8, 8, 4, 7, 7, 2, 4, 4, 4, 3, 3, 0],
  },
  {
    prediction: '\ud83d\ude00',
    references: ['\ud83d\ude00'],
    chrf: 100,
    chrfpp: 100,
    chrfStatistics: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0],
  },
  {
    prediction: '\u65e5\u672c\u8a9e\u306e\u30ed\u30b0 \u89e3\u6790',
    references: ['\u65e5\u672c\u8a9e \u30ed\u30b0\u306e\u89e3\u6790'],
    chrf: 28.968253968253972,
    chrfpp: 21.726190476190478,
    chrfStatistics: [8, 8, 8, 7, 7, 4, 6, 6, 1, 5, 5, 0, 4, 4, 0, 3, 3, 0],
    chrfppStatistics: [8, 8, 8, 7, 7, 4, 6, 6, 1, 5, 5, 0, 4, 4, 0, 3, 3, 0, 2, 2, 0, 1, 1, 0],
  },
  {
    prediction: '(hi) ((x)) .a. ,b ! ? -- \'q\'',
    references: ['( hi ) ( ( x ) ) . a . , b ! ? - - \' q \''],
    chrf: 100,
    chrfpp: 86.06096071646652,
    chrfStatistics: [21, 21, 21, 20, 20, 20, 19, 19, 19, 18, 18, 18, 17, 17, 17, 16, 16, 16],
    chrfppStatistics: [21, 21, 21, 20, 20, 20, 19, 19, 19, 18, 18, 18, 17, 17, 17, 16, 16, 16, 14, 20, 10, 13, 19, 6],
  },
  {
    prediction: 'error: disk /dev/sda1 full.',
    references: ['error : disk /dev/sda1 full .'],
    chrf: 100,
    chrfpp: 100,
    chrfStatistics: [24, 24, 24, 23, 23, 23, 22, 22, 22, 21, 21, 21, 20, 20, 20, 19, 19, 19],
    chrfppStatistics: [24, 24, 24, 23, 23, 23, 22, 22, 22, 21, 21, 21, 20, 20, 20, 19, 19, 19, 7, 7, 7, 6, 6, 6],
  },
  {
    prediction: 'a',
    references: ['a'],
    chrf: 100,
    chrfpp: 100,
    chrfStatistics: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0],
  },
  {
    prediction: 'a',
    references: ['b'],
    chrf: 0,
    chrfpp: 0,
    chrfStatistics: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
  },
  {
    prediction: 'ab',
    references: ['a b'],
    chrf: 100,
    chrfpp: 66.66666666666666,
    chrfStatistics: [2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 1, 0],
  },
  {
    prediction: 'abcdefg',
    references: ['abcdefgh'],
    chrf: 83.07482317905449,
    chrfpp: 71.2069912963324,
    chrfStatistics: [7, 8, 7, 6, 7, 6, 5, 6, 5, 4, 5, 4, 3, 4, 3, 2, 3, 2],
    chrfppStatistics: [7, 8, 7, 6, 7, 6, 5, 6, 5, 4, 5, 4, 3, 4, 3, 2, 3, 2, 1, 1, 0, 0, 0, 0],
  },
  {
    prediction: '   ',
    references: ['x'],
    chrf: 0,
    chrfpp: 0,
    chrfStatistics: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
  },
  {
    prediction: 'x',
    references: ['   '],
    chrf: 0,
    chrfpp: 0,
    chrfStatistics: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  },
  {
    prediction: 'The the THE the',
    references: ['the The the'],
    chrf: 64.03063407502121,
    chrfpp: 65.43649230971484,
    chrfStatistics: [12, 9, 9, 11, 8, 8, 10, 7, 6, 9, 6, 4, 8, 5, 2, 7, 4, 1],
    chrfppStatistics: [12, 9, 9, 11, 8, 8, 10, 7, 6, 9, 6, 4, 8, 5, 2, 7, 4, 1, 4, 3, 3, 3, 2, 1],
  },
  {
    prediction: 'b',
    references: ['a', 'aa'],
    chrf: 0,
    chrfpp: 0,
    chrfStatistics: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
  },
  {
    prediction: 'b',
    references: ['aa', 'a'],
    chrf: 0,
    chrfpp: 0,
    chrfStatistics: [1, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    chrfppStatistics: [1, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
  },
];
/** `corpus_score` of the cases above, in order, with `None` filling the shorter reference streams. */
const SACREBLEU_CORPUS = { chrf: 86.32640944890767, chrfpp: 79.80505136117681 };

describe('corner cases against sacreBLEU 2.6 chrf.py', () => {
  it.each(SACREBLEU_CASES)('$prediction', (c) => {
    expect(chrfSegmentStatistics(c.prediction, c.references, CHRF)).toEqual(c.chrfStatistics);
    expect(chrfSegmentStatistics(c.prediction, c.references, CHRF_PLUS_PLUS)).toEqual(c.chrfppStatistics);
    expectWithinRelative(chrfSentence(c.prediction, c.references, CHRF), c.chrf, 'chrf');
    expectWithinRelative(chrfSentence(c.prediction, c.references, CHRF_PLUS_PLUS), c.chrfpp, 'chrfpp');
  });

  it('sums them to the corpus score', () => {
    const predictions = SACREBLEU_CASES.map((c) => c.prediction);
    const references = SACREBLEU_CASES.map((c) => c.references);
    expectWithinRelative(chrfCorpus(predictions, references, CHRF), SACREBLEU_CORPUS.chrf, 'chrf');
    expectWithinRelative(chrfCorpus(predictions, references, CHRF_PLUS_PLUS), SACREBLEU_CORPUS.chrfpp, 'chrfpp');
  });
});

describe('inputs sacreBLEU refuses', () => {
  it('needs a reference per segment and aligned lists', () => {
    expect(() => chrfSentence('a', [])).toThrow(RangeError);
    expect(() => chrfCorpus(['a', 'b'], [['a']])).toThrow(RangeError);
    expect(() => chrfSentence('a', ['a'], { charOrder: 0, wordOrder: 0, beta: 2 })).toThrow(RangeError);
  });

  it('scores an empty corpus 0 where sacreBLEU raises', () => {
    expect(chrfCorpus([], [])).toBe(0);
    expect(chrfCorpus([], [], CHRF_PLUS_PLUS)).toBe(0);
  });

  it('refuses statistics of another width', () => {
    expect(() => chrfStatistic([chrfSegmentStatistics('a', ['a'], CHRF)], CHRF_PLUS_PLUS)).toThrow(RangeError);
    expect(() => sumChrfStatistics([chrfSegmentStatistics('a', ['a'], CHRF_PLUS_PLUS)], CHRF)).toThrow(RangeError);
  });
});
