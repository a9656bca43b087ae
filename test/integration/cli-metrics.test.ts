import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coresGiven } from '../../core/cpuQuota.js';
import { runCli } from '../support/cli.js';

const golden = JSON.parse(readFileSync(new URL('../fixtures/golden/text_metrics.public.json', import.meta.url), 'utf8')) as {
  pairs: { id: string; prediction: string; reference: string; rouge: Record<string, Record<string, number>>; rouge_stem: Record<string, Record<string, number>>; fuzz_ratio: number; levenshtein_distance: number; levenshtein_ratio: number; hf_bleu: { bleu?: number; error?: string }; sacrebleu_sentence: { score: number } }[];
  corpus_groups: { id: string; pair_ids: string[]; hf_bleu: { bleu: number } | { error: string }; sacrebleu: { score: number }; hf_rouge: { mean_fmeasure: Record<string, number>; mean_fmeasure_stem: Record<string, number> } }[];
};
const classification = JSON.parse(readFileSync(new URL('../fixtures/golden/classification.public.json', import.meta.url), 'utf8')) as {
  cases: { id: string; y_true: unknown[]; y_pred: unknown[]; accuracy: number; binary_pos1: Record<string, number> | { error: string }; macro: Record<string, number>; confusion_matrix: number[][]; labels: unknown[] }[];
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-cli-metrics-'));
const ROUGE = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;

function writePairs(name: string, lines: unknown[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

describe('logbench metrics (built CLI)', () => {
  const file = writePairs('golden.jsonl', golden.pairs.map((p) => ({ prediction: p.prediction, reference: p.reference })));

  for (const [label, workers, stem] of [['1 worker', '1', false], ['2 workers', String(Math.min(2, os.availableParallelism())), false], ['--stem', '1', true]] as const) {
    it(`matches every golden pair and the all-pairs corpus (${label})`, async () => {
      const result = await runCli(['metrics', '--pairs', file, '--json', '--workers', workers, ...(stem ? ['--stem'] : [])]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const out = JSON.parse(result.stdout) as { pairs: Record<string, any>[]; corpus: Record<string, any> };
      expect(out.pairs).toHaveLength(golden.pairs.length);
      golden.pairs.forEach((g, i) => {
        const ours = out.pairs[i]!;
        const rouge = stem ? g.rouge_stem : g.rouge;
        for (const type of ROUGE) for (const k of ['precision', 'recall', 'fmeasure']) expect(Math.abs(ours[type][k] - rouge[type]![k]!), `${g.id} ${type}.${k}`).toBeLessThanOrEqual(1e-12);
        expect(ours.fuzz_ratio, g.id).toBe(g.fuzz_ratio);
        expect(ours.fuzzy, g.id).toBe(g.fuzz_ratio / 100);
        expect(ours.levenshtein, g.id).toBe(g.levenshtein_distance);
        expect(Math.abs(ours.levenshtein_ratio - g.levenshtein_ratio), g.id).toBeLessThanOrEqual(1e-12);
        if (g.hf_bleu.error) expect(ours.bleu.undefined_reason, g.id).toBeDefined();
        else expect(Math.abs(ours.bleu.bleu - (g.hf_bleu.bleu as number)), g.id).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(ours.sacrebleu.score - g.sacrebleu_sentence.score), g.id).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(g.sacrebleu_sentence.score)));
      });
      const all = golden.corpus_groups.find((c) => c.id === 'A_all')!;
      expect(Math.abs(out.corpus.bleu.bleu - (all.hf_bleu as { bleu: number }).bleu)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(out.corpus.sacrebleu.score - all.sacrebleu.score)).toBeLessThanOrEqual(1e-9 * all.sacrebleu.score);
      const means = stem ? all.hf_rouge.mean_fmeasure_stem : all.hf_rouge.mean_fmeasure;
      for (const type of ROUGE) expect(Math.abs(out.corpus[type] - means[type]!), type).toBeLessThanOrEqual(1e-12);
    });
  }

  it('names the file, line and field of a bad record and exits 3 without printing partial JSON', async () => {
    const bad = writePairs('bad.jsonl', [{ prediction: 'a', reference: 'b' }, { prediction: 'a', reference: 7 }]);
    const result = await runCli(['metrics', '--pairs', bad, '--json']);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(`logbench metrics: ${bad}:2: field "reference": expected a string, got number`);
    const notJson = path.join(dir, 'notjson.jsonl');
    writeFileSync(notJson, '{"prediction": "a", "reference": "b"}\n\n{oops\n');
    const r2 = await runCli(['metrics', '--pairs', notJson]);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(new RegExp(`${notJson}:3: not valid JSON`));
    const r3 = await runCli(['metrics', '--pairs', path.join(dir, 'missing.jsonl')]);
    expect(r3.code).toBe(3);
    expect(r3.stderr).toMatch(/missing\.jsonl: no such file/);
  });

  it('reads standard input and takes several references', async () => {
    const input = JSON.stringify({ prediction: 'Failed login attempts detected for user admin', references: ['Failed login attempts detected for admin', 'Multiple failed logins for user admin were detected'] }) + '\n';
    const result = await runCli(['metrics', '--pairs', '-', '--json'], { input });
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { pairs: { rouge1: { fmeasure: number } }[] };
    expect(out.pairs[0]!.rouge1.fmeasure).toBeCloseTo(0.923076923076923, 12);
  });

  it('caps --workers at the cores this process may use and says so', async () => {
    const cores = coresGiven();
    const result = await runCli(['metrics', '--pairs', file, '--json', '--workers', String(cores + 300)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.trim()).toBe(`metrics: --workers ${cores + 300} capped at ${cores}, the cores this process may use`);
    expect(JSON.parse(result.stdout).pairs).toHaveLength(golden.pairs.length);
  });
});

describe('logbench classify-metrics (built CLI)', () => {
  // The module tests check all 40 cases; through the CLI, a spread of them (errors, strings, booleans, multiclass).
  const throughCli = new Set(['A_c02', 'A_c06', 'A_c10', 'A_c12', 'A_c16', 'A_c17', 'A_c19', 'A_c20', 'A_c32', 'A_c39']);
  it('matches golden scikit-learn cases, errors included', async () => {
    for (const c of classification.cases.filter((c) => throughCli.has(c.id))) {
      const file = writePairs(`${c.id}.jsonl`, c.y_true.map((t, i) => ({ y_true: t, y_pred: c.y_pred[i] })));
      const result = await runCli(['classify-metrics', '--pairs', file, '--json']);
      expect(result.code, `${c.id}: ${result.stderr}`).toBe(0);
      const out = JSON.parse(result.stdout) as { accuracy: number; binary: Record<string, number> | { error: string }; macro: Record<string, number>; confusion_matrix: { matrix: number[][] } };
      expect(Math.abs(out.accuracy - c.accuracy), c.id).toBeLessThanOrEqual(1e-12);
      expect(out.confusion_matrix.matrix, c.id).toEqual(c.confusion_matrix);
      for (const k of ['precision', 'recall', 'f1']) expect(Math.abs(out.macro[k]! - c.macro[k]!), c.id).toBeLessThanOrEqual(1e-12);
      if ('error' in c.binary_pos1) expect('error' in out.binary, c.id).toBe(true);
      else for (const k of ['precision', 'recall', 'f1']) expect(Math.abs((out.binary as Record<string, number>)[k]! - (c.binary_pos1 as Record<string, number>)[k]!), c.id).toBeLessThanOrEqual(1e-12);
    }
  });

  it('takes a string positive label and rejects bad lines with exit 3', async () => {
    const file = writePairs('labels.jsonl', [
      { y_true: 'anomalous', y_pred: 'anomalous' },
      { y_true: 'normal', y_pred: 'anomalous' },
      { y_true: 'normal', y_pred: 'normal' },
    ]);
    const result = await runCli(['classify-metrics', '--pairs', file, '--positive', 'anomalous', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).binary).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
    const bad = writePairs('labels-bad.jsonl', [{ y_true: 'a', y_pred: 'a' }, { y_true: 'a' }]);
    const r2 = await runCli(['classify-metrics', '--pairs', bad, '--json']);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(new RegExp(`${bad}:2: field "y_pred"`));
  });

  it('refuses a --positive label that is not in the data, or that gives no binary average, with exit 3', async () => {
    const file = writePairs('labels-positive.jsonl', [
      { y_true: 'anomalous', y_pred: 'anomalous' },
      { y_true: 'normal', y_pred: 'anomalous' },
    ]);
    const missing = await runCli(['classify-metrics', '--pairs', file, '--positive', 'zzz', '--json']);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim()).toBe(`logbench classify-metrics: --positive zzz: not a label of ${file} (labels: anomalous, normal)`);
    const multiclass = writePairs('labels-multiclass.jsonl', [0, 1, 2].map((label) => ({ y_true: label, y_pred: label })));
    const notBinary = await runCli(['classify-metrics', '--pairs', multiclass, '--positive', '1', '--json']);
    expect(notBinary.code).toBe(3);
    expect(notBinary.stderr).toContain("Target is multiclass but average='binary'");
  });
});

const chrfGolden = JSON.parse(readFileSync(new URL('../fixtures/golden/chrf.public.json', import.meta.url), 'utf8')) as {
  pairs: { id: string; prediction: string; reference: string; chrf: { score: number }; chrfpp: { score: number } }[];
  corpus_groups: { id: string; pair_ids: string[]; chrf: { score: number }; chrfpp: { score: number } }[];
  multi_reference: {
    cases: { id: string; prediction: string; references: string[]; chrf: { score: number }; chrfpp: { score: number } }[];
    corpus: { case_ids: string[]; chrf: { score: number }; chrfpp: { score: number } };
  };
};
const closeTo = (ours: number, theirs: number) => Math.abs(ours - theirs) <= 1e-9 * Math.max(1, Math.abs(theirs));

describe('logbench metrics: chrF and chrF++ (sacreBLEU 2.6)', () => {
  const single = writePairs('chrf-golden.jsonl', chrfGolden.pairs.map((p) => ({ prediction: p.prediction, reference: p.reference })));
  const corpusOf = (pairIds: string[]) => writePairs(`chrf-${pairIds.length}.jsonl`, pairIds.map((id) => chrfGolden.pairs.find((p) => p.id === id)!).map((p) => ({ prediction: p.prediction, reference: p.reference })));

  for (const workers of ['1', String(Math.min(2, os.availableParallelism()))]) {
    it(`prints per-pair and corpus chrf / chrfpp equal to sacreBLEU's (${workers} worker(s))`, async () => {
      const result = await runCli(['metrics', '--pairs', single, '--workers', workers]);
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as { pairs: { chrf: number; chrfpp: number }[]; corpus: { chrf: number; chrfpp: number } };
      chrfGolden.pairs.forEach((g, i) => {
        expect(closeTo(out.pairs[i]!.chrf, g.chrf.score), `${g.id} chrf ${out.pairs[i]!.chrf} vs ${g.chrf.score}`).toBe(true);
        expect(closeTo(out.pairs[i]!.chrfpp, g.chrfpp.score), `${g.id} chrfpp`).toBe(true);
      });
      const all = chrfGolden.corpus_groups.find((c) => c.id === 'A_all')!;
      expect(closeTo(out.corpus.chrf, all.chrf.score)).toBe(true);
      expect(closeTo(out.corpus.chrfpp, all.chrfpp.score)).toBe(true);
    });
  }

  it('matches every corpus group and the multi-reference cases and corpus', async () => {
    for (const group of chrfGolden.corpus_groups.slice(1, 6)) {
      const result = await runCli(['metrics', '--pairs', corpusOf(group.pair_ids)]);
      const out = JSON.parse(result.stdout) as { corpus: { chrf: number; chrfpp: number } };
      expect(closeTo(out.corpus.chrf, group.chrf.score), group.id).toBe(true);
      expect(closeTo(out.corpus.chrfpp, group.chrfpp.score), group.id).toBe(true);
    }
    const { cases, corpus } = chrfGolden.multi_reference;
    const multi = writePairs('chrf-multi.jsonl', cases.map((c) => ({ prediction: c.prediction, references: c.references })));
    const out = JSON.parse((await runCli(['metrics', '--pairs', multi])).stdout) as { pairs: { chrf: number; chrfpp: number }[] };
    cases.forEach((c, i) => {
      expect(closeTo(out.pairs[i]!.chrf, c.chrf.score), c.id).toBe(true);
      expect(closeTo(out.pairs[i]!.chrfpp, c.chrfpp.score), c.id).toBe(true);
    });
    const corpusFile = writePairs('chrf-multi-corpus.jsonl', corpus.case_ids.map((id) => cases.find((c) => c.id === id)!).map((c) => ({ prediction: c.prediction, references: c.references })));
    const corpusOut = JSON.parse((await runCli(['metrics', '--pairs', corpusFile])).stdout) as { corpus: { chrf: number; chrfpp: number } };
    expect(closeTo(corpusOut.corpus.chrf, corpus.chrf.score)).toBe(true);
    expect(closeTo(corpusOut.corpus.chrfpp, corpus.chrfpp.score)).toBe(true);
  });

  it('leaves chrF out with --no-chrf', async () => {
    const out = JSON.parse((await runCli(['metrics', '--pairs', single, '--no-chrf'])).stdout) as { pairs: Record<string, unknown>[]; corpus: Record<string, unknown> };
    expect(out.pairs[0]).not.toHaveProperty('chrf');
    expect(out.corpus).not.toHaveProperty('chrfpp');
  });
});
