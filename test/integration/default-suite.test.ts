/**
 * The offline default through the built CLI (issue #15): the tiny LogLLM base, its fine-tune and the
 * rules floor on the held-out BGL windows. The stored figures are each bundle's metrics.json exactly,
 * the model cards quote the stored figures (the rules floor and always-normal included), the table
 * carries paired intervals and p-values, and the verdict line is the one reports/verdict.ts writes
 * from `logbench compare`'s figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../reports/html.js';
import { verdictSentence } from '../../reports/verdict.js';
import type { RunComparison } from '../../harness/gate/index.js';
import { REPO, runCli, type CliResult } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-default-'));
const db = path.join(dir, 'logbench.duckdb');
const BUNDLES = { 'logllm-tiny-base': 'logllm-bgl-tiny-base', 'logllm-tiny': 'logllm-bgl-tiny' } as const;
const FIGURES = ['accuracy', 'precision', 'recall', 'f1'] as const;
type Figures = Record<(typeof FIGURES)[number], number>;

let run: CliResult;
const stored = new Map<string, Figures>();
const runIds = new Map<string, string>();

beforeAll(async () => {
  run = await runCli(['run', 'suites/default.yaml', '--db', db]);
  expect(run.code, run.stderr).toBe(0);
  const rows = await queryDb<{ model_id: string; run_id: string; name: string; value: number }>(
    db,
    `SELECT r.model_id, r.id AS run_id, m.name, m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE m.name IN ('accuracy', 'precision', 'recall', 'f1')`,
  );
  for (const row of rows) {
    runIds.set(row.model_id, row.run_id);
    stored.set(row.model_id, { ...(stored.get(row.model_id) as Figures), [row.name]: row.value });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `| \`logllm-tiny\` | 0.675 | 0.625 | 0.333 | 0.435 |` rows of a card's held-out table, by their first cell. */
function cardRows(card: string): Map<string, number[]> {
  const section = card.split(/^## /m).find((part) => part.startsWith('Held-out results')) ?? '';
  return new Map(
    [...section.matchAll(/^\| (.+?) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|/gm)].map((match) => [match[1] ?? '', match.slice(2, 6).map(Number)]),
  );
}

describe('the offline default suite', () => {
  it("stores for each bundle exactly the held-out figures of its metrics.json", () => {
    for (const [modelId, bundle] of Object.entries(BUNDLES)) {
      const metrics = JSON.parse(readFileSync(path.join(REPO, 'models', bundle, 'metrics.json'), 'utf8')) as { bgl_test: Figures & { n: number } };
      expect(metrics.bgl_test.n).toBe(40);
      for (const figure of FIGURES) expect(stored.get(modelId)?.[figure], `${modelId} ${figure}`).toBeCloseTo(metrics.bgl_test[figure], 12);
    }
  });

  it('matches what both model cards print for the base, the fine-tune, the rules floor and always-normal', async () => {
    const [{ normal }] = await queryDb<{ normal: number }>(db, `SELECT avg(CASE WHEN label = 'normal' THEN 1 ELSE 0 END) AS normal FROM samples WHERE split_hash = (SELECT split_hash FROM runs LIMIT 1)`) as [{ normal: number }];
    const expected = new Map<string, number[]>([
      ...[...stored].map(([modelId, figures]): [string, number[]] => [`\`${modelId}\``, FIGURES.map((f) => figures[f])]),
      ['always `normal`', [normal, 0, 0, 0]],
    ]);
    expect(expected.size).toBe(4);
    for (const bundle of Object.values(BUNDLES)) {
      const rows = cardRows(readFileSync(path.join(REPO, 'models', bundle, 'MODEL_CARD.md'), 'utf8'));
      for (const [label, figures] of expected) expect(rows.get(label), `${bundle} card, row ${label}`).toEqual(figures.map((value) => Number(value.toFixed(3))));
    }
  });

  it('prints every change against the base with its paired interval and p-value', () => {
    expect(run.stdout).toMatch(/metric +rules +Δ vs logllm-tiny-base \[paired CI\] p +logllm-tiny +Δ vs logllm-tiny-base \[paired CI\] p +logllm-tiny-base\n/);
    const f1 = run.stdout.split('\n').find((line) => line.startsWith('f1 '));
    expect(f1).toMatch(/[+-][\d.]+ [▲▼] \[[+-]?[\d.]+, [+-]?[\d.]+\] p [<\d.]+ .*[+-][\d.]+ [▲▼] \[[+-]?[\d.]+, [+-]?[\d.]+\] p [<\d.]+ /);
  });

  it('ends with the verdict reports/verdict.ts writes from the stored comparison, and each report opens with it', async () => {
    for (const candidate of ['rules', 'logllm-tiny']) {
      const compared = await runCli(['compare', `latest:default/${candidate}`, 'latest:default/logllm-tiny-base', '--db', db, '--json']);
      expect(compared.code, compared.stderr).toBe(0);
      const comparison = JSON.parse(compared.stdout) as RunComparison;
      // Neither run failed a sample (error rates 0): the sentence names no error rates.
      const sentence = verdictSentence({ candidate, baseline: 'logllm-tiny-base', comparison, errors: { candidate: { rate: 0, max: 0.05 }, baseline: { rate: 0, max: 0.05 } } });
      expect(sentence).toMatch(new RegExp(`^${candidate} vs logllm-tiny-base: F1 [\\d.]+ vs [\\d.]+ \\(.+ CPU per sample`));
      expect(run.stdout).toContain(`\nverdict: ${sentence}\n`);
      expect(readFileSync(path.join(dir, `logbench-default-${candidate}.html`), 'utf8')).toContain(`<p class="verdict" id="verdict">${escapeHtml(sentence)}</p>`);
    }
  });
});
