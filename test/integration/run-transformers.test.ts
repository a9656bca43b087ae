import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-transformers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ALSATE suite's data and prompts, answered by the shipped tiny causal LM through the `transformers` provider. */
function suiteWith(name: string, modelPath: string, variant: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
task: cause-remediation
dataset:
  source: jsonl
  path: ${path.join(REPO, 'datasets/data/alsate/live_logs_reference.jsonl')}
  input_field: input
  reference_field: reference
  id_field: id
prompt:
  system: ${path.join(REPO, 'prompts/alsate_system.txt')}
  user: ${path.join(REPO, 'prompts/alsate_user.txt')}
models:
  - id: tiny-lm
    variant: ${variant}
    provider: transformers
    path: ${modelPath}
    batch_size: 4
    decoding:
      temperature: 0
      max_tokens: 48
`,
  );
  return file;
}

describe('logbench run with the transformers provider', () => {
  const db = path.join(dir, 'runs.duckdb');
  const shipped = path.join(REPO, 'models/alsate-rules-lm-tiny');

  it('generates with the shipped tiny LM, scores cause/remediation, and caches by model', async () => {
    const first = await runCli(['run', suiteWith('lm-a', shipped, 'a'), '--db', db, '--no-report']);
    expect(first.code, first.stderr).toBe(0);
    const outputs = await queryDb<{ sample_id: string; output: string; error: string | null; cached: boolean }>(db, 'SELECT sample_id, output, error, cached FROM predictions ORDER BY sample_id');
    expect(outputs).toHaveLength(7);
    for (const o of outputs) {
      expect(o.error).toBeNull();
      expect(o.cached).toBe(false);
      expect(o.output).toMatch(/^Cause - /);
    }
    const parsed = await queryDb<{ value: number }>(db, "SELECT value FROM metrics WHERE name = 'cr_parsed'");
    expect(parsed[0]!.value).toBeGreaterThan(0.5);

    // Another suite, same model and decoding: answered from the cache, identically.
    expect((await runCli(['run', suiteWith('lm-b', shipped, 'b'), '--db', db, '--no-report'])).code).toBe(0);
    const cached = await queryDb<{ output: string; cached: boolean }>(db, "SELECT p.output, p.cached FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.suite_name = 'lm-b' ORDER BY p.sample_id");
    expect(cached.map((c) => c.cached)).toEqual(Array(7).fill(true));
    expect(cached.map((c) => c.output)).toEqual(outputs.map((o) => o.output));

    // The same weights under another path are another model: never served from its cache entries.
    const copy = path.join(dir, 'copy-of-lm');
    cpSync(shipped, copy, { recursive: true });
    expect((await runCli(['run', suiteWith('lm-c', copy, 'c'), '--db', db, '--no-report'])).code).toBe(0);
    const fresh = await queryDb<{ cached: boolean }>(db, "SELECT p.cached FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.suite_name = 'lm-c'");
    expect(fresh.map((c) => c.cached)).toEqual(Array(7).fill(false));
  });
});
