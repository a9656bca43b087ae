import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from './duckdb.js';
import { type Params, type Row, readRows } from './rows.js';
import type { RunStore } from './store.js';

/**
 * A READ_ONLY DuckDB handle of its own on the file of a store that is itself open read-only (the
 * report's and the viewer's aggregate queries): with no writer in this process, two read-only
 * handles on one file see the same committed data, and the store's serialised connection stays free.
 */
export class ReadOnlyHandle {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** `reader` names who asks, for the refusal of a writable store. */
  static async open(store: Pick<RunStore, 'path' | 'readOnly'>, reader: string): Promise<ReadOnlyHandle> {
    if (!store.readOnly) {
      throw new Error(`${store.path}: ${reader} read a store opened with { readOnly: true } (a writable handle may hold uncommitted batches)`);
    }
    const instance = await duckdb.DuckDBInstance.create(store.path, { access_mode: 'READ_ONLY' });
    try {
      return new ReadOnlyHandle(instance, await instance.connect());
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  rows(sql: string, params: Params): Promise<Row[]> {
    return readRows(this.connection, sql, params);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
