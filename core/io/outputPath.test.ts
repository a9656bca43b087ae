import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { RunStore } from '../../harness/store/index.js';
import { assertDatabasePath, assertSafeOutputs, isDuckDbFile, writtenPath } from './outputPath.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-output-path-'));
const db = path.join(dir, 'runs.duckdb');
const other = path.join(dir, 'other.bin');
const thresholds = path.join(dir, 'thresholds.yaml');

beforeAll(async () => {
  for (const file of [db, other]) await (await RunStore.open(file)).close();
  writeFileSync(thresholds, 'metrics: {accuracy: {min: 0.5}}\n');
  mkdirSync(path.join(dir, 'sub'));
  symlinkSync(db, path.join(dir, 'link-to-db.html'));
  symlinkSync(path.join(dir, 'nowhere.duckdb'), path.join(dir, 'dangling.html'));
  linkSync(thresholds, path.join(dir, 'hard-link.md'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(file: string, context: Parameters<typeof assertSafeOutputs>[1]): string {
  try {
    assertSafeOutputs([path.join(dir, 'fine.html'), file], context);
  } catch (error) {
    if (error instanceof CliError) return error.message;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

describe('assertSafeOutputs', () => {
  it('refuses the database, its WAL, and any way of naming them', () => {
    expect(refusal(db, { db })).toBe(`refusing to write ${db}: it is the database ${db}; nothing was written`);
    expect(refusal(path.join(dir, 'sub', '..', 'runs.duckdb'), { db })).toMatch(/it is the database/);
    expect(refusal(path.join(dir, 'link-to-db.html'), { db })).toMatch(/it is the database/);
    expect(refusal(`${db}.wal`, { db })).toMatch(/write-ahead log of the database/);
  });

  it('refuses any DuckDB file by its content, whatever its name, and the WAL beside it', () => {
    expect(isDuckDbFile(other)).toBe(true);
    expect(isDuckDbFile(thresholds)).toBe(false);
    expect(refusal(other, { db })).toMatch(/other\.bin: it is a DuckDB database/);
    expect(refusal(`${other}.wal`, {})).toMatch(/write-ahead log of the DuckDB database/);
  });

  it("refuses the command's inputs, through symlinks and hard links", () => {
    expect(refusal(thresholds, { db, inputs: [thresholds] })).toMatch(/it is an input of this command/);
    expect(refusal(path.join(dir, 'hard-link.md'), { db, inputs: [thresholds] })).toMatch(/it is an input of this command/);
    expect(refusal(path.join(dir, 'dangling.html'), { db: path.join(dir, 'nowhere.duckdb') })).toMatch(/it is the database/);
  });

  it('accepts new files, plain files and stdin as an input', () => {
    expect(() => assertSafeOutputs([path.join(dir, 'new', 'report.html'), thresholds], { db, inputs: ['-', undefined] })).not.toThrow();
    expect(writtenPath(path.join(dir, 'new', 'deeper', 'x.html'))).toBe(path.join(writtenPath(dir), 'new', 'deeper', 'x.html'));
  });
});

describe('assertDatabasePath', () => {
  it('refuses an existing file that is not a DuckDB database (DuckDB would open a .csv as an empty in-memory one), and a database\'s .wal for writing', () => {
    const csv = path.join(dir, 'runs.csv');
    writeFileSync(csv, 'a,b\n1,2\n');
    expect(() => assertDatabasePath(csv, { writing: false })).toThrow(CliError);
    expect(() => assertDatabasePath(csv, { writing: true })).toThrow(`${csv}: not a DuckDB database (a logbench store); name another --db`);
    expect(() => assertDatabasePath(`${db}.wal`, { writing: true })).toThrow(`${db}.wal: it is the write-ahead log of the DuckDB database ${db}; name another --db`);
    // A database, a new file, and the .wal name of a file that is not a database are fine.
    for (const file of [db, path.join(dir, 'new.duckdb'), `${csv}.wal`]) expect(() => assertDatabasePath(file, { writing: true })).not.toThrow();
  });

  it('refuses to create a database through a symbolic link to a file not there yet (DuckDB would lose its first log), and takes the link once the database exists', () => {
    const target = path.join(dir, 'later.duckdb');
    const link = path.join(dir, 'link-to-later.duckdb');
    symlinkSync(target, link);
    expect(() => assertDatabasePath(link, { writing: true })).toThrow(`${link}: a symbolic link to ${writtenPath(target)}, which does not exist yet;`);
    expect(() => assertDatabasePath(link, { writing: false })).not.toThrow();
    expect(() => assertDatabasePath(path.join(dir, 'link-to-db.html'), { writing: true })).not.toThrow();
  });
});
