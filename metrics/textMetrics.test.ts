import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scoreTextPair, TEXT_ROUGE_TYPES, TextCorpusAccumulator } from './textMetrics.js';

const golden = JSON.parse(readFileSync(new URL('../test/fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')) as {
  pairs: { id: string; prediction: string; reference: string }[];
  corpus_groups: { id: string; pair_ids: string[]; hf_bleu: { bleu: number } | { error: string }; sacrebleu: { score: number; sys_len: number; ref_len: number }; hf_rouge: { mean_fmeasure: Record<string, number> } }[];
  multi_reference: { cases: { id: string; prediction: string; references: string[]; rouge_score_multi: Record<string, { fmeasure: number }> }[] };
};
const byId = new Map(golden.pairs.map((p) => [p.id, p]));

describe('TextCorpusAccumulator', () => {
  it('streams every golden corpus group to the HF BLEU, sacreBLEU and mean ROUGE figures', () => {
    for (const group of golden.corpus_groups) {
      const corpus = new TextCorpusAccumulator();
      for (const id of group.pair_ids) {
        const pair = byId.get(id)!;
        corpus.add(scoreTextPair(pair.prediction, [pair.reference]));
      }
      const result = corpus.result();
      expect(result.n).toBe(group.pair_ids.length);
      if ('error' in group.hf_bleu) expect(result.bleu.undefinedReason, group.id).toBeDefined();
      else expect(Math.abs(result.bleu.bleu - group.hf_bleu.bleu), group.id).toBeLessThanOrEqual(1e-12);
      expect(result.sacrebleu.sysLen, group.id).toBe(group.sacrebleu.sys_len);
      expect(result.sacrebleu.refLen, group.id).toBe(group.sacrebleu.ref_len);
      expect(Math.abs(result.sacrebleu.score - group.sacrebleu.score), group.id).toBeLessThanOrEqual(1e-9 * Math.max(1, group.sacrebleu.score));
      for (const type of TEXT_ROUGE_TYPES) expect(Math.abs(result.rouge[type] - group.hf_rouge.mean_fmeasure[type]!), `${group.id} ${type}`).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('scoreTextPair', () => {
  it('takes the best reference for ROUGE (rouge_score score_multi)', () => {
    for (const c of golden.multi_reference.cases.filter((c) => c.references.length > 0)) {
      const { scores } = scoreTextPair(c.prediction, c.references);
      for (const type of TEXT_ROUGE_TYPES) expect(Math.abs(scores.rouge[type].fmeasure - c.rouge_score_multi[type]!.fmeasure), `${c.id} ${type}`).toBeLessThanOrEqual(1e-12);
    }
  });

  it('computes Levenshtein figures only when asked', () => {
    expect(scoreTextPair('kitten', ['sitting']).scores.levenshtein).toBeUndefined();
    expect(scoreTextPair('kitten', ['sitting'], { levenshtein: true }).scores.levenshtein).toEqual({ distance: 3, ratio: 1 - 5 / 13, normalizedSimilarity: 1 - 3 / 7 });
    expect(() => scoreTextPair('a', [])).toThrow(RangeError);
  });
});
