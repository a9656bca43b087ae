import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startLoopbackOpenAI } from '../support/loopback-openai.js';
import { queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = (name: string) => path.join(dir, `${name}.duckdb`);

async function ok(args: string[]): Promise<string> {
  const result = await runCli(args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout + result.stderr;
}

async function refused(args: string[], message: RegExp): Promise<void> {
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(3);
  expect(result.stderr).toMatch(message);
}

/** Everything a run is judged by, per model, without what differs by nature (run ids, batch numbers, times). */
async function runContents(file: string) {
  const byModel = 'JOIN runs r ON r.id = t.run_id';
  return {
    runs: await queryDb(file, 'SELECT model_id, run_key, status, selection, config_hash, split_hash FROM runs ORDER BY model_id'),
    predictions: await queryDb(file, `SELECT r.model_id, t.sample_id, t.output, t.label, t.probs, t.score, t.tokens_in, t.tokens_out, t.error FROM predictions t ${byModel} ORDER BY 1, 2`),
    sampleMetrics: await queryDb(file, `SELECT r.model_id, t.sample_id, t.name, t.value FROM sample_metrics t ${byModel} ORDER BY 1, 2, 3`),
    metrics: await queryDb(file, `SELECT r.model_id, t.name, t.value, t.ci_low, t.ci_high, t.n FROM metrics t ${byModel} ORDER BY 1, 2`),
    samples: await queryDb(file, 'SELECT * FROM samples ORDER BY split_hash, sample_id'),
  };
}

/** The suite run single-process into `whole`, and as `count` shards merged into `merged`. */
async function wholeAndMerged(suite: string, name: string, count: number, extra: string[] = []): Promise<{ whole: string; merged: string; shards: string[] }> {
  const whole = db(`${name}-whole`);
  await ok(['run', suite, '--no-report', '--db', whole, ...extra]);
  const shards = Array.from({ length: count }, (_, i) => db(`${name}-shard${i}`));
  for (const [i, shard] of shards.entries()) await ok(['run', suite, '--no-report', '--db', shard, '--shard', `${i}/${count}`, ...extra]);
  const merged = db(`${name}-merged`);
  const said = await ok(['merge', ...shards, '--db', merged]);
  expect(said).toMatch(new RegExp(`merged ${count} shards of .* into run \\S+ \\(\\d+ samples, figures computed on all of them\\)`));
  return { whole, merged, shards };
}

/** Byte for byte: the JSON of every prediction and metric row of the merged run equals the single-process run's. */
async function expectSameRuns(whole: string, merged: string): Promise<void> {
  const [a, b] = [await runContents(whole), await runContents(merged)];
  expect(a.predictions.length).toBeGreaterThan(0);
  expect(a.metrics.some((m) => m['ci_low'] !== null)).toBe(true); // intervals are compared, not only points
  for (const part of ['runs', 'predictions', 'sampleMetrics', 'metrics', 'samples'] as const) {
    expect(b[part].length, part).toBe(a[part].length);
    // The first row that differs, if any, is what a failure shows (not two whole tables).
    const at = a[part].findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(b[part][i]));
    expect(JSON.stringify(b[part][at]), `${part} row ${at}`).toBe(JSON.stringify(a[part][at]));
  }
}

describe('logbench merge of run --shard I/N databases', () => {
  it('equals a single-process run against a loopback endpoint: predictions, per-sample scores, figures, intervals and paired tests', async () => {
    const loopback = await startLoopbackOpenAI({ latencyMs: 1, faults: ['# case-7\n', '# case-31\n', '# case-44\n'].map((match) => ({ match, fault: { kind: 'status' as const, status: 400 } })) });
    try {
      const { suite } = writeOpenAISuite({ url: loopback.url, cases: 60, batchSize: 7, maxRetries: 0 });
      const { whole, merged } = await wholeAndMerged(suite, 'loopback', 3);
      await expectSameRuns(whole, merged);
      // Some samples failed (the 400s): their errors are merged too, and count in error_rate.
      expect((await queryDb<{ n: number }>(merged, 'SELECT count(*)::INTEGER AS n FROM predictions WHERE error IS NOT NULL'))[0]?.n).toBeGreaterThan(0);
      // The merged runs are completed whole-split runs: `latest:` takes them, and the paired tests match.
      const compare = async (file: string) => (JSON.parse(await ok(['compare', 'latest:loopback/tuned', 'latest:loopback/base', '--db', file, '--json'])) as { metrics: { pValue: number | null }[] }).metrics;
      const [fromMerged, fromWhole] = [await compare(merged), await compare(whole)];
      expect(fromMerged.filter((m) => m.pValue !== null).length).toBeGreaterThan(3);
      expect(JSON.stringify(fromMerged)).toBe(JSON.stringify(fromWhole)); // (its cost table, wall and CPU time, differs by nature)
    } finally {
      await loopback.close();
    }
  });

  it('equals a single-process run of the rules and ONNX models, and batches keep their telemetry', async () => {
    const { whole, merged, shards } = await wholeAndMerged('suites/default.yaml', 'default', 3);
    await expectSameRuns(whole, merged);
    const batchCount = async (file: string) => (await queryDb<{ n: number }>(file, 'SELECT count(*)::INTEGER AS n FROM batches'))[0]?.n ?? 0;
    let shardBatches = 0;
    for (const shard of shards) shardBatches += await batchCount(shard);
    expect(await batchCount(merged)).toBe(shardBatches);
    // Renumbered in shard order: one run's batch indexes are 0..n-1 without a clash.
    expect(await queryDb(merged, 'SELECT run_id, count(*)::INTEGER AS n, max(batch_index)::INTEGER AS last FROM batches GROUP BY run_id HAVING n <> last + 1')).toEqual([]);
    // A rerun on the merged database finds the whole run completed: nothing is queried.
    expect(await ok(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', merged])).toMatch(/completed before: nothing queried or written/);
  });

  it('refuses a missing, duplicated, unfinished or mismatched shard, naming the file, and writes nothing', async () => {
    const run = (name: string, args: string[], suite = 'suites/default.yaml') => ok(['run', suite, '--only', 'rules', '--no-report', '--db', db(name), ...args]);
    await run('r0', ['--shard', '0/3']);
    await run('r1', ['--shard', '1/3']);
    await run('r2', ['--shard', '2/3']);
    const target = db('refused');
    await refused(['merge', db('r0'), db('r2'), '--db', target], /shard 1\/3 missing: the merged databases \(r0\.duckdb = 0\/3, r2\.duckdb = 2\/3\)/);
    copyFileSync(db('r1'), db('r1-copy'));
    await refused(['merge', db('r0'), db('r1'), db('r1-copy'), db('r2'), '--db', target], /r1-copy\.duckdb: shard 1\/3 again \(.*r1\.duckdb is shard 1\/3 too\)/);
    await run('r1-of-2', ['--shard', '1/2']);
    await refused(['merge', db('r0'), db('r1-of-2'), db('r2'), '--db', target], /r1-of-2\.duckdb: shard 1\/2 is of another split into shards/);
    await run('r1-limited', ['--shard', '1/3', '--limit', '30']);
    await refused(['merge', db('r0'), db('r1-limited'), db('r2'), '--db', target], /r1-limited\.duckdb \(run \S+, shard 1\/3\): another selection than .*r0\.duckdb/);
    // Another config of the suite (its version) for shard 1: a different suite run.
    const other = path.join(dir, 'other.yaml');
    writeFileSync(other, readFileSync('suites/default.yaml', 'utf8').replace(/^version: 1$/m, 'version: 2').replaceAll('../', path.resolve('suites/..') + '/'));
    await run('r1-other', ['--shard', '1/3'], other);
    await refused(['merge', db('r0'), db('r1-other'), db('r2'), '--db', target], /r1-other\.duckdb \(run \S+, shard 1\/3\): another suite config than .*r0\.duckdb .*configHash differs/);
    // A shard whose run did not finish (as an interrupt or crash leaves it).
    copyFileSync(db('r1'), db('r1-unfinished'));
    const instance = await DuckDBInstance.create(db('r1-unfinished'));
    const connection = await instance.connect();
    await connection.run(`UPDATE runs SET status = 'interrupted'`);
    connection.closeSync();
    instance.closeSync();
    await refused(['merge', db('r0'), db('r1-unfinished'), db('r2'), '--db', target], /r1-unfinished\.duckdb \(run \S+, shard 1\/3\): default \/ rules is interrupted, not completed/);
    expect(existsSync(target)).toBe(false);

    // Complete sets merge; merging them again is refused and leaves the target as it was.
    await ok(['merge', db('r0'), db('r1'), db('r2'), '--db', target]);
    await refused(['merge', db('r2'), db('r0'), db('r1'), '--db', target], /r0\.duckdb: run \S+ \(its shards merged\) is already in .*refused\.duckdb \(merged before\?\)/);
    expect(await queryDb(target, 'SELECT count(*)::INTEGER AS n FROM runs')).toEqual([{ n: 1 }]);
  });

  it('still copies the runs of plain (unsharded) databases as they are', async () => {
    await ok(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db('plain')]);
    const said = await ok(['merge', db('plain'), '--db', db('plain-merged')]);
    expect(said).toMatch(/merged 1 run\(s\) from .*plain\.duckdb/);
    expect(await queryDb(db('plain-merged'), 'SELECT id FROM runs')).toEqual(await queryDb(db('plain'), 'SELECT id FROM runs'));
    // A new target is copied into in parts: when a later source fails, the whole file goes, not only that part.
    copyFileSync(db('plain'), db('plain-again'));
    await refused(['merge', db('plain'), db('plain-again'), '--db', db('plain-parts')], /plain-again\.duckdb: run \S+ is also in .*plain\.duckdb, merged before it here/);
    expect(existsSync(db('plain-parts'))).toBe(false);
    expect(existsSync(`${db('plain-parts')}.wal`)).toBe(false);
  });

  it('exports every table as Parquet that DuckDB reads back', async () => {
    const out = path.join(dir, 'parquet');
    const result = await runCli(['export', '--db', db('plain'), '--parquet', out]);
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
