/** Every BLEU figure of text_metrics.public.json: HF evaluate, sacreBLEU and nltk, single and multi-reference. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hfBleuCorpus, type HfBleuResult } from './hfBleu.js';
import { nltkCorpusBleu } from './nltkBleu.js';
import { sacrebleuCorpus, sacrebleuSentence, type SacrebleuScore } from './sacrebleu.js';
import { tokenize13a } from './tokenizer13a.js';
import { lookupById as lookup } from '../../test/support/golden.js';

const HfBleu = z.object({
  bleu: z.number(),
  precisions: z.array(z.number()),
  brevity_penalty: z.number(),
  length_ratio: z.number(),
  translation_length: z.number(),
  reference_length: z.number(),
});
const HfBleuOrError = z.union([z.object({ error: z.literal('ZeroDivisionError') }), HfBleu]);
const Sacrebleu = z.object({
  score: z.number(),
  counts: z.array(z.number()),
  totals: z.array(z.number()),
  precisions: z.array(z.number()),
  bp: z.number(),
  sys_len: z.number(),
  ref_len: z.number(),
});
const BleuGolden = z.object({
  pairs: z.array(
    z.object({
      id: z.string(),
      prediction: z.string(),
      reference: z.string(),
      hf_bleu: HfBleuOrError,
      hf_bleu_smooth: HfBleuOrError,
      sacrebleu_sentence: Sacrebleu,
      sacrebleu_corpus_single: Sacrebleu,
    }),
  ),
  corpus_groups: z.array(
    z.object({
      id: z.string(),
      pair_ids: z.array(z.string()),
      hf_bleu: HfBleuOrError,
      hf_bleu_smooth: HfBleuOrError,
      sacrebleu: Sacrebleu,
      nltk_corpus_bleu_13a_tokens: z.number(),
    }),
  ),
  multi_reference: z.object({
    cases: z.array(
      z.object({
        id: z.string(),
        prediction: z.string(),
        references: z.array(z.string()),
        hf_bleu: HfBleuOrError,
        hf_bleu_smooth: HfBleuOrError,
        sacrebleu_sentence: Sacrebleu,
        sacrebleu_corpus_single: Sacrebleu,
        nltk_corpus_bleu_13a_tokens: z.number(),
      }),
    ),
    corpus: z.object({
      id: z.string(),
      case_ids: z.array(z.string()),
      hf_bleu: HfBleu,
      sacrebleu: Sacrebleu,
      nltk_corpus_bleu_13a_tokens: z.number(),
    }),
  }),
});
type HfBleuGolden = z.infer<typeof HfBleuOrError>;
type SacrebleuGolden = z.infer<typeof Sacrebleu>;

const golden = BleuGolden.parse(
  JSON.parse(readFileSync(new URL('../../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')),
);

/** One golden corpus (a single pair is a corpus of one) with whichever reference figures it carries. */
interface CorpusCase {
  id: string;
  predictions: string[];
  references: string[][];
  hf?: HfBleuGolden;
  hfSmooth?: HfBleuGolden;
  sacrebleuCorpus: SacrebleuGolden;
  sacrebleuSentence?: SacrebleuGolden;
  nltk?: number;
}


const pairCases: CorpusCase[] = golden.pairs.map((pair) => ({
  id: pair.id,
  predictions: [pair.prediction],
  references: [[pair.reference]],
  hf: pair.hf_bleu,
  hfSmooth: pair.hf_bleu_smooth,
  sacrebleuCorpus: pair.sacrebleu_corpus_single,
  sacrebleuSentence: pair.sacrebleu_sentence,
}));
const groupCases: CorpusCase[] = golden.corpus_groups.map((group) => {
  const pairs = lookup(golden.pairs, group.pair_ids);
  return {
    id: group.id,
    predictions: pairs.map((pair) => pair.prediction),
    references: pairs.map((pair) => [pair.reference]),
    hf: group.hf_bleu,
    hfSmooth: group.hf_bleu_smooth,
    sacrebleuCorpus: group.sacrebleu,
    nltk: group.nltk_corpus_bleu_13a_tokens,
  };
});
const multiReferenceCases: CorpusCase[] = golden.multi_reference.cases.map((mr) => ({
  id: mr.id,
  predictions: [mr.prediction],
  references: [mr.references],
  hf: mr.hf_bleu,
  hfSmooth: mr.hf_bleu_smooth,
  sacrebleuCorpus: mr.sacrebleu_corpus_single,
  sacrebleuSentence: mr.sacrebleu_sentence,
  nltk: mr.nltk_corpus_bleu_13a_tokens,
}));
const multiReferenceCorpus = golden.multi_reference.corpus;
const multiReferenceCorpusCases = lookup(golden.multi_reference.cases, multiReferenceCorpus.case_ids);
const allCases: CorpusCase[] = [
  ...pairCases,
  ...groupCases,
  ...multiReferenceCases,
  {
    id: multiReferenceCorpus.id,
    predictions: multiReferenceCorpusCases.map((mr) => mr.prediction),
    references: multiReferenceCorpusCases.map((mr) => mr.references),
    hf: multiReferenceCorpus.hf_bleu,
    sacrebleuCorpus: multiReferenceCorpus.sacrebleu,
    nltk: multiReferenceCorpus.nltk_corpus_bleu_13a_tokens,
  },
];

