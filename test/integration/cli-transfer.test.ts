import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

/** `merge` and `import-run` write all or nothing, never leave a target they created behind, and trust no figure they are handed. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-transfer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = (name: string) => path.join(dir, `${name}.duckdb`);
const runIds = async (file: string) => (await queryDb<{ id: string }>(file, 'SELECT id FROM runs ORDER BY id')).map((row) => row.id);
let exported: string;

beforeAll(async () => {
  // Two shards to merge, and two whole runs: one to export, one holding the split to import into.
  for (const [name, extra] of [['shard0', ['--shard', '0/2']], ['shard1', ['--shard', '1/2']], ['whole', []], ['home', []]] as const) {
    const result = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db(name), ...extra]);
    expect(result.code, result.stderr).toBe(0);
  }
  exported = path.join(dir, 'rules.json');
  const result = await runCli(['export-run', '--db', db('whole'), '--run', 'latest:default/rules', '-o', exported]);
  expect(result.code, result.stderr).toBe(0);
});

async function expectExit3(args: string[], message: string | RegExp): Promise<void> {
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(3);
  expect(result.stderr).toMatch(message);
}

describe('logbench merge', () => {
  it('refuses the same shard twice, or the target among the sources, before creating or merging anything', async () => {
    await expectExit3(['merge', db('shard0'), path.join(dir, '.', 'shard0.duckdb'), '--db', db('twice')], /shard0\.duckdb: the same database as .*shard0\.duckdb, named twice/);
    expect(existsSync(db('twice'))).toBe(false);
    const link = path.join(dir, 'link.duckdb');
    symlinkSync(db('shard0'), link);
    const before = await runIds(db('shard0'));
    await expectExit3(['merge', link, '--db', db('shard0')], /link\.duckdb: cannot merge a store into itself/);
    expect(await runIds(db('shard0'))).toEqual(before);
  });

  it('merges all sources or none, and removes a target it created when it fails', async () => {
    await expectExit3(['merge', db('shard0'), db('missing'), '--db', db('new')], /missing\.duckdb: no logbench store there/);
    expect(existsSync(db('new'))).toBe(false);
    const notDuckDb = path.join(dir, 'notes.txt');
    writeFileSync(notDuckDb, 'not a database\n');
    await expectExit3(['merge', notDuckDb, '--db', db('new')], /notes\.txt: not a DuckDB database/);
    expect(existsSync(db('new'))).toBe(false);

    // One shard of two is not a run: refused, and the target it would have created is removed.
    await expectExit3(['merge', db('shard0'), '--db', db('new')], /shard 1\/2 missing/);
    expect(existsSync(db('new'))).toBe(false);

    const first = await runCli(['merge', db('whole'), '--db', db('target')]);
    expect(first.code, first.stderr).toBe(0);
    const before = await runIds(db('target'));
    // The shards are new, whole is already there: the shards must not be merged either.
    await expectExit3(['merge', db('shard0'), db('shard1'), db('whole'), '--db', db('target')], /whole\.duckdb: run \S+ is already in .*target\.duckdb \(merged before\?\)/);
    expect(await runIds(db('target'))).toEqual(before);
  });

  it('names the input a clashing run came from in this merge, not the new database; counts every run copied as it is', async () => {
    copyFileSync(db('whole'), path.join(dir, 'whole-copy.duckdb'));
    const merged = await runCli(['merge', db('shard0'), db('shard1'), '--db', db('merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    // The merged run, then its shards again: the whole run they make is the one merged.duckdb brought.
    await expectExit3(['merge', db('merged'), db('shard0'), db('shard1'), '--db', db('again')], /shard0\.duckdb: run \S+ \(its shards merged\) is also in .*merged\.duckdb, merged before it here/);
    expect(existsSync(db('again'))).toBe(false);
    // A plain run in two inputs names both.
    await expectExit3(['merge', db('whole'), db('merged'), path.join(dir, 'whole-copy.duckdb'), '--db', db('again')], /whole-copy\.duckdb: run \S+ is also in .*whole\.duckdb, merged before it here/);
    expect(existsSync(db('again'))).toBe(false);
    // merged.duckdb's one run and whole.duckdb's: each copied as it is, and said so.
    const both = await runCli(['merge', db('whole'), db('merged'), '--db', db('both')]);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toMatch(/merged 1 run\(s\) from .*whole\.duckdb/);
    expect(both.stderr).toMatch(/merged 1 run\(s\) from .*merged\.duckdb/);
    // A shard database whose shard was rerun: its older shard run is copied as it is, and counted.
    for (const extra of [['--limit', '4'], []]) {
      const ran = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db('rerun1'), '--shard', '1/2', ...extra]);
      expect(ran.code, ran.stderr).toBe(0);
    }
    const rerun = await runCli(['merge', db('shard0'), db('rerun1'), '--db', db('with-rerun')]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/merged 1 run\(s\) from .*rerun1\.duckdb/);
    expect(await runIds(db('with-rerun'))).toHaveLength(2);
  });
});

describe('logbench import-run', () => {
  it('removes a target database it created when the import fails', async () => {
    await expectExit3(['import-run', exported, '--db', db('empty')], /empty\.duckdb lacks \d+ sample\(s\) of split/);
    expect(existsSync(db('empty'))).toBe(false);
    expect(existsSync(`${db('empty')}.wal`)).toBe(false);
  });

  it('recomputes the figures from the predictions and refuses an export whose stored figures disagree', async () => {
    const original = JSON.parse(readFileSync(exported, 'utf8')) as {
      run: { id: string };
      metrics: { name: string; value: number | null }[];
      batches: { predictions: { values: Record<string, number | null> }[] }[];
    };
    const tampered = (name: string, edit: (copy: typeof original) => void): string => {
      const copy = structuredClone(original);
      copy.run.id = `tampered-${name}`;
      edit(copy);
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(copy));
      return file;
    };
    const accuracy = original.metrics.find((metric) => metric.name === 'accuracy')?.value as number;
    const target = db('home');
    const before = await runIds(target);
    await expectExit3(
      ['import-run', tampered('metric', (copy) => ((copy.metrics.find((metric) => metric.name === 'accuracy') as { value: number }).value = accuracy / 2)), '--db', target],
      new RegExp(`metric\\.json: metric accuracy: stored ${accuracy / 2}, which disagrees with the figure recomputed from the predictions; refusing`),
    );
    await expectExit3(
      ['import-run', tampered('sample', (copy) => (copy.batches[0]!.predictions[0]!.values['correct'] = 7)), '--db', target],
      /sample\.json: sample \S+, score correct: stored 7, which disagrees with the figure recomputed from the predictions; refusing/,
    );
    await expectExit3(
      ['import-run', tampered('extra', (copy) => copy.metrics.push({ name: 'bleu', value: 0.99, ciLow: null, ciHigh: null, n: 1 } as (typeof copy.metrics)[number])), '--db', target],
      /extra\.json: metric bleu \(its suite does not compute it\): stored 0\.99, which disagrees/,
    );
    expect(await runIds(target)).toEqual(before);
    const honest = await runCli(['import-run', exported, '--db', target]);
    expect(honest.code, honest.stderr).toBe(0);
    expect(await runIds(target)).toEqual([...before, original.run.id].sort());
  });
});
