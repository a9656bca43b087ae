import type { DuckDBConnection } from '@duckdb/node-api';

/** One schema step. Applied once, in order, inside its own transaction; never edited after release. */
export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

/** The schema is the result of applying these in order. Append new steps; never rewrite old ones. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, samples, predictions, batches, sample_metrics, metrics, cache',
    statements: [
      `CREATE TABLE runs (
        id VARCHAR PRIMARY KEY,
        run_key VARCHAR NOT NULL,
        suite_name VARCHAR NOT NULL,
        suite_path VARCHAR,
        model_id VARCHAR NOT NULL,
        variant VARCHAR,
        provider VARCHAR NOT NULL,
        model_name VARCHAR,
        endpoint VARCHAR,
        task VARCHAR NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        git_sha VARCHAR,
        git_dirty BOOLEAN,
        harness_version VARCHAR NOT NULL,
        node_version VARCHAR NOT NULL,
        host VARCHAR NOT NULL,
        gpu_name VARCHAR,
        config_hash VARCHAR NOT NULL,
        split_hash VARCHAR NOT NULL,
        prompt_hash VARCHAR,
        decoding JSON NOT NULL,
        suite JSON NOT NULL
      )`,
      `CREATE TABLE samples (
        split_hash VARCHAR NOT NULL,
        sample_id VARCHAR NOT NULL,
        input_hash VARCHAR NOT NULL,
        input VARCHAR NOT NULL,
        reference VARCHAR,
        label VARCHAR,
        meta JSON NOT NULL,
        PRIMARY KEY (split_hash, sample_id)
      )`,
      `CREATE TABLE predictions (
        run_id VARCHAR NOT NULL,
        sample_id VARCHAR NOT NULL,
        batch_index INTEGER NOT NULL,
        output VARCHAR,
        label VARCHAR,
        probs JSON,
        score JSON,
        latency_ms DOUBLE NOT NULL,
        tokens_in INTEGER,
        tokens_out INTEGER,
        error VARCHAR,
        cached BOOLEAN NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (run_id, sample_id)
      )`,
      `CREATE TABLE batches (
        run_id VARCHAR NOT NULL,
        batch_index INTEGER NOT NULL,
        size INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        wall_ms DOUBLE NOT NULL,
        cpu_ms DOUBLE,
        rss_peak_bytes BIGINT,
        gpu_util_avg DOUBLE,
        gpu_util_max DOUBLE,
        gpu_mem_peak_mb DOUBLE,
        gpu_mem_delta_mb DOUBLE,
        gpu_time_ms DOUBLE,
        tokens_in INTEGER,
        tokens_out INTEGER,
        latency_p50_ms DOUBLE,
        latency_p95_ms DOUBLE,
        latency_max_ms DOUBLE,
        PRIMARY KEY (run_id, batch_index)
      )`,
      `CREATE TABLE sample_metrics (
        run_id VARCHAR NOT NULL,
        sample_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        value DOUBLE,
        PRIMARY KEY (run_id, sample_id, name)
      )`,
      `CREATE TABLE metrics (
        run_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        value DOUBLE,
        ci_low DOUBLE,
        ci_high DOUBLE,
        n INTEGER NOT NULL,
        PRIMARY KEY (run_id, name)
      )`,
      `CREATE TABLE cache (
        request_hash VARCHAR PRIMARY KEY,
        provider VARCHAR NOT NULL,
        model VARCHAR NOT NULL,
        response JSON NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    description: 'batches.server: inference-server figures (vLLM /metrics deltas) per batch',
    statements: ['ALTER TABLE batches ADD COLUMN server JSON'],
  },
  {
    version: 3,
    description: 'runs.selection: the --limit / --shard subset a run covers (null: the whole split)',
    statements: ['ALTER TABLE runs ADD COLUMN selection JSON'],
  },
  {
    version: 4,
    description: 'batches: GPU energy (J), mean power (W), where GPU figures came from, and why they are missing',
    statements: [
      'ALTER TABLE batches ADD COLUMN energy_j DOUBLE',
      'ALTER TABLE batches ADD COLUMN power_avg_w DOUBLE',
      // DuckDB cannot add a column with a CHECK: the writer (BatchRecord.gpuSource) admits 'nvidia-smi' or 'dcgm' only.
      'ALTER TABLE batches ADD COLUMN gpu_source VARCHAR',
      'ALTER TABLE batches ADD COLUMN telemetry_note VARCHAR',
    ],
  },
  {
    version: 5,
    description: 'batches.replicas: the endpoints that answered the batch (a model with several endpoints), comma-joined',
    statements: ['ALTER TABLE batches ADD COLUMN replicas VARCHAR'],
  },
];

export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.reduce((latest, m) => Math.max(latest, m.version), 0);

/** The file's schema cannot be used by this build (newer than we know, or too old to read without upgrading). */
export class StoreSchemaError extends Error {
  override readonly name = 'StoreSchemaError';
}

async function currentSchemaVersion(connection: DuckDBConnection): Promise<number> {
  const table = await connection.runAndReadAll(
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'schema_version'`,
  );
  if (table.getRowObjectsJS()[0]?.['n'] === 0) return 0;
  const reader = await connection.runAndReadAll('SELECT coalesce(max(version), 0)::INTEGER AS version FROM schema_version');
  return Number(reader.getRowObjectsJS()[0]?.['version'] ?? 0);
}

/**
 * Brings the database at `path` up to the latest schema. A read-only handle can only check:
 * an older file must be opened for writing once to be upgraded.
 */
export async function migrate(
  connection: DuckDBConnection,
  path: string,
  options: { readOnly: boolean; migrations?: readonly Migration[] },
): Promise<number> {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const found = await currentSchemaVersion(connection);
  if (found > latest) {
    throw new StoreSchemaError(
      `${path} has store schema version ${found}, but this logbench only knows up to ${latest}: it was written by a newer logbench; upgrade logbench to read it`,
    );
  }
  if (found === latest) return found;
  if (options.readOnly) {
    throw new StoreSchemaError(
      found === 0
        ? `${path} is not a logbench store (no schema_version table)`
        : `${path} has store schema version ${found} < ${latest}; open it once for writing (e.g. logbench run) to upgrade it`,
    );
  }
  await connection.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= found) continue;
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const statement of migration.statements) await connection.run(statement);
      await connection.run('INSERT INTO schema_version VALUES ($1, $2, now())', [migration.version, migration.description]);
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK');
      throw new StoreSchemaError(`${path}: migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return latest;
}
