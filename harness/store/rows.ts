/**
 * How every query of the store binds its parameters and decodes the values of its rows: the one
 * decoding shared by `RunStore`'s row readers and the report queries, so a column reads the same
 * whichever of them selects it.
 */
import type { DuckDBConnection, DuckDBType, DuckDBValue, JS } from '@duckdb/node-api';
import type { z } from 'zod';
import { duckdb } from './duckdb.js';

const { DOUBLE, INTEGER, LIST, VARCHAR, listValue } = duckdb;

export type Row = Record<string, JS>;

/** A query parameter: text, a number, NULL or a list of text (for `IN (SELECT unnest($ids))`). */
export type Param = string | number | null | readonly string[];
export type Params = readonly Param[] | Readonly<Record<string, Param>>;

function bindingType(value: Param): DuckDBType {
  if (value === null || typeof value === 'string') return VARCHAR;
  if (typeof value === 'number') return Number.isInteger(value) ? INTEGER : DOUBLE;
  return LIST(VARCHAR);
}

function bindingValue(value: Param): DuckDBValue {
  return value !== null && typeof value === 'object' ? listValue([...value]) : value;
}

/** Values and their DuckDB types, positional or named as `params` is. */
export function bind(params: Params): [DuckDBValue[] | Record<string, DuckDBValue>, DuckDBType[] | Record<string, DuckDBType>] {
  if (Array.isArray(params)) {
    const list: readonly Param[] = params;
    return [list.map(bindingValue), list.map(bindingType)];
  }
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [name, value] of Object.entries(params)) {
    values[name] = bindingValue(value);
    types[name] = bindingType(value);
  }
  return [values, types];
}

export async function readRows(connection: DuckDBConnection, sql: string, params: Params = []): Promise<Row[]> {
  return (await connection.runAndReadAll(sql, ...bind(params))).getRowObjectsJS();
}

/**
 * The rows of a query decoded chunk by chunk (DuckDB's 2,048-row vectors) as they are fetched, for
 * results of a row per sample: neither the whole result nor all its row objects are held at once.
 */
export async function mapRows<T>(connection: DuckDBConnection, sql: string, params: Params, decode: (row: Row) => T): Promise<T[]> {
  const out: T[] = [];
  const result = await connection.stream(sql, ...bind(params));
  for await (const rows of result.yieldRowObjectJs()) for (const row of rows) out.push(decode(row));
  return out;
}

export function text(value: JS | undefined): string {
  if (typeof value !== 'string') throw new TypeError(`expected text, got ${String(value)}`);
  return value;
}
export function optionalText(value: JS | undefined): string | null {
  return value === null || value === undefined ? null : text(value);
}
export function numeric(value: JS | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new TypeError(`expected a number, got ${String(value)}`);
}
export function optionalNumeric(value: JS | undefined): number | null {
  return value === null || value === undefined ? null : numeric(value);
}
export function flag(value: JS | undefined): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`expected true or false, got ${String(value)}`);
  return value;
}
export function timestamp(value: JS | undefined): string {
  if (!(value instanceof Date)) throw new TypeError(`expected a timestamp, got ${String(value)}`);
  return value.toISOString();
}
export function json<T>(value: JS | undefined, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(text(value)));
}
export function optionalJson<T>(value: JS | undefined, schema: z.ZodType<T>): T | null {
  return value === null || value === undefined ? null : json(value, schema);
}
