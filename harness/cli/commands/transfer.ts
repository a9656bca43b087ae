import type { Command } from 'commander';
import { DEFAULT_DB } from './run.js';

export function registerTransferCommands(program: Command): void {
  program
    .command('merge')
    .description('copy the runs of other databases (e.g. the shards of `logbench run --shard I/N`) into one')
    .argument('<files...>', 'databases to merge in')
    .option('--db <file>', 'target DuckDB file', DEFAULT_DB)
    .action(async (files: string[], opts: { db: string }) => {
      const { RunStore } = await import('../../store/index.js');
      const store = await RunStore.open(opts.db);
      try {
        for (const file of files) {
          const { runs } = await store.mergeFrom(file);
          process.stderr.write(`merged ${runs} run(s) from ${file} into ${opts.db}\n`);
        }
      } finally {
        await store.close();
      }
    });

  program
    .command('export')
    .description('write every table of a database as Parquet files')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .requiredOption('--parquet <dir>', 'output folder: one <table>.parquet each')
    .action(async (opts: { db: string; parquet: string }) => {
      const { RunStore } = await import('../../store/index.js');
      const store = await RunStore.open(opts.db, { readOnly: true });
      try {
        const files = await store.exportParquet(opts.parquet);
        process.stderr.write(`wrote ${files.length} Parquet files to ${opts.parquet}\n`);
      } finally {
        await store.close();
      }
    });
}
