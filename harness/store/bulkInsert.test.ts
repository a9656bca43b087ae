import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { bulkInsertStatements, type Cell, type ColumnType } from './bulkInsert.js';
import { duckdb } from './duckdb.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await duckdb.DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

const columns = {
  id: 'INTEGER',
  text: 'VARCHAR',
  value: 'DOUBLE',
  big: 'BIGINT',
  flag: 'BOOLEAN',
  at: 'TIMESTAMPTZ',
  doc: 'JSON',
} as const satisfies Record<string, ColumnType>;

async function roundTrip(table: string, rows: Cell[][], options?: { replace?: boolean }) {
  for (const { sql, document } of bulkInsertStatements(table, columns, rows, options)) await connection.run(sql, [document]);
  const reader = await connection.runAndReadAll(`SELECT id, text, value, big, flag, epoch_ms("at") AS "at", doc FROM ${table} ORDER BY id`);
  return reader.getRowsJS();
}

/** Doubles spread over every exponent and sign, from their bits (the JSON text must round-trip each exactly). */
function doublesFromBits(n: number): number[] {
  const out: number[] = [];
  const view = new DataView(new ArrayBuffer(8));
  let state = 0x9e3779b9;
  const next = () => (state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6b43a9b5) >>> 0);
  while (out.length < n) {
    view.setUint32(0, next());
    view.setUint32(4, next());
    const value = view.getFloat64(0);
    if (Number.isFinite(value)) out.push(value);
  }
  return [...out, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1, 1 / 3, 2 ** 53 + 2];
}

describe('bulkInsertStatements', () => {
  // "at" is a reserved word: the statements must quote column names.
  it('stores every double bit for bit, and NaN and ±Infinity, which JSON lacks', async () => {
    await connection.run('CREATE TABLE doubles (id INTEGER, text VARCHAR, value DOUBLE, big BIGINT, flag BOOLEAN, "at" TIMESTAMPTZ, doc JSON)');
    const values = [...doublesFromBits(20_000), Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const rows = await roundTrip('doubles', values.map((value, id) => [id, null, value, null, null, null, null]));
    expect(rows.map((row) => row[2])).toEqual(values);
  });

  it('keeps text, JSON text, booleans, integers and timestamps as given, nulls included', async () => {
    await connection.run('CREATE TABLE mixed (id INTEGER, text VARCHAR, value DOUBLE, big BIGINT, flag BOOLEAN, "at" TIMESTAMPTZ, doc JSON)');
    const at = new Date('2026-11-26T18:00:00.123Z');
    const rows: Cell[][] = [
      [1, 'quotes " backslash \\ newline \n tab \t unicode é 😀 nul-free', 0.5, 2 ** 52 + 1, true, at, '{"b":[1,2],"a":0.1}'],
      [2, '', -0.25, -7, false, at.toISOString(), '"just a string"'],
      [3, null, null, null, null, null, null],
    ];
    expect(await roundTrip('mixed', rows)).toEqual([
      [1, rows[0]![1], 0.5, 2n ** 52n + 1n, true, BigInt(at.getTime()), '{"b":[1,2],"a":0.1}'],
      [2, '', -0.25, -7n, false, BigInt(at.getTime()), '"just a string"'],
      [3, null, null, null, null, null, null],
    ]);
  });

  it('splits rows too large for one parameter into several statements that insert them all', async () => {
    await connection.run('CREATE TABLE large (id INTEGER, text VARCHAR, value DOUBLE, big BIGINT, flag BOOLEAN, "at" TIMESTAMPTZ, doc JSON)');
    const chunk = 'x'.repeat(4 * 1024 * 1024);
    const rows: Cell[][] = Array.from({ length: 20 }, (_, id) => [id, chunk, id, null, null, null, null]);
    const statements = bulkInsertStatements('large', columns, rows);
    expect(statements.length).toBeGreaterThan(1);
    const stored = await roundTrip('large', rows);
    expect(stored.map((row) => [row[0], (row[1] as string).length])).toEqual(rows.map((row) => [row[0], chunk.length]));
  });

  it('replaces rows whose key is already there when asked to', async () => {
    await connection.run('CREATE TABLE keyed (id INTEGER PRIMARY KEY, text VARCHAR, value DOUBLE, big BIGINT, flag BOOLEAN, "at" TIMESTAMPTZ, doc JSON)');
    await roundTrip('keyed', [[1, 'old', 1, null, null, null, null]]);
    await expect(roundTrip('keyed', [[1, 'clash', 2, null, null, null, null]])).rejects.toThrow(/Duplicate key|PRIMARY KEY|constraint/i);
    const rows = await roundTrip('keyed', [[1, 'new', 3, null, null, null, null]], { replace: true });
    expect(rows.map((row) => row.slice(0, 3))).toEqual([[1, 'new', 3]]);
  });

  it('returns no statement for no rows, and refuses a row of the wrong width', () => {
    expect(bulkInsertStatements('t', columns, [])).toEqual([]);
    expect(() => bulkInsertStatements('t', columns, [[1, 'two']])).toThrow('t: a row has 2 cells for 7 columns');
  });
});
