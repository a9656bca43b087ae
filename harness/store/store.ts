import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, JS } from '@duckdb/node-api';
import { notice } from '../../core/notice.js';
import { duckdb } from './duckdb.js';
import { z } from 'zod';
import type { GpuSource, ServerBatchFigures } from '../telemetry/batchTelemetry.js';
import type { Sample } from '../../core/sample.js';
import { sha256 } from '../../core/hash.js';
import { assertDatabasePath, assertSafeOutputs, isDuckDbFile, sameFile, writtenPath } from '../../core/io/outputPath.js';
import { redactEndpoints, redactSuite } from './endpoint.js';
import { migrate } from './migrations.js';
import { memoryLimitNotBelow } from './memoryLimit.js';
import { type Params, type Row, bind, json, mapRows, numeric, optionalJson, optionalNumeric, optionalText, readRows, text, timestamp } from './rows.js';
import type {
  BatchRecord,
  CacheRecord,
  MetricRecord,
  NewRun,
  PredictionRecord,
  RunSelection,
  RunStatus,
  SampleMetricRecord,
  StoredBatch,
  StoredCacheEntry,
  StoredMetric,
  StoredPrediction,
  StoredRun,
  StoredSample,
  StoredSampleMetric,
} from './records.js';

const { JSToDuckDBValueConverter } = duckdb;

export interface OpenStoreOptions {
  readOnly?: boolean;
  /** How long to wait for another process to release the file before giving up. Default 30 s. */
  lockWaitMs?: number;
  /**
   * Rows per DuckDB row group in what this handle writes (DuckDB's default is 122,880). A bulk copy
   * that fills a group writes it to the file before its commit (DuckDB's optimistic write) instead of
   * holding the transaction's rows in memory: `merge` builds its new database with 8,192 (BENCHMARKS.md,
   * bench:shards: 100,000 samples merged in ≈ 2 s less CPU).
   */
  rowGroupSize?: number;
}

/** Another process (or another handle in this one) holds the database file; DuckDB allows one writer per file. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly path: string,
    readonly waitedMs: number,
    /** DuckDB's own message, which names the holder's PID; absent when the holder is this process. */
    readonly lockDetail?: string,
  ) {
    super(
      lockDetail === undefined
        ? `${path} is already open in this process (one RunStore per file); gave up after ${waitedMs} ms`
        : `${path} is locked by another logbench process (DuckDB allows one process per file while it writes); gave up after ${waitedMs} ms: ${lockDetail}`,
    );
  }
}

const DEFAULT_LOCK_WAIT_MS = 30_000;
const LOCK_RETRY_MS = 100;
const LOCK_CONFLICT = /Could not set lock on file/i;

/** Paths this process holds open: fcntl locks do not stop a second handle in the same process, which would corrupt the file. */
const openInThisProcess = new Set<string>();

const jsonObject = z.record(z.string(), z.unknown());
const probabilities = z.record(z.string(), z.number());
const runStatus = z.enum(['running', 'completed', 'failed', 'interrupted']);
/** Validates `runs.selection` as read back, and where exported runs are imported. */
export const runSelection = z.object({
  limit: z.number().int().positive().optional(),
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().positive() }).optional(),
  samples: z.number().int().min(0),
  splitSamples: z.number().int().min(0),
});

/** A completed run is the record of what a model scored: nothing may add to it, rescore it or reopen it. */
export class CompletedRunError extends Error {
  override readonly name = 'CompletedRunError';
  constructor(readonly runId: string, action: string) {
    super(`run ${runId} is completed and never changes (refused: ${action}); a rerun with other samples or settings starts a new run`);
  }
}

const INT32_MAX = 2 ** 31 - 1;
/** Counts stored in INTEGER columns: a whole number from 0 to 2^31 - 1, else null (the caller warns). */
export function storableCount(value: number | undefined): number | undefined {
  return value === undefined || (Number.isInteger(value) && value >= 0 && value <= INT32_MAX) ? value : undefined;
}

const NO_SPACE = /No space left on device|ENOSPC|disk is full|Could not write all bytes/i;

/** One prediction of a run with its sample's reference and label: what the scorer reads. */
export interface ScoringRow {
  sampleId: string;
  reference: string | null;
  label: string | null;
  text: string | null;
  predictedLabel: string | null;
  error: string | null;
}

/** The shards of one `run --shard I/N` set, to become one whole run in `mergeFrom`. */
export interface WholeRunFromShards {
  /** The merged run's id, key, selection (null: the whole split) and host(s); the rest is its first shard's. */
  id: string;
  runKey: string;
  selection: RunSelection | null;
  host: string;
  /** In shard order: the source (its position among the merged paths) and the shard's run there. */
  shards: readonly { source: number; runId: string }[];
  /** The merged run's corpus figures, read from its rows before they are committed. */
  figures(reader: Pick<RunStore, 'scoringRows'>): Promise<MetricRecord[]>;
}

/** Undefined becomes SQL NULL. */
function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

function runFromRow(row: Row): StoredRun {
  return {
    id: text(row['id']),
    runKey: text(row['run_key']),
    suiteName: text(row['suite_name']),
    suitePath: optionalText(row['suite_path']),
    modelId: text(row['model_id']),
    variant: optionalText(row['variant']),
    provider: text(row['provider']),
    modelName: optionalText(row['model_name']),
    endpoint: optionalText(row['endpoint']),
    task: text(row['task']),
    status: runStatus.parse(row['status']),
    startedAt: timestamp(row['started_at']),
    finishedAt: row['finished_at'] === null ? null : timestamp(row['finished_at']),
    gitSha: optionalText(row['git_sha']),
    gitDirty: row['git_dirty'] === null ? null : row['git_dirty'] === true,
    harnessVersion: text(row['harness_version']),
    nodeVersion: text(row['node_version']),
    host: text(row['host']),
    gpuName: optionalText(row['gpu_name']),
    configHash: text(row['config_hash']),
    splitHash: text(row['split_hash']),
    promptHash: optionalText(row['prompt_hash']),
    decoding: json(row['decoding'], jsonObject),
    suite: json(row['suite'], z.unknown()),
    selection: optionalJson(row['selection'], runSelection),
  };
}