function expectWithinAbsolute(actual: number, expected: number, tolerance: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function expectWithinRelative(actual: number, expected: number, tolerance: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

function expectHfBleu(actual: HfBleuResult, expected: HfBleuGolden): void {
  if ('error' in expected) {
    expect(actual.undefinedReason).toBeDefined();
    expect(actual.bleu).toBe(0);
    return;
  }
  expect(actual.undefinedReason).toBeUndefined();
  expectWithinAbsolute(actual.bleu, expected.bleu, 1e-12, 'bleu');
  expect(actual.precisions).toHaveLength(expected.precisions.length);
  expected.precisions.forEach((p, n) => expectWithinAbsolute(actual.precisions[n] ?? NaN, p, 1e-12, `precision ${n + 1}`));
  expectWithinAbsolute(actual.brevityPenalty, expected.brevity_penalty, 1e-12, 'brevity_penalty');
  expectWithinAbsolute(actual.lengthRatio, expected.length_ratio, 1e-12, 'length_ratio');
  expect(actual.translationLength).toBe(expected.translation_length);
  expect(actual.referenceLength).toBe(expected.reference_length);
}

function expectSacrebleu(actual: SacrebleuScore, expected: SacrebleuGolden): void {
  expectWithinRelative(actual.score, expected.score, 1e-9, 'score');
  expect(actual.counts).toEqual(expected.counts);
  expect(actual.totals).toEqual(expected.totals);
  expect(actual.precisions).toHaveLength(expected.precisions.length);
  expected.precisions.forEach((p, n) => expectWithinRelative(actual.precisions[n] ?? NaN, p, 1e-9, `precision ${n + 1}`));
  expectWithinRelative(actual.bp, expected.bp, 1e-9, 'bp');
  expect(actual.sysLen).toBe(expected.sys_len);
  expect(actual.refLen).toBe(expected.ref_len);
}

function withFigure<K extends keyof CorpusCase>(key: K): (CorpusCase & Required<Pick<CorpusCase, K>>)[] {
  return allCases.filter((c): c is CorpusCase & Required<Pick<CorpusCase, K>> => c[key] !== undefined);
}

describe('golden fixture coverage', () => {
  it('reads every pair, corpus group and multi-reference case', () => {
    expect(pairCases).toHaveLength(311);
    expect(groupCases).toHaveLength(21);
    expect(multiReferenceCases).toHaveLength(15);
  });
});

describe('hfBleuCorpus = HF evaluate bleu', () => {
  it.each(withFigure('hf'))('$id', ({ predictions, references, hf }) => {
    expectHfBleu(hfBleuCorpus(predictions, references), hf);
  });
});

describe('hfBleuCorpus smooth = HF evaluate bleu smooth=True', () => {
  it.each(withFigure('hfSmooth'))('$id', ({ predictions, references, hfSmooth }) => {
    expectHfBleu(hfBleuCorpus(predictions, references, { smooth: true }), hfSmooth);
  });
});

describe('hfBleuCorpus flags exactly the cases where Python raises ZeroDivisionError', () => {
  const raising = withFigure('hf').filter((c) => 'error' in c.hf).map((c) => c.id);

  it('finds the same raising cases as the golden file', () => {
    const flagged = withFigure('hf')
      .filter((c) => hfBleuCorpus(c.predictions, c.references).undefinedReason !== undefined)
      .map((c) => c.id);
    expect(flagged).toEqual(raising);
    expect(raising).toEqual(['A_p000', 'A_p001', 'A_p002', 'A_p003', 'A_p004', 'A_p007', 'A_p008', 'A_p051', 'A_mr00', 'A_mr03']);
  });

  it('names the division that fails', () => {
    expect(hfBleuCorpus(['some words'], [['']]).undefinedReason).toBe('empty reference');
    expect(hfBleuCorpus([''], [['']]).undefinedReason).toBe('empty reference');
    expect(hfBleuCorpus([' '], [['x']]).undefinedReason).toBe('empty translation');
    expect(hfBleuCorpus([''], [['x']])).toEqual({
      bleu: 0,
      precisions: [0, 0, 0, 0],
      brevityPenalty: 0,
      lengthRatio: 0,
      translationLength: 0,
      referenceLength: 1,
      undefinedReason: 'empty translation',
    });
  });
});

describe('sacrebleuCorpus = sacrebleu.corpus_bleu', () => {
  it.each(withFigure('sacrebleuCorpus'))('$id', ({ predictions, references, sacrebleuCorpus: expected }) => {
    expectSacrebleu(sacrebleuCorpus(predictions, references), expected);
  });
});

describe('sacrebleuSentence = sacrebleu.sentence_bleu', () => {
  it.each(withFigure('sacrebleuSentence'))('$id', ({ predictions, references, sacrebleuSentence: expected }) => {
    expectSacrebleu(sacrebleuSentence(predictions[0] ?? '', references[0] ?? []), expected);
  });
});

describe('nltkCorpusBleu = nltk corpus_bleu on HF 13a tokens', () => {
  it.each(withFigure('nltk'))('$id', ({ predictions, references, nltk }) => {
    const actual = nltkCorpusBleu(
      references.map((refs) => refs.map(tokenize13a)),
      predictions.map(tokenize13a),
    );
    expectWithinAbsolute(actual, nltk, 1e-12, 'nltk bleu');
    // The sys.float_info.min floor leaves tiny nonzero scores; match those relatively too.
    expectWithinRelative(actual, nltk, 1e-9, 'nltk bleu');
  });
});
