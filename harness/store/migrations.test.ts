import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, StoreSchemaError, migrate, type Migration } from './migrations.js';
import { RunStore } from './store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logbench-migrations-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `work` on a plain DuckDB connection to `path`, closing it afterwards. */
async function withDuckDB<T>(path: string, work: (connection: DuckDBConnection) => Promise<T>, readOnly = false): Promise<T> {
  const instance = await DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY' } : {});
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function appliedVersions(connection: DuckDBConnection): Promise<number[]> {
  const reader = await connection.runAndReadAll('SELECT version FROM schema_version ORDER BY version');
  return reader.getRowObjectsJS().map((row) => Number(row['version']));
}

async function tableNames(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name`);
  return reader.getRowObjectsJS().map((row) => String(row['table_name']));
}

const ADD_NOTE_COLUMN: Migration = { version: 2, description: 'runs.note', statements: ['ALTER TABLE runs ADD COLUMN note VARCHAR'] };

describe('migrate', () => {
  it('builds every table of an empty database and records each version once', async () => {
    const path = join(dir, 'empty.duckdb');
    await withDuckDB(path, async (connection) => {
      expect(await migrate(connection, path, { readOnly: false })).toBe(LATEST_SCHEMA_VERSION);
      expect(await tableNames(connection)).toEqual(
        ['batches', 'cache', 'metrics', 'predictions', 'runs', 'sample_metrics', 'samples', 'schema_version'],
      );
      expect(await appliedVersions(connection)).toEqual(MIGRATIONS.map((m) => m.version));
    });
  });

  it('is a no-op on an up-to-date database, across reopenings', async () => {
    const path = join(dir, 'twice.duckdb');
    await withDuckDB(path, (connection) => migrate(connection, path, { readOnly: false }));
    await withDuckDB(path, async (connection) => {
      expect(await migrate(connection, path, { readOnly: false })).toBe(LATEST_SCHEMA_VERSION);
      expect(await migrate(connection, path, { readOnly: false })).toBe(LATEST_SCHEMA_VERSION);
      expect(await appliedVersions(connection)).toEqual(MIGRATIONS.map((m) => m.version));
    });
  });

  it('upgrades an older file, applying only the missing steps', async () => {
    const path = join(dir, 'older.duckdb');
    await withDuckDB(path, (connection) => migrate(connection, path, { readOnly: false, migrations: MIGRATIONS.slice(0, 1) }));
    await withDuckDB(path, async (connection) => {
      expect(await migrate(connection, path, { readOnly: false, migrations: [...MIGRATIONS.slice(0, 1), ADD_NOTE_COLUMN] })).toBe(2);
      expect(await appliedVersions(connection)).toEqual([1, 2]);
      const columns = await connection.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'runs' AND column_name = 'note'`);
      expect(columns.getRowObjectsJS()).toHaveLength(1);
    });
  });

  it('upgrades a version-3 store to 4: its batches keep their figures and read null energy, source and note', async () => {
    const path = join(dir, 'v3.duckdb');
    await withDuckDB(path, async (connection) => {
      await migrate(connection, path, { readOnly: false, migrations: MIGRATIONS.filter((m) => m.version <= 3) });
      await connection.run(`INSERT INTO batches (run_id, batch_index, size, started_at, wall_ms, gpu_time_ms) VALUES ('r1', 0, 2, now(), 120, 90)`);
    });
    const store = await RunStore.open(path);
    try {
      expect(await store.batches('r1')).toEqual([
        expect.objectContaining({ batchIndex: 0, wallMs: 120, gpuTimeMs: 90, energyJ: null, powerAvgW: null, gpuSource: null, telemetryNote: null }),
      ]);
    } finally {
      await store.close();
    }
    expect(await withDuckDB(path, appliedVersions)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('upgrades a version-4 store to 5: its batches keep their figures and read no replicas', async () => {
    const path = join(dir, 'v4.duckdb');
    await withDuckDB(path, async (connection) => {
      await migrate(connection, path, { readOnly: false, migrations: MIGRATIONS.filter((m) => m.version <= 4) });
      await connection.run(`INSERT INTO batches (run_id, batch_index, size, started_at, wall_ms, energy_j, telemetry_note) VALUES ('r1', 0, 2, now(), 120, 7.5, 'a note')`);
    });
    const store = await RunStore.open(path);
    try {
      expect(await store.batches('r1')).toEqual([expect.objectContaining({ batchIndex: 0, wallMs: 120, energyJ: 7.5, telemetryNote: 'a note', replicas: null })]);
    } finally {
      await store.close();
    }
    expect(await withDuckDB(path, appliedVersions)).toEqual([1, 2, 3, 4, 5]);
  });

  it('rolls back a failing step entirely and keeps the version it had', async () => {
    const path = join(dir, 'failing.duckdb');
    const failing: Migration = {
      version: 2,
      description: 'half done',
      statements: ['CREATE TABLE half_done (x INTEGER)', 'ALTER TABLE no_such_table ADD COLUMN y INTEGER'],
    };
    await withDuckDB(path, async (connection) => {
      await expect(migrate(connection, path, { readOnly: false, migrations: [...MIGRATIONS.slice(0, 1), failing] })).rejects.toThrow(
        /migration 2 \(half done\) failed/,
      );
      expect(await appliedVersions(connection)).toEqual([1]);
      expect(await tableNames(connection)).not.toContain('half_done');
    });
  });

  it('refuses to upgrade through a read-only handle', async () => {
    const path = join(dir, 'readonly-old.duckdb');
    await withDuckDB(path, (connection) => migrate(connection, path, { readOnly: false, migrations: MIGRATIONS.slice(0, 1) }));
    await withDuckDB(
      path,
      async (connection) => {
        await expect(migrate(connection, path, { readOnly: true, migrations: [...MIGRATIONS.slice(0, 1), ADD_NOTE_COLUMN] })).rejects.toThrow(
          /open it once for writing/,
        );
      },
      true,
    );
  });
});

describe('RunStore.open and the schema version', () => {
  it('rejects a file written by a newer logbench, naming both versions', async () => {
    const path = join(dir, 'newer.duckdb');
    await (await RunStore.open(path)).close();
    await withDuckDB(path, (connection) => connection.run(`INSERT INTO schema_version VALUES (${LATEST_SCHEMA_VERSION + 1}, 'future', now())`));
    const opening = RunStore.open(path);
    await expect(opening).rejects.toBeInstanceOf(StoreSchemaError);
    await expect(opening).rejects.toThrow(`schema version ${LATEST_SCHEMA_VERSION + 1}, but this logbench only knows up to ${LATEST_SCHEMA_VERSION}`);
    // The refusal released the file: a plain connection can still read it.
    expect(await withDuckDB(path, appliedVersions)).toContain(LATEST_SCHEMA_VERSION + 1);
  });

  it('upgrades a plain DuckDB file that predates the store when opened for writing, not when read-only', async () => {
    const path = join(dir, 'plain.duckdb');
    await withDuckDB(path, (connection) => connection.run('CREATE TABLE unrelated (x INTEGER)'));
    await expect(RunStore.open(path, { readOnly: true })).rejects.toThrow(/not a logbench store/);
    const store = await RunStore.open(path);
    expect(await store.listRuns()).toEqual([]);
    await store.close();
    expect(await withDuckDB(path, tableNames)).toContain('unrelated');
  });
});
