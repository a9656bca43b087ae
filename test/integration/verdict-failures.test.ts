/**
 * The verdict with failed samples, through the built CLI (#15 review item 2): failed samples are in no
 * figure, so the end-of-run line and each report's headline name both error rates, and refuse a verdict
 * when a run fails more than its suite's max_error_rate or the baseline failed every sample.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../reports/html.js';
import { runCli, type CliResult } from '../support/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-verdict-failures-'));
const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
const label = (i: number) => (i % 3 === 0 ? 'anomalous' : 'normal');
/** Replay answers for the given sample indices: a sample without an answer fails. */
function answers(file: string, indices: readonly number[]): void {
  writeFileSync(path.join(dir, file), indices.map((i) => JSON.stringify({ id: ids[i], output: label(i) }) + '\n').join(''));
}

function suite(name: string, baseline: string, models: readonly [string, string][]): string {
  const file = path.join(dir, `${name}.yaml`);
  const list = models.map(([id, answersFile]) => `  - id: ${id}\n    provider: replay\n    path: ${answersFile}\n`).join('');
  writeFileSync(file, `name: ${name}\nversion: 1\ntask: classification\ndataset:\n  source: jsonl\n  path: data.jsonl\n  input_field: input\n  label_field: label\n  id_field: id\n  split: t\nprompt:\n  user: p.txt\nbaseline: ${baseline}\nmodels:\n${list}`);
  return file;
}

let failing: CliResult;
let allFailed: CliResult;
let fewFailed: CliResult;
beforeAll(async () => {
  writeFileSync(path.join(dir, 'data.jsonl'), ids.map((id, i) => JSON.stringify({ id, input: `line ${i}`, label: label(i) }) + '\n').join(''));
  writeFileSync(path.join(dir, 'p.txt'), '{{input}}\n');
  const every = ids.map((_, i) => i);
  answers('good.jsonl', every);
  answers('half.jsonl', every.slice(15)); // 15 of 40 fail: error rate 0.375, above the default max_error_rate 0.05
  answers('one-missing.jsonl', every.slice(1)); // 1 of 40 fails: 0.025, tolerated
  answers('none.jsonl', []);
  failing = await runCli(['run', suite('failing', 'good', [['good', 'good.jsonl'], ['half', 'half.jsonl']]), '--db', path.join(dir, 'failing.duckdb')]);
  allFailed = await runCli(['run', suite('all-failed', 'none', [['good', 'good.jsonl'], ['none', 'none.jsonl']]), '--db', path.join(dir, 'all-failed.duckdb')]);
  fewFailed = await runCli(['run', suite('few-failed', 'good', [['good', 'good.jsonl'], ['one-missing', 'one-missing.jsonl']]), '--db', path.join(dir, 'few-failed.duckdb')]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The verdict line of `result`, and the check that the candidate's report opens with it. */
function verdict(result: CliResult, database: string, candidate: string): string {
  const line = result.stdout.match(/^verdict: (.+)$/m)?.[1];
  expect(line, result.stdout + result.stderr).toBeDefined();
  expect(readFileSync(path.join(dir, `${database}-${database}-${candidate}.html`), 'utf8')).toContain(`<p class="verdict" id="verdict">${escapeHtml(line!)}</p>`);
  return line!;
}

describe('the verdict when samples failed', () => {
  it('cannot judge a model above its max_error_rate: its F1 covers only the samples it answered', () => {
    expect(failing.code).not.toBe(0); // the run itself fails on the error rate, after the table, verdict and reports
    expect(verdict(failing, 'failing', 'half')).toBe("half vs good: cannot judge: half's error rate 0.375 is above its max_error_rate 0.05, so its figures cover only the samples it answered.");
  });

  it('cannot judge against a baseline that failed every sample', () => {
    expect(verdict(allFailed, 'all-failed', 'good')).toBe('good vs none: cannot judge: none failed every sample (error rate 1).');
  });

  it('names both error rates when failures stay under max_error_rate', () => {
    expect(fewFailed.code, fewFailed.stderr).toBe(0);
    expect(verdict(fewFailed, 'few-failed', 'one-missing')).toMatch(/^one-missing vs good: F1 [\d.]+ vs 1 \(.+; error rates 0\.025 vs 0\): .+ CPU per sample\.$/);
  });
});
