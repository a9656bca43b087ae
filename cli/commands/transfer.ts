import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../../core/errors.js';
import { assertDatabasePath, assertSafeOutputs, isDuckDbFile, orphanWalProblem, sameFile } from '../../core/io/outputPath.js';
import type { MergeSummary } from '../../harness/run/mergeShards.js';
import type { OpenStoreOptions, RunStore } from '../../harness/store/index.js';
import { DEFAULT_DB } from '../defaults.js';
import { scoringWorkers, wholeNumberFlag, WORKERS_FLAG_HELP } from '../flags.js';

/**
 * Opens `db` for writing and runs `work` on it. When `work` fails on a database this call created,
 * the file and its WAL are removed: a failed `merge` or `import-run` leaves no empty store behind.
 */
export async function withTargetStore<T>(db: string, work: (store: RunStore, created: boolean) => Promise<T>, open: OpenStoreOptions = {}): Promise<T> {
  const { RunStore } = await import('../../harness/store/index.js');
  const created = !existsSync(db);
  const removeIfCreated = () => {
    if (created) for (const file of [path.resolve(db), `${path.resolve(db)}.wal`]) rmSync(file, { force: true });
  };
  let store: RunStore;
  try {
    store = await RunStore.open(db, open);
  } catch (error) {
    removeIfCreated();
    throw error;
  }
  let result: T;
  try {
    result = await work(store, created);
  } catch (error) {
    await store.close();
    removeIfCreated();
    throw error;
  }
  await store.close();
  return result;
}

/**
 * `OUT.partial-PID-RANDOM`: where `merge` builds a new OUT, renamed into place only once complete
 * (the random part: a PID alone repeats across containers and hosts sharing the folder).
 */
const PARTIAL = /^(.*)\.partial-(\d+)-([0-9a-f]{6})$/;

/** A build file closed this recently may be one a live merge is about to publish: left for later. */
const PARTIAL_GRACE_MS = 10_000;

/**
 * Removes what a merge into `target` killed mid-way left, with a note: only a regular DuckDB file
 * named as this version names its build files, not one of this merge's inputs, not written in the
 * last seconds, and that no process holds. Whether a merge still runs is asked of the file's DuckDB
 * lock, not of its PID: a merge in another PID namespace (a pod, a node on a shared volume) has a PID
 * that means nothing here; a file the probe cannot open (another user's) is left alone.
 */
async function removeLeftoverPartials(target: string, inputs: readonly string[]): Promise<void> {
  const { databaseLockState } = await import('../../harness/store/index.js');
  const folder = path.dirname(target);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const match = PARTIAL.exec(name);
    if (!match || match[1] !== path.basename(target)) continue;
    const file = path.join(folder, name);
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile() || Date.now() - stat.mtimeMs < PARTIAL_GRACE_MS || !isDuckDbFile(file)) continue;
    if (inputs.some((input) => sameFile(input, file))) continue;
    if ((await databaseLockState(file)) !== 'free') continue;
    for (const leftover of [file, `${file}.wal`]) rmSync(leftover, { force: true });
    rmSync(`${file}.tmp`, { recursive: true, force: true }); // DuckDB's spill folder, if it spilled
    process.stderr.write(`note: removed ${name}, left by a merge into ${path.basename(target)} that was stopped (process ${match[2]})\n`);
  }
}

