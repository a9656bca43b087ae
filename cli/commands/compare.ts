import type { Command } from 'commander';
import { DEFAULT_DB } from '../defaults.js';
import { scoringWorkers, wholeNumberFlag, WORKERS_FLAG_HELP } from '../flags.js';

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('per-metric difference A − B of two runs on the same samples, with paired-test intervals and p-values; exit 2 when they are not comparable')
    .argument('<run-a>', 'run id or latest:<suite>/<model> (the candidate)')
    .argument('<run-b>', 'run id or latest:<suite>/<model> (the baseline)')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .option('--json', 'print JSON')
    .option('--workers <n>', WORKERS_FLAG_HELP, wholeNumberFlag('--workers', 1))
    .action(async (refA: string, refB: string, opts: { db: string; json?: boolean; workers?: number }) => {
      const [{ RunStore }, { compareStoredRuns, comparisonText, resolveRun }] = await Promise.all([import('../../harness/store/index.js'), import('../../harness/gate/index.js')]);
      const store = await RunStore.open(opts.db, { readOnly: true });
      try {
        const a = await resolveRun(store, refA, 'A');
        const b = await resolveRun(store, refB, 'B');
        const comparison = await compareStoredRuns(store, a, b, scoringWorkers(opts.workers));
        if (!opts.json) {
          process.stdout.write(comparisonText(a, b, comparison));
          return;
        }
        const identity = (run: typeof a) => ({ id: run.id, suite: run.suiteName, model: run.modelId });
        process.stdout.write(JSON.stringify({ a: identity(a), b: identity(b), ...comparison }) + '\n');
      } finally {
        await store.close();
      }
    });
}
