import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = (name: string) => path.join(dir, `${name}.duckdb`);
const run = (args: string[]) => runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', ...args]);

describe('logbench run --shard, merge and export --parquet', () => {
  it('two shards merged hold exactly the predictions of one whole run', async () => {
    for (const [i, name] of ['shard0', 'shard1'].entries()) {
      const result = await run(['--db', db(name), '--shard', `${i}/2`]);
      expect(result.code, result.stderr).toBe(0);
    }
    expect((await run(['--db', db('whole')])).code).toBe(0);
    const merged = await runCli(['merge', db('shard0'), db('shard1'), '--db', db('merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toMatch(/merged 1 run\(s\) from .*shard0\.duckdb/);

    const outputs = (file: string) => queryDb<{ sample_id: string; output: string }>(file, 'SELECT sample_id, output FROM predictions ORDER BY sample_id');
    const whole = await outputs(db('whole'));
    expect(whole).toHaveLength(40);
    expect(await outputs(db('merged'))).toEqual(whole);
    expect(await queryDb(db('merged'), 'SELECT count(*)::INTEGER AS n FROM runs')).toEqual([{ n: 2 }]);

    const again = await runCli(['merge', db('shard0'), '--db', db('merged')]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already in .*merged\.duckdb \(merged before\?\)/);
  });

  it('exports every table as Parquet that DuckDB reads back', async () => {
    const out = path.join(dir, 'parquet');
    const result = await runCli(['export', '--db', db('whole'), '--parquet', out]);
    expect(result.code, result.stderr).toBe(0);
    for (const table of ['runs', 'samples', 'predictions', 'batches', 'sample_metrics', 'metrics']) expect(existsSync(path.join(out, `${table}.parquet`))).toBe(true);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${path.join(out, 'predictions.parquet')}'`)).getRowObjectsJS();
    connection.closeSync();
    instance.closeSync();
    expect(rows).toEqual([{ n: 40 }]);
  });
});
