import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'vitest';
import { HARNESS_PROMPT_HEAD, makeHarnessCases } from '../../bench/harnessCases.js';
import { runCli } from './cli.js';

export interface OpenAISuiteOptions {
  url: string;
  /** Replicas of every model (`endpoints:`), instead of `url`. */
  urls?: string[];
  cases: number;
  models?: string[];
  /** The `model` name every entry is served as (default: its id). */
  servedName?: string;
  /** Per model id, its own endpoint instead of `url`. */
  endpointOf?: Record<string, string>;
  apiKeyEnv?: string;
  batchSize?: number;
  concurrency?: number;
  timeoutMs?: number;
  maxRetries?: number;
  metrics?: string;
  concurrentModels?: boolean;
}

/**
 * The kit's generator repeats itself (its LCG runs in doubles and cycles: 1,000 cases hold 193
 * distinct chunks), so each chunk is headed by its case id to make every prompt unique.
 */
export function caseLogs(cases: number): string[] {
  return makeHarnessCases(cases).map((c, i) => `# case-${i}\n${c.logs}`);
}

/** A temp folder with a JSONL split of `cases` log chunks, a prompt and a suite of OpenAI-compatible models at `url`. */
export function writeOpenAISuite(options: OpenAISuiteOptions): { dir: string; suite: string; db: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-run-'));
  const data = path.join(dir, 'cases.jsonl');
  const logs = caseLogs(options.cases);
  writeFileSync(data, makeHarnessCases(options.cases).map((c, i) => JSON.stringify({ id: `case-${i}`, logs: logs[i], reference: c.reference })).join('\n') + '\n');
  writeFileSync(path.join(dir, 'prompt.txt'), `${HARNESS_PROMPT_HEAD}{{input}}`);
  const models = (options.models ?? ['base', 'tuned'])
    .map(
      (id) =>
        `  - id: ${id}\n    provider: openai\n    model: ${options.servedName ?? id}\n    ${options.urls ? `endpoints: [${options.urls.join(', ')}]` : `endpoint: ${options.endpointOf?.[id] ?? options.url}`}\n` +
        (options.apiKeyEnv ? `    api_key_env: ${options.apiKeyEnv}\n` : '') +
        `    batch_size: ${options.batchSize ?? 16}\n    concurrency: ${options.concurrency ?? 8}\n` +
        `    timeout_ms: ${options.timeoutMs ?? 5000}\n    max_retries: ${options.maxRetries ?? 3}\n` +
        `    decoding:\n      temperature: 0.3\n      max_tokens: 256\n`,
    )
    .join('');
  const suite = path.join(dir, 'suite.yaml');
  writeFileSync(
    suite,
    `name: loopback\ntask: json-analysis\ndataset:\n  source: jsonl\n  path: cases.jsonl\n  input_field: logs\n  reference_field: reference\n  id_field: id\n` +
      `prompt:\n  user: prompt.txt\nmetrics: ${options.metrics ?? '[json-analysis, fuzzy, bleu, rouge]'}\nmax_error_rate: 0.5\n` +
      `concurrent_models: ${options.concurrentModels ?? false}\nmodels:\n${models}`,
  );
  return { dir, suite, db: path.join(dir, 'runs.duckdb') };
}

/**
 * In `dir`: `data.jsonl` of log windows (`{id, logs, label}` a line), a prompt and a classification
 * suite named `name` of the offline `rules` model; returns the suite's path.
 */
export function writeRulesSuite(dir: string, name: string, windows: readonly { id: string; logs: string; label: string }[], batchSize?: number): string {
  writeFileSync(path.join(dir, 'data.jsonl'), windows.map((window) => JSON.stringify(window)).join('\n') + '\n');
  writeFileSync(path.join(dir, 'prompt.txt'), 'Normal or anomalous?\n{{input}}\n');
  const suite = path.join(dir, 'suite.yaml');
  writeFileSync(
    suite,
    `name: ${name}\ntask: classification\ndataset:\n  source: jsonl\n  path: data.jsonl\n  input_field: logs\n  label_field: label\n  id_field: id\n` +
      `prompt:\n  user: prompt.txt\nmodels:\n  - id: rules\n    provider: rules\n${batchSize === undefined ? '' : `    batch_size: ${batchSize}\n`}`,
  );
  return suite;
}

/** Reads a logbench database with plain DuckDB, read-only, as any other client would. */
export async function queryDb<T = Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    const rows = reader.getRowObjectsJS() as T[];
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

/**
 * Writes run `id` of `db` out every way logbench can (export-run JSON, Parquet, the HTML report) into
 * `dir`, and returns what those commands printed and every file in `dir` but the suite (the database
 * included), read as bytes: what a test that no secret leaks searches.
 */
export async function everyOutputOf(db: string, id: string, dir: string): Promise<string[]> {
  const outputs: string[] = [];
  for (const args of [
    ['export-run', '--db', db, '--run', id, '-o', path.join(dir, 'export.json')],
    ['export', '--db', db, '--parquet', path.join(dir, 'parquet')],
    ['report', '--db', db, '--run', id, '-o', path.join(dir, 'report.html')],
  ]) {
    const result = await runCli(args);
    expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
    outputs.push(result.stdout, result.stderr);
  }
  const written = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name !== 'suite.yaml');
  expect(written.map((entry) => entry.name)).toEqual(expect.arrayContaining([path.basename(db), 'export.json', 'report.html', 'runs.parquet', 'predictions.parquet']));
  for (const entry of written) outputs.push(readFileSync(path.join(entry.parentPath, entry.name), 'latin1'));
  return outputs;
}