/** fsync of a file or folder: the rename below must not reach the disk before the bytes it names. */
function syncPath(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts the finished `partial` at `target`. A hard link never replaces a file: a database another
 * merge put there meanwhile is kept and this one is refused (its partial removed).
 */
function publish(partial: string, target: string): void {
  if (!existsSync(partial)) throw new CliError(`${partial}, where this merge built ${path.basename(target)}, was removed while it was written; nothing was published: merge again`);
  // A WAL that appeared at OUT.wal meanwhile would be replayed into the published database.
  const orphan = orphanWalProblem(target);
  if (orphan !== null && !existsSync(`${partial}.wal`)) throw new CliError(orphan);
  for (const [from, to] of [[`${partial}.wal`, `${target}.wal`], [partial, target]] as const) {
    if (!existsSync(from)) continue;
    syncPath(from);
    try {
      linkSync(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${to} appeared while merging into it (another merge?); it was kept and this merge discarded`);
      throw error;
    }
    rmSync(from, { force: true });
  }
  syncPath(path.dirname(target));
}

/** A new merge target's row groups: each full group of copied rows goes to disk before its commit (see `OpenStoreOptions.rowGroupSize`). */
const MERGE_ROW_GROUP_SIZE = 8192;

/**
 * `merge` into a new database builds it at OUT.partial-PID-RANDOM beside it and renames it into place when
 * complete: a merge killed mid-way (kill -9, SIGTERM) leaves no half-written OUT that a later merge
 * would call "merged before" or `run` would resume. Into an existing database, the merge is one
 * transaction there. Either way a stopped merge's leftover build file of OUT is removed first.
 */
async function mergeInto(db: string, files: readonly string[], workers: number): Promise<MergeSummary> {
  const { mergeStores } = await import('../../harness/run/mergeShards.js');
  const target = path.resolve(db);
  // Also refuses a link to nowhere (the merge would build its file, then find the link in the way of publishing it).
  assertDatabasePath(target, { writing: true });
  // Also when OUT exists now: a stopped merge's build file would otherwise stay beside it for good.
  await removeLeftoverPartials(target, files);
  if (existsSync(target)) return withTargetStore(db, (store) => mergeStores(store, files, { workers }));
  const partial = `${target}.partial-${process.pid}-${randomBytes(3).toString('hex')}`;
  assertSafeOutputs([partial, `${partial}.wal`], { db, inputs: files });
  // Made for this merge and removed if it fails, so the copy may commit in parts.
  let summary: MergeSummary;
  try {
    summary = await withTargetStore(partial, (store) => mergeStores(store, files, { inParts: true, workers }), { rowGroupSize: MERGE_ROW_GROUP_SIZE });
  } catch (error) {
    // The user named the target, not the file it is built in.
    if (error instanceof Error) error.message = error.message.replaceAll(partial, target);
    throw error;
  }
  try {
    publish(partial, target);
  } finally {
    for (const file of [partial, `${partial}.wal`]) rmSync(file, { force: true });
  }
  return summary;
}

/** `merge --report`: the report of each run the merge made of shards, named and compared as `run` would. */
async function reportMergedRuns(db: string, whole: MergeSummary['whole']): Promise<string[]> {
  const { runReportPath, writeReport } = await import('./report.js');
  const written: string[] = [];
  for (const w of whole) {
    const ofSuite = whole.filter((other) => other.suiteName === w.suiteName);
    const baseline = ofSuite.find((other) => other.modelId === w.baseline) ?? ofSuite[0];
    const against = baseline && baseline.runId !== w.runId ? { baselineId: baseline.runId } : {};
    written.push(...(await writeReport({ db, runId: w.runId, ...against, format: 'html', out: runReportPath(db, w.suiteName, w.modelId) })));
  }
  return written;
}

export function registerTransferCommands(program: Command): void {
  program
    .command('merge')
    .description('join the shard databases of `logbench run --shard I/N` into one run per model, equal to a single-process run (figures recomputed on all samples); other runs are copied as they are; all or nothing')
    .argument('<files...>', 'databases to merge in')
    .option('--db <file>', 'target DuckDB file', DEFAULT_DB)
    .option('--report', 'then write the HTML report of each run made of shards beside --db, as `run` would (nothing is queried)')
    .option('--workers <n>', WORKERS_FLAG_HELP, wholeNumberFlag('--workers', 1))
    .action(async (files: string[], opts: { db: string; report?: boolean; workers?: number }) => {
      const { copied, whole } = await mergeInto(opts.db, files, scoringWorkers(opts.workers));
      for (const { file, runs } of copied) if (runs > 0) process.stderr.write(`merged ${runs} run(s) from ${file} into ${opts.db}\n`);
      for (const w of whole) process.stderr.write(`merged ${w.shards} shards of ${w.suiteName}/${w.modelId} into run ${w.runId} (${w.samples} samples, figures computed on all of them) in ${opts.db}\n`);
      // The merged run ids, one a line: what a script passes to `logbench report --run`.
      for (const w of whole) process.stdout.write(`${w.runId}\n`);
      if (opts.report) {
        const written = await reportMergedRuns(opts.db, whole);
        if (written.length) process.stderr.write(`reports: ${written.map((f) => path.relative(process.cwd(), f) || f).join(', ')}\n`);
      }
    });

  program
    .command('export')
    .description('write every table of a database as Parquet files')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .requiredOption('--parquet <dir>', 'output folder: one <table>.parquet each')
    .action(async (opts: { db: string; parquet: string }) => {
      const { RunStore } = await import('../../harness/store/index.js');
      const store = await RunStore.open(opts.db, { readOnly: true });
      try {
        const files = await store.exportParquet(opts.parquet);
        process.stderr.write(`wrote ${files.length} Parquet files to ${opts.parquet}\n`);
      } finally {
        await store.close();
      }
    });
}
