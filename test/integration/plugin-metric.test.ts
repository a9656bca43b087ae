// Issue #11: a suite may score with a metric from a local module, checked against the same
// definition type as the built-ins, stored, intervalled and compared like them.
import { mkdtempSync, writeFileSync } from 'node:fs';
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
