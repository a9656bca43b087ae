import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../core/hash.js';
import { runCli } from '../support/cli.js';

/** Every command that writes a file refuses, before writing anything, to write over the store or its inputs. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-outputs-'));
const db = path.join(dir, 'runs.duckdb');
const RUN = 'latest:default/rules';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const result = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db]);
  expect(result.code, result.stderr).toBe(0);
});

/** Runs `args` and expects exit 3 naming `refused`, with `database` byte for byte as before and no file added to `folder`. */
async function expectRefused(args: string[], refused: string, database = db, folder = dir): Promise<string> {
  const before = sha256(readFileSync(database));
  const filesBefore = readdirSync(folder, { recursive: true }).sort();
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(3);
  expect(result.stderr).toContain(`refusing to write ${refused}`);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(sha256(readFileSync(database))).toBe(before);
  expect(readdirSync(folder, { recursive: true }).sort()).toEqual(filesBefore);
  return result.stderr;
}

describe('outputs never overwrite the store or an input', () => {
  it('report -o and export-run -o refuse the database, a link to it, its WAL and any DuckDB file', async () => {
    expect(await expectRefused(['report', '--db', db, '--run', RUN, '-o', db], db)).toContain('it is the database');
    const link = path.join(dir, 'report.html');
    symlinkSync(db, link);
    try {
      await expectRefused(['report', '--db', db, '--run', RUN, '-o', link], link);
    } finally {
      rmSync(link);
    }
    expect(await expectRefused(['export-run', '--db', db, '--run', RUN, '-o', `${db}.wal`], `${db}.wal`)).toContain('write-ahead log');
    const copy = path.join(dir, 'copy', 'baseline.json');
    mkdirSync(path.dirname(copy));
    copyFileSync(db, copy);
    expect(await expectRefused(['export-run', '--db', db, '--run', RUN, '-o', copy], copy, copy)).toContain('it is a DuckDB database');
  });

  it('report -o refuses the suite file and every input the stored run names (#15 review: `report -o worse.yaml`)', async () => {
    const suiteDir = path.join(dir, 'suite');
    mkdirSync(suiteDir);
    writeFileSync(path.join(suiteDir, 'data.jsonl'), '{"id": "s0", "input": "line 0", "label": "anomalous"}\n{"id": "s1", "input": "line 1", "label": "normal"}\n');
    writeFileSync(path.join(suiteDir, 'answers.jsonl'), '{"id": "s0", "output": "anomalous"}\n{"id": "s1", "output": "normal"}\n');
    writeFileSync(path.join(suiteDir, 'p.txt'), 'Is this anomalous? {{input}}\n');
    const suite = path.join(suiteDir, 'replayed.yaml');
    writeFileSync(suite, 'name: replayed\nversion: 1\ntask: classification\ndataset:\n  source: jsonl\n  path: data.jsonl\n  input_field: input\n  label_field: label\n  id_field: id\n  split: t\nprompt:\n  user: p.txt\nmodels:\n  - id: m\n    provider: replay\n    path: answers.jsonl\n');
    const suiteDb = path.join(suiteDir, 'runs.duckdb');
    const result = await runCli(['run', suite, '--no-report', '--db', suiteDb]);
    expect(result.code, result.stderr).toBe(0);
    for (const input of [suite, path.join(suiteDir, 'answers.jsonl'), path.join(suiteDir, 'data.jsonl'), path.join(suiteDir, 'p.txt')]) {
      const before = readFileSync(input, 'utf8');
      expect(await expectRefused(['report', '--db', suiteDb, '--run', 'latest:replayed/m', '-o', input], input, suiteDb, suiteDir)).toContain('input of this command');
      expect(readFileSync(input, 'utf8')).toBe(before);
    }
  });

  it('publish --out and export --parquet refuse a folder where one of their files is the database', async () => {
    const site = path.join(dir, 'site');
    mkdirSync(site);
    const siteDb = path.join(site, 'index.html');
    copyFileSync(db, siteDb);
    await expectRefused(['publish', '--db', siteDb, '--out', site], siteDb, siteDb, site);
    const parquet = path.join(dir, 'parquet');
    mkdirSync(parquet);
    const parquetDb = path.join(parquet, 'metrics.parquet');
    copyFileSync(db, parquetDb);
    await expectRefused(['export', '--db', parquetDb, '--parquet', parquet], parquetDb, parquetDb, parquet);
  });

  it('gate --summary refuses its thresholds file and the database, even for a failed gate', async () => {
    const thresholds = path.join(dir, 'thresholds.yaml');
    writeFileSync(thresholds, 'metrics:\n  accuracy: { min: 0.5 }\n');
    const before = readFileSync(thresholds, 'utf8');
    expect(await expectRefused(['gate', '--db', db, '--candidate', RUN, '--thresholds', thresholds, '--summary', thresholds], thresholds)).toContain('input of this command');
    expect(readFileSync(thresholds, 'utf8')).toBe(before);
    await expectRefused(['gate', '--db', db, '--candidate', 'no-such-run', '--thresholds', thresholds, '--summary', db], db);
  });
});
