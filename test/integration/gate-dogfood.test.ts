import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO, runCli } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

// The CI gate exactly as .ci/run runs it, on a temporary copy of runs/logbench.duckdb.
const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-dogfood-'));
const db = path.join(dir, 'logbench.duckdb');
let baselineId: string;
const noJobSummary = { GITHUB_STEP_SUMMARY: '' };

function ciGate(summary: string) {
  const args = ['gate', '--db', db, '--candidate', 'latest:default/rules', '--baseline', baselineId, '--thresholds', '.ci/default-thresholds.yaml', '--summary', summary];
  return runCli(args, { env: noJobSummary });
}

beforeAll(async () => {
  const bench = await runCli(['run', 'suites/default.yaml', '--db', db]);
  expect(bench.code, bench.stderr).toBe(0);
  const imported = await runCli(['import-run', '.ci/default-baseline.json', '--db', db]);
  expect(imported.code, imported.stderr).toBe(0);
  baselineId = imported.stdout.trim();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The default suite with its rules model swapped for a replay of `outputs`: a "change" that moves predictions. */
function shiftedSuite(outputs: Map<string, string>): string {
  const suite = parse(readFileSync(path.join(REPO, 'suites/default.yaml'), 'utf8')) as { prompt: { user: string }; models: unknown[]; baseline?: string };
  suite.prompt.user = path.resolve(REPO, 'suites', suite.prompt.user);
  const replay = path.join(dir, 'shifted.jsonl');
  writeFileSync(replay, [...outputs].map(([id, output]) => JSON.stringify({ id, output })).join('\n') + '\n');
  suite.models = [{ id: 'rules', provider: 'replay', path: replay }];
  suite.baseline = 'rules'; // the default's baseline (the tiny LogLLM base) is not in this one-model suite
  const file = path.join(dir, 'shifted.yaml');
  writeFileSync(file, stringify(suite));
  return file;
}

describe('the dogfood gate (.ci/default-baseline.json + .ci/default-thresholds.yaml)', () => {
  it('passes a fresh `npm run bench` run: the committed baseline is current', async () => {
    const summary = path.join(dir, 'pass.md');
    const result = await ciGate(summary);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(readFileSync(summary, 'utf8')).toMatch(/^### ✅ logbench gate: pass \(7 metrics\)/);
  });

  it('fails (exit 1, readable summary) once a change silently shifts a metric', async () => {
    const predictions = await queryDb<{ sample_id: string; output: string; label: string }>(
      db,
      `SELECT sample_id, output, label FROM predictions WHERE run_id = (SELECT id FROM runs WHERE model_id = 'rules' AND id <> '${baselineId}' ORDER BY started_at DESC LIMIT 1)`,
    );
    expect(predictions).toHaveLength(40);
    const outputs = new Map(predictions.map((p) => [p.sample_id, p.output]));
    // Three detections lost: a small shift, the kind nobody notices in a table.
    for (const p of predictions.filter((p) => p.label === 'anomalous').slice(0, 3)) outputs.set(p.sample_id, 'normal');
    const run = await runCli(['run', shiftedSuite(outputs), '--db', db]);
    expect(run.code, run.stderr).toBe(0);

    const summary = path.join(dir, 'regression.md');
    const result = await ciGate(summary);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('logbench gate: regression in accuracy, recall, f1, macro_f1\n');
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toMatch(/^### ❌ logbench gate: regression in accuracy, recall, f1, macro_f1\n/);
    // 3 of 40 windows flipped: accuracy 0.925; exact McNemar p = 2·0.5³ = 0.25.
    expect(markdown).toMatch(/^\| accuracy \| 0\.925 \| 1 \| -0\.075 ▼ \| \[-0\.175, 0\] \| 0\.25 \| mcnemar-exact \| ≥ 0\.95; drop ≤ 0 \| regression: .*\|$/m);
    expect(markdown).toMatch(/^\| precision \| 1 \| 1 \| 0 \| \[[^\]]*\] \| 1 \| [\w-]+ \| drop ≤ 0 \| pass \|$/m);
  });
});
