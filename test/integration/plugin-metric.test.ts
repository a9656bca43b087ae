// Issue #11: a suite may score with a metric from a local module, checked against the same
// definition type as the built-ins, stored, intervalled and compared like them.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { queryDb } from '../support/run-fixtures.js';

const SUITE = 'examples/suites/plugin-metric.yaml';
const scope = loopbackScope();
const scratch = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-plugin-metric-'));
  scope.dirs.push(dir);
  return dir;
};

describe('a metric plugin (examples/metrics/line-recall.ts)', () => {
  it('is scored, stored with its interval, and compared by a later command that loads it again', async () => {
    const db = path.join(scratch(), 'runs.duckdb');
    const run = await runCli(['run', SUITE, '--db', db, '--no-report']);
    expect(run.code, run.stderr).toBe(0);
    // The rules baseline repeats one of the five reference lines (inc-3's "nothing found").
    expect(run.stdout).toMatch(/^line_recall\s+0\.2 \[/m);
    const [stored] = await queryDb<{ value: number; ci_low: number; ci_high: number; n: number }>(db, "SELECT value, ci_low, ci_high, n FROM metrics WHERE name = 'line_recall'");
    expect(stored).toMatchObject({ value: 0.2, n: 4 });
    expect(stored!.ci_low).toBeLessThanOrEqual(0.2);
    expect(stored!.ci_high).toBeGreaterThanOrEqual(0.2);
    const perSample = await queryDb<{ sample_id: string; value: number | null }>(db, "SELECT sample_id, value FROM sample_metrics WHERE name = 'line_recall' ORDER BY sample_id");
    expect(perSample.map((r) => r.value)).toEqual([0, 0, 1, 0]);

    const runId = /run (\S+),/.exec(run.stdout)![1]!;
    const compared = await runCli(['compare', runId, runId, '--db', db]);
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/^line_recall\s/m);
  });

  it('refuses a module whose export is not a metric definition, naming the suite position', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'bad-metric.ts'), 'export default { name: "half", figures: [] };\n');
    const suite = path.join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      `name: bad-plugin\ntask: text\ndataset:\n  source: jsonl\n  path: ${path.join(REPO, 'examples/data/incidents.jsonl')}\n  input_field: logs\n  reference_field: reference\n  id_field: id\n` +
        `prompt:\n  user: ${path.join(REPO, 'examples/prompts/quote-lines.txt')}\nmetrics: [rouge, {module: ./bad-metric.ts}]\nmodels:\n  - id: rules\n    provider: rules\n`,
    );
    const db = path.join(dir, 'runs.duckdb');
    const result = await runCli(['run', suite, '--db', db]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/suite\.yaml:\d+:\d+: metrics\[1\]\.module: \.\/bad-metric\.ts: its default \(or `metric`\) export is not a metric definition: description/);
  });
});

/** A scratch suite over the example incidents, scored by `rouge` and the plugin module written beside it. */
function pluginSuite(dir: string, plugin: string, extraTop = ''): string {
  writeFileSync(path.join(dir, 'plugin.ts'), plugin);
  const suite = path.join(dir, 'suite.yaml');
  writeFileSync(
    suite,
    `name: plugin-check\ntask: text\n${extraTop}dataset:\n  source: jsonl\n  path: ${path.join(REPO, 'examples/data/incidents.jsonl')}\n  input_field: logs\n  reference_field: reference\n  id_field: id\n` +
      `prompt:\n  user: ${path.join(REPO, 'examples/prompts/quote-lines.txt')}\nmetrics: [rouge, {module: ./plugin.ts}]\nmodels:\n  - id: rules\n    provider: rules\n  - id: echo\n    provider: replay\n    path: answers.jsonl\n`,
  );
  // The "echo" model answers each incident with its own logs: longer than the rules' bullets.
  writeFileSync(path.join(dir, 'answers.jsonl'), readFileSync(path.join(REPO, 'examples/data/incidents.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => {
    const record = JSON.parse(line) as { id: string; logs: string };
    return JSON.stringify({ id: record.id, output: record.logs });
  }).join('\n') + '\n');
  return suite;
}

/** A plugin whose figure `answer_chars` (mean answer length) is lower-is-better. */
const LENGTH_PLUGIN = `export default {
  name: 'answer_length', description: 'mean answer length in characters',
  figures: [{ name: 'answer_chars', higherIsBetter: false, range: [0, Infinity] }],
  sampleFigures: [{ name: 'answer_chars', higherIsBetter: false, range: [0, Infinity] }],
  score: ({ output }) => output.length,
  sampleValues: (n) => ({ answer_chars: n, rougeL: 1 }),
  corpus: (ns) => ({ answer_chars: ns.reduce((a, b) => a + b, 0) / ns.length }),
  statistics: (ns) => ({ answer_chars: { columns: [Float64Array.from(ns), Float64Array.from(ns, () => 1)], finalize: ([s, c]) => s / c } }),
};
`;