function newRunId(startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Whether another process holds the database at `path` open for writing (DuckDB's file lock), asked
 * by opening it read-only for a moment: 'free' only when that open succeeded; 'held' on a lock
 * conflict; 'unknown' when it could not be opened otherwise (no permission, not a database).
 */
export async function databaseLockState(path: string): Promise<'free' | 'held' | 'unknown'> {
  try {
    const instance = await duckdb.DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    instance.closeSync();
    return 'free';
  } catch (error) {
    return LOCK_CONFLICT.test(error instanceof Error ? error.message : String(error)) ? 'held' : 'unknown';
  }
}

/**
 * A merge's run that is there already: brought by an earlier input of the same merge (`earlier`, and
 * `why` that happens), or in the target before it (merged before).
 */
function runClash(run: string, target: string, earlier: string | undefined, why: string): Error {
  return new Error(earlier === undefined ? `${run} is already in ${target} (merged before?)` : `${run} is also in ${earlier}, merged before it here (${why}: name one of them)`);
}

/** DuckDB's `checkpoint_threshold` (16 MiB by default; logbench never changes it): a WAL this large is checkpointed at the next commit. */
const CHECKPOINT_DUE_BYTES = 16 * 1024 ** 2;

/** Free disk a checkpoint of `releaseMemory` leaves beside a rewrite of the whole file and its log. */
const CHECKPOINT_SPARE_BYTES = 64 * 1024 ** 2;

/**
 * Whether the file system of the database `file` has room for a checkpoint however much of it the
 * checkpoint rewrites: the file and its log again, and 64 MiB (a 460 KB log took more than 2 MB in
 * review). Unknown counts as no room. `statfs` can over-report (thin provisioning, quotas it does not
 * see): then a checkpoint may still fail, as DuckDB's own can.
 */
function roomForCheckpoint(file: string, walBytes: number): boolean {
  try {
    const { bavail, bsize } = statfsSync(file);
    return bavail * bsize >= statSync(file).size + walBytes + CHECKPOINT_SPARE_BYTES;
  } catch {
    return false;
  }
}

/** Rows an appender takes before `RunStore.append` hands them to the table: one DuckDB vector. */
const APPENDER_FLUSH_ROWS = 2048;

/** Low enough that DuckDB evicts every unpinned block (see `RunStore.memoryReleaser`). */
const EVICTING_MEMORY_LIMIT = '8MB';

/** The alias a handle opened with `rowGroupSize` gives its file (the instance's own database is an empty in-memory one). */
const ATTACHED_STORE = 'logbench_store';

/**
 * DuckDB takes a row group size only when a file is attached, so such a handle is an in-memory
 * instance with the file attached (same locking: ATTACH takes the file's lock or fails as `create` does).
 */
async function createInstance(path: string, readOnly: boolean, rowGroupSize: number | undefined): Promise<DuckDBInstance> {
  if (readOnly || rowGroupSize === undefined) return duckdb.DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY' } : {});
  if (!Number.isInteger(rowGroupSize) || rowGroupSize <= 0 || rowGroupSize % 2048 !== 0) throw new Error(`row group size ${rowGroupSize}: expected a positive multiple of 2048`);
  // Spilled blocks beside the file, where a file-opened store puts them (not in the working folder).
  const instance = await duckdb.DuckDBInstance.create(':memory:', { temp_directory: `${path}.tmp` });
  try {
    const connection = await instance.connect();
    try {
      await connection.run(`ATTACH '${path.replaceAll("'", "''")}' AS ${ATTACHED_STORE} (ROW_GROUP_SIZE ${rowGroupSize})`);
    } finally {
      connection.closeSync();
    }
    return instance;
  } catch (error) {
    instance.closeSync();
    throw error;
  }
}

async function createInstanceWhenUnlocked(path: string, readOnly: boolean, lockWaitMs: number, rowGroupSize?: number): Promise<DuckDBInstance> {
  const started = Date.now();
  let noticed = false;
  for (;;) {
    let lockDetail: string | undefined;
    if (!openInThisProcess.has(path)) {
      // Claimed before the await, so two opens racing in this process cannot both get a handle.
      openInThisProcess.add(path);
      try {
        return await createInstance(path, readOnly, rowGroupSize);
      } catch (error) {
        openInThisProcess.delete(path);
        const message = error instanceof Error ? error.message : String(error);
        if (!LOCK_CONFLICT.test(message)) throw error;
        lockDetail = message;
      }
    }
    const waited = Date.now() - started;
    if (waited >= lockWaitMs) throw new StoreLockedError(path, waited, lockDetail);
    if (!noticed && lockDetail !== undefined) {
      noticed = true;
      // Said once: a silent wait of up to 30 s looks like a hang.
      notice(`${path} is in use by another logbench process (a run writing to it?); waiting up to ${lockWaitMs >= 1000 ? `${Math.round(lockWaitMs / 1000)} s` : `${lockWaitMs} ms`} for it to let go`);
    }
    await sleep(Math.min(LOCK_RETRY_MS, lockWaitMs - waited));
  }
}

/**
 * The run database: one DuckDB file holding every run, sample, prediction, batch, metric and cached
 * response. Calls are serialised, so concurrent callers in one process never interleave transactions.
 */
export class RunStore {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /**
   * Sample ids with a stored prediction, per run, loaded on a run's first batch. This handle is the
   * file's only writer, so the set stays exact, and batches of new samples skip the replacing DELETE.
   */
  private readonly predictedSampleIds = new Map<string, Set<string>>();
  /** Status of each run this handle has written to or read for a write; exact for the same reason. */
  private readonly runStatuses = new Map<string, RunStatus>();
  /** `releaseMemory`'s eviction, made on its first call (it reads the memory limit once). */
  private releaser: Promise<(() => Promise<void>) | undefined> | undefined;

  private constructor(
    readonly path: string,
    readonly readOnly: boolean,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating and migrating if needed) the store at `path`, waiting up to `lockWaitMs` for another writer to let go. */
  static async open(path: string, options: OpenStoreOptions = {}): Promise<RunStore> {
    const absolute = resolve(path);
    const readOnly = options.readOnly ?? false;
    if (readOnly && !existsSync(absolute)) throw new Error(`${absolute}: no logbench store there`);
    assertDatabasePath(absolute, { writing: !readOnly });
    if (!readOnly) mkdirSync(dirname(absolute), { recursive: true });
    const attached = !readOnly && options.rowGroupSize !== undefined;
    const instance = await createInstanceWhenUnlocked(absolute, readOnly, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, options.rowGroupSize);
    try {
      const connection = await instance.connect();
      try {
        // Every statement of this handle (unqualified names and `main.` alike) then means the file.
        if (attached) await connection.run(`USE ${ATTACHED_STORE}`);
        await migrate(connection, absolute, { readOnly });
      } catch (error) {
        connection.closeSync();
        throw error;
      }
      return new RunStore(absolute, readOnly, instance, connection);
    } catch (error) {
      instance.closeSync();
      openInThisProcess.delete(absolute);
      throw error;
    }
  }

  /**
   * Gives back the memory DuckDB keeps cached after a bulk write: a checkpoint, then `memoryReleaser`'s
   * eviction, which then drops blocks that are all in the file (evicting blocks not yet checkpointed
   * would write them to DuckDB's temporary files instead, beside the store). A run calls it after
   * storing its samples, where it checkpoints only when the write-ahead log has reached the size at
   * which DuckDB checkpoints at the next commit anyway, and with `final` before its end figures,
   * taking the checkpoint DuckDB takes on close a moment early. Only with room to spare on the
   * store's disk: DuckDB shrugs off a checkpoint that fails at close (the log is replayed on the next
   * open), but one that fails here ends the database's use in this process, and a run that would
   * have completed on a nearly full disk failed (found in review). Without that room nothing is done.
   */
  async releaseMemory(options: { final?: boolean } = {}): Promise<void> {
    if (this.readOnly) return;
    await this.exclusive(async (connection) => {
      // Through a symbolic link DuckDB keeps the file and its log beside the link's target.
      const file = writtenPath(this.path);
      const walBytes = statSync(`${file}.wal`, { throwIfNoEntry: false })?.size ?? 0;
      if (!options.final && walBytes < CHECKPOINT_DUE_BYTES) return;
      if (!roomForCheckpoint(file, walBytes)) return;
      try {
        await connection.run('CHECKPOINT');
      } catch (error) {
        throw this.explained(error, 'a checkpoint could not be written');
      }
      this.releaser ??= RunStore.memoryReleaser(connection);
      await (await this.releaser)?.();
    });
  }


  /** Waits for calls in flight, then releases the file (and its lock). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
    openInThisProcess.delete(this.path);
  }

  private exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${this.path}: store is closed`));
    const result = this.queue.then(() => work(this.connection));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Every write goes through here: one transaction, refused up front on a read-only handle. */
  private transaction<T>(work: (connection: DuckDBConnection) => Promise<T>, lost?: string): Promise<T> {
    if (this.readOnly) return Promise.reject(new Error(`${this.path} is open read-only; this call writes`));
    return this.exclusive(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        const result = await work(connection);
        await connection.run('COMMIT');
        return result;
      } catch (error) {
        // The rollback may have undone predictions or statuses already counted here; reload on next use.
        this.predictedSampleIds.clear();
        this.runStatuses.clear();
        try {
          await connection.run('ROLLBACK');
        } catch {
          // A failed COMMIT (disk full) has already ended the transaction: DuckDB's "no transaction is
          // active" would hide the reason, so the first error is the one reported.
        }
        throw this.explained(error, lost);
      }
    });
  }

  /** Disk full becomes one plain sentence naming the file; what was committed before stays readable. */
  private explained(error: unknown, lost = 'the batch in flight was not stored'): unknown {
    const message = error instanceof Error ? error.message : String(error);
    if (!NO_SPACE.test(message)) return error;
    return new Error(`${this.path}: no space left on device; ${lost}, everything stored before it is intact (free space and rerun to resume)`, { cause: error });
  }

  /** Refuses a write to a completed run (or to no run at all). */
  private async assertOpenRun(connection: DuckDBConnection, runId: string, action: string): Promise<void> {
    let status = this.runStatuses.get(runId);
    if (status === undefined) {
      const row = (await connection.runAndReadAll('SELECT status FROM runs WHERE id = $1', [runId])).getRowObjectsJS()[0];
      if (row === undefined) throw new Error(`${this.path}: no run ${runId}`);
      status = runStatus.parse(row['status']);
      this.runStatuses.set(runId, status);
    }
    if (status === 'completed') throw new CompletedRunError(runId, action);
  }

  private async rows(sql: string, params: Params = []): Promise<Row[]> {
    return this.exclusive((connection) => readRows(connection, sql, params));
  }

  /**
   * Bulk insert through the appender, value by value; the caller's transaction decides whether the
   * rows stay. Strings and nulls (nearly every cell) go straight in: building data chunks instead
   * (`DuckDBDataChunkWriter`) left each chunk's native copy alive until V8 collected it: 25,000
   * samples appended alone peaked ≈ 40 MB higher, no faster (BENCHMARKS.md, bench:shards).
   */
  private static async append(connection: DuckDBConnection, table: string, rows: Iterable<readonly JS[]>): Promise<void> {
    const iterator = rows[Symbol.iterator]();
    let next = iterator.next();
    if (next.done) return;
    const appender = await connection.createAppender(table);
    try {
      const types = Array.from({ length: appender.columnCount }, (_, column) => appender.columnType(column));
      for (let appended = 1; !next.done; next = iterator.next(), appended++) {
        const row = next.value;
        if (row.length !== types.length) throw new Error(`${table}: ${row.length} values for ${types.length} columns`);
        row.forEach((value, column) => {
          if (value === null || value === undefined) appender.appendNull();
          else if (typeof value === 'string') appender.appendVarchar(value);
          else {
            const type = types[column]!;
            appender.appendValue(JSToDuckDBValueConverter(value, type, JSToDuckDBValueConverter), type);
          }
        });
        appender.endRow();
        // DuckDB's appender otherwise buffers up to 204,800 rows before they reach the table: a
        // shard's 25,000 samples were held twice (≈ 20 MB more at its peak; BENCHMARKS.md).
        if (appended % APPENDER_FLUSH_ROWS === 0) appender.flushSync();
      }
      appender.flushSync();
    } catch (error) {
      appender.clear();
      try {
        appender.closeSync();
      } catch {
        // Closing re-reports the failed flush; the first error is the one that explains it.
      }
      throw error;
    }
    appender.closeSync();
  }

  /** Stores the split's samples; samples already stored under this split hash are left as they are. */
  async upsertSamples(splitHash: string, samples: readonly Sample[]): Promise<void> {
    await this.transaction(async (connection) => {
      const existing = await connection.runAndReadAll('SELECT sample_id FROM samples WHERE split_hash = $1', [splitHash]);
      const stored = new Set(existing.getRowObjectsJS().map((row) => text(row['sample_id'])));
      // Rows made one at a time as the appender takes them: a shard's 25,000 rows never exist at once.
      function* rows(): Generator<JS[]> {
        for (const sample of samples) {
          if (stored.has(sample.id)) continue;
          yield [splitHash, sample.id, sha256(sample.input), sample.input, orNull(sample.reference), orNull(sample.label), JSON.stringify(sample.meta)];
        }
      }
      await RunStore.append(connection, 'samples', rows());
    }, "the split's samples were not stored");
  }

  async samples(splitHash: string): Promise<StoredSample[]> {
    return this.exclusive((connection) => RunStore.readSamples(connection, splitHash));
  }

  private static async readSamples(connection: DuckDBConnection, splitHash: string): Promise<StoredSample[]> {
    const rows = await readRows(connection, 'SELECT * FROM samples WHERE split_hash = $1 ORDER BY sample_id', [splitHash]);
    return rows.map((row) => ({
      splitHash: text(row['split_hash']),
      id: text(row['sample_id']),
      inputHash: text(row['input_hash']),
      input: text(row['input']),
      reference: optionalText(row['reference']),
      label: optionalText(row['label']),
      meta: json(row['meta'], jsonObject),
    }));
  }

  /** The latest run with this key that can be continued (running, interrupted) or was completed; failed runs start afresh. */
  async findResumableRun(runKey: string): Promise<StoredRun | null> {
    const rows = await this.rows(
      `SELECT * FROM runs WHERE run_key = $1 AND status IN ('running', 'interrupted', 'completed') ORDER BY started_at DESC, id DESC LIMIT 1`,
      [runKey],
    );
    return rows[0] === undefined ? null : runFromRow(rows[0]);
  }

  /** Records a new run as `running` and returns its id. */
  async createRun(run: NewRun): Promise<string> {
    const startedAt = run.startedAt ?? new Date();
    const id = run.id ?? newRunId(startedAt);
    await this.transaction((connection) =>
      RunStore.append(connection, 'runs', [
        [
          id,
          run.runKey,
          run.suiteName,
          orNull(run.suitePath),
          run.modelId,
          orNull(run.variant),
          run.provider,
          orNull(run.modelName),
          run.endpoint === undefined ? null : redactEndpoints(run.endpoint),
          run.task,
          'running',
          startedAt,
          null,
          orNull(run.gitSha),
          orNull(run.gitDirty),
          run.harnessVersion,
          run.nodeVersion,
          run.host,
          orNull(run.gpuName),
          run.configHash,
          run.splitHash,
          orNull(run.promptHash),
          JSON.stringify(run.decoding),
          // Every caller (run, import-run of an older export) stores the suite without URL credentials.
          JSON.stringify(redactSuite(run.suite)),
          run.selection === undefined ? null : JSON.stringify(run.selection),
        ],
      ]),
      'the run was not created',
    );
    this.runStatuses.set(id, 'running');
    return id;
  }

  /** Marks an interrupted (or crashed, still `running`) run as running again; a completed run is refused. */
  async resumeRun(runId: string): Promise<void> {
    await this.transaction(async (connection) => {
      await this.assertOpenRun(connection, runId, 'resume');
      await connection.run(`UPDATE runs SET status = 'running', finished_at = NULL WHERE id = $1`, [runId]);
      this.runStatuses.set(runId, 'running');
    }, 'the run was not resumed');
  }

  /** Ends a run; a completed run keeps its status and finish time. */
  async finishRun(runId: string, status: Exclude<RunStatus, 'running'>): Promise<void> {
    await this.transaction(async (connection) => {
      await this.assertOpenRun(connection, runId, `mark ${status}`);
      await connection.run('UPDATE runs SET status = $1, finished_at = now() WHERE id = $2', [status, runId]);
      this.runStatuses.set(runId, status);
    }, `the run was not marked ${status}`);
  }

  async listRuns(): Promise<StoredRun[]> {
    return (await this.rows('SELECT * FROM runs ORDER BY started_at, id')).map(runFromRow);
  }

  async getRun(runId: string): Promise<StoredRun | null> {
    const rows = await this.rows('SELECT * FROM runs WHERE id = $1', [runId]);
    return rows[0] === undefined ? null : runFromRow(rows[0]);
  }

  /** Samples that need no new request on resume: those with a stored prediction that did not fail. Failed ones are retried. */
  async completedSampleIds(runId: string): Promise<Set<string>> {
    const rows = await this.rows('SELECT sample_id FROM predictions WHERE run_id = $1 AND error IS NULL', [runId]);
    return new Set(rows.map((row) => text(row['sample_id'])));
  }

  /** How many of the run's samples failed, and the most frequent error messages (for the end-of-run report). */
  async errorSummary(runId: string, limit = 3): Promise<{ failed: number; total: number; top: { error: string; count: number }[] }> {
    const { predictions, errors } = await this.predictionCounts(runId);
    const top = await this.rows(
      'SELECT error, count(*)::INTEGER AS n FROM predictions WHERE run_id = $1 AND error IS NOT NULL GROUP BY error ORDER BY n DESC, error LIMIT $2',
      [runId, limit],
    );
    return { failed: errors, total: predictions, top: top.map((row) => ({ error: text(row['error']), count: numeric(row['n']) })) };
  }

  /** How many predictions the run stored, and how many of them are errors. */
  async predictionCounts(runId: string): Promise<{ predictions: number; errors: number }> {
    const [row] = await this.rows('SELECT count(*)::INTEGER AS predictions, count(error)::INTEGER AS errors FROM predictions WHERE run_id = $1', [runId]);
    return { predictions: numeric(row?.['predictions']), errors: numeric(row?.['errors']) };
  }

  /** The index the next batch of this run should carry (batch indexes keep counting across resumes). */
  async nextBatchIndex(runId: string): Promise<number> {
    const rows = await this.rows('SELECT coalesce(max(batch_index) + 1, 0)::INTEGER AS next FROM batches WHERE run_id = $1', [runId]);
    return numeric(rows[0]?.['next']);
  }

  /**
   * Writes one batch — telemetry, predictions, per-sample scores, cacheable responses — in one
   * transaction, so a crash loses at most the batch in flight. A sample retried after an earlier
   * error replaces its old prediction and scores.
   */
  async writeBatch(
    runId: string,
    batch: BatchRecord,
    predictions: readonly PredictionRecord[],
    sampleMetrics: readonly SampleMetricRecord[],
    cacheEntries: readonly CacheRecord[] = [],
  ): Promise<void> {
    const createdAt = new Date();
    await this.transaction(async (connection) => {
      await this.assertOpenRun(connection, runId, 'write a batch');
      const predicted = await this.predictedSampleIdsOf(connection, runId);
      const retried = predictions.map((prediction) => prediction.sampleId).filter((sampleId) => predicted.has(sampleId));
      if (retried.length > 0) {
        for (const table of ['predictions', 'sample_metrics']) {
          await connection.run(`DELETE FROM ${table} WHERE run_id = $1 AND sample_id IN (SELECT unnest($2))`, ...bind([runId, retried]));
        }
      }
      await RunStore.append(connection, 'batches', [
        [
          runId,
          batch.batchIndex,
          batch.size,
          batch.startedAt,
          batch.wallMs,
          orNull(batch.cpuMs),
          orNull(batch.rssPeakBytes),
          orNull(batch.gpuUtilAvg),
          orNull(batch.gpuUtilMax),
          orNull(batch.gpuMemPeakMb),
          orNull(batch.gpuMemDeltaMb),
          orNull(batch.gpuTimeMs),
          orNull(storableCount(batch.tokensIn)),
          orNull(storableCount(batch.tokensOut)),
          orNull(batch.latencyP50Ms),
          orNull(batch.latencyP95Ms),
          orNull(batch.latencyMaxMs),
          batch.server == null ? null : JSON.stringify(batch.server),
          orNull(batch.energyJ),
          orNull(batch.powerAvgW),
          orNull(batch.gpuSource),
          orNull(batch.telemetryNote),
          batch.replicas === undefined ? null : redactEndpoints(batch.replicas),
        ],
      ]);
      await RunStore.append(
        connection,
        'predictions',
        predictions.map((prediction) => [
          runId,
          prediction.sampleId,
          batch.batchIndex,
          orNull(prediction.text),
          orNull(prediction.label),
          prediction.probs === undefined ? null : JSON.stringify(prediction.probs),
          prediction.score === undefined ? null : JSON.stringify(prediction.score),
          prediction.latencyMs,
          orNull(storableCount(prediction.tokensIn)),
          orNull(storableCount(prediction.tokensOut)),
          orNull(prediction.error),
          prediction.cached ?? false,
          createdAt,
        ]),
      );
      await RunStore.append(
        connection,
        'sample_metrics',
        sampleMetrics.map((metric) => [runId, metric.sampleId, metric.name, metric.value]),
      );
      await RunStore.putCacheEntries(connection, cacheEntries);
      for (const prediction of predictions) predicted.add(prediction.sampleId);
    });
  }

  private async predictedSampleIdsOf(connection: DuckDBConnection, runId: string): Promise<Set<string>> {
    let ids = this.predictedSampleIds.get(runId);
    if (ids === undefined) {
      const reader = await connection.runAndReadAll('SELECT sample_id FROM predictions WHERE run_id = $1', [runId]);
      ids = new Set(reader.getRowObjectsJS().map((row) => text(row['sample_id'])));
      this.predictedSampleIds.set(runId, ids);
    }
    return ids;
  }

  async predictions(runId: string): Promise<StoredPrediction[]> {
    return this.exclusive((connection) => RunStore.readPredictions(connection, runId));
  }

  private static async readPredictions(connection: DuckDBConnection, runId: string): Promise<StoredPrediction[]> {
    const rows = await readRows(connection, 'SELECT * FROM predictions WHERE run_id = $1 ORDER BY batch_index, sample_id', [runId]);
    return rows.map((row) => ({
      runId: text(row['run_id']),
      sampleId: text(row['sample_id']),
      batchIndex: numeric(row['batch_index']),
      text: optionalText(row['output']),
      label: optionalText(row['label']),
      probs: optionalJson(row['probs'], probabilities),
      score: optionalJson(row['score'], jsonObject),
      latencyMs: numeric(row['latency_ms']),
      tokensIn: optionalNumeric(row['tokens_in']),
      tokensOut: optionalNumeric(row['tokens_out']),
      error: optionalText(row['error']),
      cached: row['cached'] === true,
      createdAt: timestamp(row['created_at']),
    }));
  }

  /**
   * What scoring reads of a run, in split order (sample id): each of its predictions with its sample's
   * reference and label. Only those columns: a 100,000-sample run is read without its inputs.
   */
  async scoringRows(runId: string, splitHash: string): Promise<ScoringRow[]> {
    return this.exclusive((connection) => RunStore.readScoringRows(connection, runId, splitHash));
  }

  private static async readScoringRows(connection: DuckDBConnection, runId: string, splitHash: string): Promise<ScoringRow[]> {
    return mapRows(
      connection,
      `SELECT s.sample_id, s.reference, s.label, p.output, p.label AS predicted_label, p.error
         FROM samples s JOIN predictions p ON p.sample_id = s.sample_id
        WHERE s.split_hash = $1 AND p.run_id = $2 ORDER BY s.sample_id`,
      [splitHash, runId],
      (row) => ({
        sampleId: text(row['sample_id']),
        reference: optionalText(row['reference']),
        label: optionalText(row['label']),
        text: optionalText(row['output']),
        predictedLabel: optionalText(row['predicted_label']),
        error: optionalText(row['error']),
      }),
    );
  }

  async batches(runId: string): Promise<StoredBatch[]> {
    const rows = await this.rows('SELECT * FROM batches WHERE run_id = $1 ORDER BY batch_index', [runId]);
    return rows.map((row) => ({
      runId: text(row['run_id']),
      batchIndex: numeric(row['batch_index']),
      size: numeric(row['size']),
      startedAt: timestamp(row['started_at']),
      wallMs: numeric(row['wall_ms']),
      cpuMs: optionalNumeric(row['cpu_ms']),
      rssPeakBytes: optionalNumeric(row['rss_peak_bytes']),
      gpuUtilAvg: optionalNumeric(row['gpu_util_avg']),
      gpuUtilMax: optionalNumeric(row['gpu_util_max']),
      gpuMemPeakMb: optionalNumeric(row['gpu_mem_peak_mb']),
      gpuMemDeltaMb: optionalNumeric(row['gpu_mem_delta_mb']),
      gpuTimeMs: optionalNumeric(row['gpu_time_ms']),
      tokensIn: optionalNumeric(row['tokens_in']),
      tokensOut: optionalNumeric(row['tokens_out']),
      latencyP50Ms: optionalNumeric(row['latency_p50_ms']),
      latencyP95Ms: optionalNumeric(row['latency_p95_ms']),
      latencyMaxMs: optionalNumeric(row['latency_max_ms']),
      server: row['server'] == null ? null : (JSON.parse(text(row['server'])) as ServerBatchFigures),
      energyJ: optionalNumeric(row['energy_j']),
      powerAvgW: optionalNumeric(row['power_avg_w']),
      gpuSource: optionalText(row['gpu_source']) as GpuSource | null,
      telemetryNote: optionalText(row['telemetry_note']),
      replicas: optionalText(row['replicas']),
    }));
  }

  async sampleMetrics(runId: string): Promise<StoredSampleMetric[]> {
    const rows = await this.rows('SELECT * FROM sample_metrics WHERE run_id = $1 ORDER BY sample_id, name', [runId]);
    return rows.map((row) => ({
      runId: text(row['run_id']),
      sampleId: text(row['sample_id']),
      name: text(row['name']),
      value: optionalNumeric(row['value']),
    }));
  }

  /** Replaces the run's corpus metrics with `metrics`. */
  async writeMetrics(runId: string, metrics: readonly MetricRecord[]): Promise<void> {
    await this.transaction(async (connection) => {
      await this.assertOpenRun(connection, runId, 'rewrite its metrics');
      await connection.run('DELETE FROM metrics WHERE run_id = $1', [runId]);
      await RunStore.append(
        connection,
        'metrics',
        metrics.map((metric) => [runId, metric.name, metric.value, orNull(metric.ciLow), orNull(metric.ciHigh), metric.n]),
      );
    }, "the run's figures were not stored");
  }

  async metrics(runId: string): Promise<StoredMetric[]> {
    const rows = await this.rows('SELECT * FROM metrics WHERE run_id = $1 ORDER BY name', [runId]);
    return rows.map((row) => ({
      runId: text(row['run_id']),
      name: text(row['name']),
      value: optionalNumeric(row['value']),
      ciLow: optionalNumeric(row['ci_low']),
      ciHigh: optionalNumeric(row['ci_high']),
      n: numeric(row['n']),
    }));
  }

  async cacheGet(requestHash: string): Promise<StoredCacheEntry | null> {
    const rows = await this.rows('SELECT * FROM cache WHERE request_hash = $1', [requestHash]);
    const row = rows[0];
    if (row === undefined) return null;
    return {
      requestHash: text(row['request_hash']),
      provider: text(row['provider']),
      model: text(row['model']),
      response: json(row['response'], z.unknown()),
      createdAt: timestamp(row['created_at']),
    };
  }

  /**
   * Refuses sources `mergeFrom` must not read: missing, not a DuckDB file, this store itself, or
   * named twice (their runs would be merged twice).
   */
  static assertMergeSources(targetPath: string, otherPaths: readonly string[]): void {
    otherPaths.forEach((otherPath, i) => {
      // Real paths (and inodes) compare: `a/../x.duckdb`, symlinks and hard links name the same file.
      if (sameFile(otherPath, targetPath)) throw new Error(`${otherPath}: cannot merge a store into itself`);
      const twin = otherPaths.slice(0, i).find((earlier) => sameFile(earlier, otherPath));
      if (twin !== undefined) throw new Error(`${otherPath}: the same database as ${twin}, named twice: its runs would be merged twice`);
      if (!existsSync(otherPath)) throw new Error(`${otherPath}: no logbench store there`);
      if (!isDuckDbFile(otherPath)) throw new Error(`${otherPath}: not a DuckDB database`);
    });
  }

  /**
   * Copies the runs of other logbench stores into this one, all in one transaction: samples and
   * cache entries already here are kept. Runs named in `wholeRuns` (the shards of `run --shard I/N`)
   * are not copied as they are: each set becomes one run holding all their rows, its batches
   * renumbered in shard order, its corpus figures computed by `figures` on the merged rows. Nothing
   * is merged when any source is refused (`assertMergeSources`) or holds a run id already here.
   * `inParts`: the caller created this store for the merge and removes it if the merge fails, so the
   * copy may commit source by source and shard by shard (a checkpoint and `memoryReleaser` after
   * each): one transaction over 100,000 samples held ≈ 250 MB more memory until its commit.
   */
  async mergeFrom(otherPaths: readonly string[], wholeRuns: readonly WholeRunFromShards[] = [], options: { inParts?: boolean } = {}): Promise<{ runs: number }[]> {
    if (this.readOnly) throw new Error(`${this.path} is open read-only; merge writes`);
    RunStore.assertMergeSources(this.path, otherPaths);
    const shardRunIds = otherPaths.map((_, i) => wholeRuns.flatMap((whole) => whole.shards.filter((shard) => shard.source === i).map((shard) => shard.runId)));
    // ATTACH and DETACH must sit outside the transaction that copies the rows.
    return this.exclusive(async (connection) => {
      const attached: string[] = [];
      // Set once the merge has failed: cleaning up must not replace its error with a later one.
      let failed = false;
      try {
        for (const otherPath of otherPaths) {
          const alias = `logbench_merge_source_${attached.length}`;
          await connection.run(`ATTACH '${resolve(otherPath).replaceAll("'", "''")}' AS ${alias} (READ_ONLY)`);
          attached.push(alias);
        }
        const release = options.inParts ? await RunStore.memoryReleaser(connection) : undefined;
        // Whether a transaction is open: an error between a part's COMMIT and the next BEGIN (a full
        // disk at the checkpoint) must surface as itself, not as ROLLBACK's "no transaction is active".
        let open = false;
        const begin = async () => {
          await connection.run('BEGIN TRANSACTION');
          open = true;
        };
        await begin();
        const commitPart = async () => {
          if (!options.inParts) return;
          await connection.run('COMMIT');
          open = false;
          await connection.run('CHECKPOINT');
          await release?.();
          await begin();
        };
        // Runs copied by this merge, by the file they came from: a run in two inputs is named as such.
        const copiedFrom = new Map<string, string>();
        try {
          const merged: { runs: number }[] = [];
          for (const [i, source] of attached.entries()) {
            const copied = `run_id NOT IN (SELECT unnest($1::VARCHAR[]))`;
            const skip = [shardRunIds[i] ?? []] as const;
            // main.runs already holds the sources merged before this one, so a run in two sources clashes too.
            const clash = (await readRows(connection, `SELECT id FROM ${source}.runs WHERE id IN (SELECT id FROM main.runs) AND ${copied.replace('run_id', 'id')} LIMIT 1`, skip))[0];
            if (clash) {
              const id = String(clash['id']);
              throw runClash(`${otherPaths[i]}: run ${id}`, this.path, copiedFrom.get(id), 'the same run in two of the databases merged');
            }
            const ids = await readRows(connection, `SELECT id FROM ${source}.runs WHERE ${copied.replace('run_id', 'id')}`, skip);
            for (const row of ids) copiedFrom.set(String(row['id']), otherPaths[i] as string);
            await connection.run(`INSERT INTO main.runs BY NAME SELECT * FROM ${source}.runs WHERE ${copied.replace('run_id', 'id')}`, ...bind(skip));
            for (const table of ['predictions', 'batches', 'sample_metrics', 'metrics']) {
              await connection.run(`INSERT INTO main.${table} BY NAME SELECT * FROM ${source}.${table} WHERE ${copied}`, ...bind(skip));
            }
            await connection.run(`INSERT INTO main.samples BY NAME SELECT * FROM ${source}.samples ON CONFLICT DO NOTHING`);
            await connection.run(`INSERT INTO main.cache BY NAME SELECT * FROM ${source}.cache ON CONFLICT DO NOTHING`);
            merged.push({ runs: ids.length });
            await commitPart();
          }
          for (const whole of wholeRuns) await RunStore.mergeShardRuns(connection, this.path, otherPaths, attached, whole, commitPart, copiedFrom);
          await connection.run('COMMIT');
          open = false;
          this.predictedSampleIds.clear();
          this.runStatuses.clear();
          return merged;
        } catch (error) {
          if (open) {
            try {
              await connection.run('ROLLBACK');
            } catch {
              // The first error is the one that explains it.
            }
          }
          throw error;
        }
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        for (const alias of attached) {
          try {
            await connection.run(`DETACH ${alias}`);
          } catch (error) {
            if (!failed) throw error;
          }
        }
      }
    });
  }

  /**
   * What gives back the memory DuckDB keeps after a bulk write: the blocks it wrote or read stay
   * cached up to its memory limit (80 % of RAM by default), so `merge` copying four 25,000-sample
   * shards climbed ≈ 60 MB per shard. Lowering the limit for a moment evicts them (DuckDB then frees
   * them; BENCHMARKS.md, bench:shards); call it outside a transaction, after a checkpoint. A limit
   * it cannot reach (blocks pinned) only leaves the memory where it was. The limit goes back to a
   * value read once and set here first (see memoryLimit.ts: DuckDB shows it rounded down, and `RESET
   * memory_limit` leaves the buffer pool at the lowered limit in DuckDB 1.5). Undefined, and nothing
   * changed, when DuckDB's limit cannot be written back (no limit shows as "16383.9 PiB").
   */
  private static async memoryReleaser(connection: DuckDBConnection): Promise<(() => Promise<void>) | undefined> {
    const shown = text((await readRows(connection, "SELECT current_setting('memory_limit') AS memory_limit"))[0]?.['memory_limit']);
    const restored = memoryLimitNotBelow(shown);
    if (restored === undefined) return undefined;
    try {
      await connection.run(`SET memory_limit = '${restored}'`);
    } catch {
      return undefined;
    }
    return async () => {
      try {
        await connection.run(`SET memory_limit = '${EVICTING_MEMORY_LIMIT}'`);
      } catch {
        // Blocks still pinned: nothing is lost by keeping them.
      } finally {
        await connection.run(`SET memory_limit = '${restored}'`);
      }
    };
  }

  /** One `wholeRuns` entry of `mergeFrom`, inside its transaction: the shards' rows under one completed run. */
  private static async mergeShardRuns(
    connection: DuckDBConnection,
    targetPath: string,
    otherPaths: readonly string[],
    attached: readonly string[],
    whole: WholeRunFromShards,
    commitPart: () => Promise<void>,
    copiedFrom: ReadonlyMap<string, string>,
  ): Promise<void> {
    const [first] = whole.shards;
    if (first === undefined) throw new Error('a merged run needs at least one shard');
    const sourceOf = (shard: { source: number }) => attached[shard.source] as string;
    if ((await readRows(connection, 'SELECT id FROM main.runs WHERE id = $1', [whole.id])).length > 0) {
      throw runClash(`${otherPaths[first.source]}: run ${whole.id} (its shards merged)`, targetPath, copiedFrom.get(whole.id), 'the merged run and its shards in one merge');
    }
    await connection.run(
      `INSERT INTO main.runs BY NAME SELECT * REPLACE ($1::VARCHAR AS id, $2::VARCHAR AS run_key, $3::VARCHAR AS selection, $4::VARCHAR AS host, 'running' AS status) FROM ${sourceOf(first)}.runs WHERE id = $5`,
      [whole.id, whole.runKey, whole.selection === null ? null : JSON.stringify(whole.selection), whole.host, first.runId],
    );
    let batchOffset = 0;
    for (const shard of whole.shards) {
      const source = sourceOf(shard);
      const params = [whole.id, batchOffset, shard.runId];
      await connection.run(`INSERT INTO main.batches BY NAME SELECT * REPLACE ($1::VARCHAR AS run_id, batch_index + $2::INTEGER AS batch_index) FROM ${source}.batches WHERE run_id = $3`, params);
      await connection.run(`INSERT INTO main.predictions BY NAME SELECT * REPLACE ($1::VARCHAR AS run_id, batch_index + $2::INTEGER AS batch_index) FROM ${source}.predictions WHERE run_id = $3`, params);
      await connection.run(`INSERT INTO main.sample_metrics BY NAME SELECT * REPLACE ($1::VARCHAR AS run_id) FROM ${source}.sample_metrics WHERE run_id = $2`, [whole.id, shard.runId]);
      // The whole run spans its shards: from the first start to the last finish.
      await connection.run(
        `UPDATE main.runs SET started_at = least(main.runs.started_at, s.started_at), finished_at = greatest(main.runs.finished_at, s.finished_at) FROM ${source}.runs s WHERE main.runs.id = $1 AND s.id = $2`,
        [whole.id, shard.runId],
      );
      const [next] = await readRows(connection, `SELECT coalesce(max(batch_index) + 1, 0)::INTEGER AS n FROM ${source}.batches WHERE run_id = $1`, [shard.runId]);
      batchOffset += numeric(next?.['n']);
      await commitPart();
    }
    const reader = { scoringRows: (runId: string, splitHash: string) => RunStore.readScoringRows(connection, runId, splitHash) };
    const figures = await whole.figures(reader);
    await RunStore.append(
      connection,
      'metrics',
      figures.map((metric) => [whole.id, metric.name, metric.value, orNull(metric.ciLow), orNull(metric.ciHigh), metric.n]),
    );
    // Completed only with its figures: a merge stopped half-way (even in parts) never leaves a completed run without them.
    await connection.run(`UPDATE main.runs SET status = 'completed' WHERE id = $1`, [whole.id]);
  }

  /** Writes every table as `<dir>/<table>.parquet` (DuckDB's COPY), for pandas / polars / Spark. */
  async exportParquet(dir: string): Promise<string[]> {
    const fileOf = new Map(['runs', 'samples', 'predictions', 'batches', 'sample_metrics', 'metrics'].map((table) => [table, resolve(dir, `${table}.parquet`)]));
    assertSafeOutputs([...fileOf.values()], { db: this.path });
    mkdirSync(dir, { recursive: true });
    return this.exclusive(async (connection) => {
      for (const [table, file] of fileOf) await connection.run(`COPY ${table} TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
      return [...fileOf.values()];
    });
  }

  /** Caches a successful response; never call it for a failed request. */
  async cachePut(requestHash: string, provider: string, model: string, response: unknown): Promise<void> {
    await this.transaction((connection) => RunStore.putCacheEntries(connection, [{ requestHash, provider, model, response }]), 'the response was not cached');
  }

  /** Upserts through a multi-row INSERT (the appender cannot replace), one row per distinct hash, the last one winning. */
  private static async putCacheEntries(connection: DuckDBConnection, entries: readonly CacheRecord[]): Promise<void> {
    const distinct = [...new Map(entries.map((entry) => [entry.requestHash, entry])).values()];
    if (distinct.length === 0) return;
    const placeholders = distinct.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}, now())`);
    const values = distinct.flatMap((entry) => [entry.requestHash, entry.provider, entry.model, JSON.stringify(entry.response)]);
    await connection.run(`INSERT OR REPLACE INTO cache VALUES ${placeholders.join(', ')}`, values);
  }
}
