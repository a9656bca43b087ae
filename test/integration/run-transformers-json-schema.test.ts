import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';
import { BOUNDED_FPT_SCHEMA, documentViolation } from '../support/json-schema-check.js';
import { queryDb } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-json-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Eight chunks of two BGL lines each, with FPT-shaped references (their values do not matter here). */
function writeData(): string {
  const lines = readFileSync(path.join(REPO, 'datasets/data/loghub/BGL/BGL_2k.log'), 'utf8').split('\n');
  const reference = JSON.stringify({ risk_score: 0, should_alert_user: false, messages: { critical: [], warning: [] }, summary: [] });
  const records = Array.from({ length: 8 }, (_, index) => ({ id: `chunk-${index}`, input: lines.slice(index * 40, index * 40 + 2).join('\n'), reference }));
  const file = path.join(dir, 'chunks.jsonl');
  writeFileSync(file, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  return file;
}

describe('logbench run with json_schema decoding in the transformers provider', () => {
  it('writes a schema-valid document for every sample, which the same model without the schema never does', async () => {
    writeFileSync(path.join(dir, 'schema.json'), JSON.stringify({ name: 'Log Analysis Response', schema: BOUNDED_FPT_SCHEMA }));
    writeFileSync(path.join(dir, 'user.txt'), '{{input}}');
    const suite = path.join(dir, 'json.yaml');
    const model = (id: string, decoding: string) =>
      `  - id: ${id}\n    provider: transformers\n    path: ${path.join(REPO, 'models/alsate-rules-lm-tiny')}\n    batch_size: 4\n    decoding:\n      temperature: 0\n      max_tokens: 200\n${decoding}`;
    writeFileSync(
      suite,
      `name: json-schema\ntask: json-analysis\ndataset:\n  source: jsonl\n  path: ${writeData()}\n  input_field: input\n  reference_field: reference\n  id_field: id\n` +
        `prompt:\n  user: user.txt\nmetrics: [json-analysis]\nmodels:\n` +
        model('constrained', '      response_format:\n        type: json_schema\n        json_schema_file: schema.json\n') +
        model('free', ''),
    );
    const db = path.join(dir, 'runs.duckdb');
    const run = await runCli(['run', suite, '--db', db, '--no-report']);
    expect(run.code, run.stderr).toBe(0);

    type Row = { model: string; output: string | null; error: string | null; tokens_in: number; tokens_out: number };
    const rows = await queryDb<Row>(db, 'SELECT r.model_id AS model, p.output, p.error, p.tokens_in, p.tokens_out FROM predictions p JOIN runs r ON r.id = p.run_id ORDER BY r.model_id, p.sample_id');
    const constrained = rows.filter((row) => row.model === 'constrained');
    const free = rows.filter((row) => row.model === 'free');
    expect(constrained).toHaveLength(8);
    for (const row of constrained) {
      expect(row.error).toBeNull();
      expect(documentViolation(row.output ?? '', BOUNDED_FPT_SCHEMA), row.output ?? '').toBeNull();
      expect(row.tokens_out).toBeGreaterThan(0);
      expect(row.tokens_out).toBeLessThanOrEqual(200);
    }
    expect(free.map((row) => documentViolation(row.output ?? '', BOUNDED_FPT_SCHEMA))).toEqual(Array(8).fill('not JSON'));
    // The same prompts: the schema constrains the answer, it is not added to the prompt.
    expect(constrained.map((row) => row.tokens_in)).toEqual(free.map((row) => row.tokens_in));

    const rates = await queryDb<{ model: string; value: number }>(db, "SELECT r.model_id AS model, m.value FROM metrics m JOIN runs r ON r.id = m.run_id WHERE m.name = 'json_schema_valid_rate' ORDER BY r.model_id");
    expect(rates).toEqual([
      { model: 'constrained', value: 1 },
      { model: 'free', value: 0 },
    ]);
  });
});
