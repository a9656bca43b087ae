import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { RunStore } from '../../harness/store/index.js';
import { DEFAULT_DB } from '../defaults.js';

/**
 * Opens `db` for writing and runs `work` on it. When `work` fails on a database this call created,
 * the file and its WAL are removed: a failed `merge` or `import-run` leaves no empty store behind.
 */
export async function withTargetStore<T>(db: string, work: (store: RunStore, created: boolean) => Promise<T>): Promise<T> {
  const { RunStore } = await import('../../harness/store/index.js');
  const created = !existsSync(db);
  const removeIfCreated = () => {
    if (created) for (const file of [path.resolve(db), `${path.resolve(db)}.wal`]) rmSync(file, { force: true });
  };
  let store: RunStore;
  try {
    store = await RunStore.open(db);
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

export function registerTransferCommands(program: Command): void {
  program
    .command('merge')
    .description('join the shard databases of `logbench run --shard I/N` into one run per model, equal to a single-process run (figures recomputed on all samples); other runs are copied as they are; all or nothing')
    .argument('<files...>', 'databases to merge in')
    .option('--db <file>', 'target DuckDB file', DEFAULT_DB)
    .action(async (files: string[], opts: { db: string }) => {
      const { mergeStores } = await import('../../harness/run/mergeShards.js');
      // A target made for this merge is removed if it fails, so the copy may commit in parts.
      await withTargetStore(opts.db, async (store, created) => {
        const { copied, whole } = await mergeStores(store, files, { inParts: created });
        for (const { file, runs } of copied) if (runs > 0) process.stderr.write(`merged ${runs} run(s) from ${file} into ${opts.db}\n`);
        for (const w of whole) process.stderr.write(`merged ${w.shards} shards of ${w.suiteName}/${w.modelId} into run ${w.runId} (${w.samples} samples, figures computed on all of them) in ${opts.db}\n`);
      });
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