describe('plugin metrics cannot mislead or run from stored data (adversarial review of #11)', () => {
  it('keeps a lower-is-better plugin figure lower-is-better in the run table, compare and gate', async () => {
    const dir = scratch();
    const suite = pluginSuite(dir, LENGTH_PLUGIN);
    const db = path.join(dir, 'runs.duckdb');
    const run = await runCli(['run', suite, '--db', db, '--no-report']);
    expect(run.code, run.stderr).toBe(0);
    // echo's answers are longer: worse, marked ▼ against the rules baseline.
    expect(run.stdout).toMatch(/^answer_chars\s+\S+.*\+\S+ ▼/m);
    // The plugin's undeclared `rougeL: 1` never overwrites the built-in per-sample rougeL.
    const rougeL = await queryDb<{ value: number }>(db, "SELECT value FROM sample_metrics WHERE name = 'rougeL'");
    expect(rougeL.some((r) => r.value !== 1)).toBe(true);
    const gate = await runCli(['gate', '--db', db, '--candidate', 'latest:plugin-check/echo', '--baseline', 'latest:plugin-check/rules']);
    expect(gate.stdout).toMatch(/^answer_chars\s.*\+\S+ ▼/m);
    // Stored figures only: a stored run's modules are never loaded again.
    expect(gate.stdout).toContain('logbench runs no code a stored run names');
  });

  it('never runs a module that a stored run or an export names', async () => {
    const dir = scratch();
    const marker = path.join(dir, 'RAN');
    const suite = pluginSuite(dir, LENGTH_PLUGIN);
    const db = path.join(dir, 'runs.duckdb');
    expect((await runCli(['run', suite, '--db', db, '--no-report', '--only', 'rules'])).code).toBe(0);
    // Point the stored suite at a module with a side effect, as a hostile database would.
    writeFileSync(path.join(dir, 'plugin.ts'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n${LENGTH_PLUGIN}`);
    const exported = path.join(dir, 'run.json');
    expect((await runCli(['export-run', '--db', db, '--run', 'latest:plugin-check/rules', '-o', exported])).code).toBe(0);
    const compared = await runCli(['compare', 'latest:plugin-check/rules', 'latest:plugin-check/rules', '--db', db]);
    expect(compared.code, compared.stderr).toBe(0);
    const fresh = path.join(dir, 'fresh.duckdb');
    expect((await runCli(['run', suite.replace('suite.yaml', 'suite.yaml'), '--db', fresh, '--no-report', '--only', 'rules', '--limit', '1'])).code).toBe(0);
    const imported = await runCli(['import-run', exported, '--db', fresh]);
    expect(imported.code).toBe(3);
    expect(imported.stderr).toContain('scored with plugin metrics');
    // Only the fresh run itself loaded the edited module; compare and import-run did not.
    rmSync(marker, { force: true });
    await runCli(['compare', 'latest:plugin-check/rules', 'latest:plugin-check/rules', '--db', db]);
    await runCli(['import-run', exported, '--db', fresh]);
    expect(existsSync(marker)).toBe(false);
  });

  it('makes a new run when the plugin code changes, instead of resuming or reporting the old one', async () => {
    const dir = scratch();
    const suite = pluginSuite(dir, LENGTH_PLUGIN);
    const db = path.join(dir, 'runs.duckdb');
    const first = await runCli(['run', suite, '--db', db, '--no-report', '--only', 'rules']);
    writeFileSync(path.join(dir, 'plugin.ts'), LENGTH_PLUGIN.replace('output.length', 'output.length * 2'));
    const second = await runCli(['run', suite, '--db', db, '--no-report', '--only', 'rules']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('completed before');
    expect(/run (\S+),/.exec(second.stdout)![1]).not.toBe(/run (\S+),/.exec(first.stdout)![1]);
  });

  it.each([
    ['a figure named like a built-in', LENGTH_PLUGIN.replaceAll("'answer_chars'", "'rouge1'"), /figure name rouge1 is taken by a built-in figure/],
    ['a metric for another task', LENGTH_PLUGIN.replace("name: 'answer_length',", "name: 'answer_length', tasks: ['classification'],"), /does not apply to task text \(it applies to: classification\)/],
  ])('refuses %s before anything is written', async (_what, plugin, message) => {
    const dir = scratch();
    const db = path.join(dir, 'runs.duckdb');
    const result = await runCli(['run', pluginSuite(dir, plugin), '--db', db]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/suite\.yaml:\d+:\d+: metrics\[1\]\.module: /);
    expect(result.stderr).toMatch(message);
    expect(existsSync(db)).toBe(false);
  });

  it('stores a non-finite plugin figure as no value, and names the plugin when it throws', async () => {
    const dir = scratch();
    const db = path.join(dir, 'runs.duckdb');
    const nan = await runCli(['run', pluginSuite(dir, LENGTH_PLUGIN.replace('/ ns.length', '* NaN')), '--db', db, '--no-report', '--only', 'rules']);
    expect(nan.code, nan.stderr).toBe(0);
    const [stored] = await queryDb<{ value: number | null }>(db, "SELECT value FROM metrics WHERE name = 'answer_chars'");
    expect(stored!.value).toBeNull();
    const dir2 = scratch();
    const thrown = await runCli(['run', pluginSuite(dir2, LENGTH_PLUGIN.replace('score: ({ output }) => output.length', "score: () => { throw new Error('boom'); }")), '--db', path.join(dir2, 'runs.duckdb'), '--no-report', '--only', 'rules']);
    expect(thrown.code).toBe(3);
    expect(thrown.stderr).toContain('plugin metric answer_length: score failed: boom');
  });
});
