import { DEFAULT_DB } from '../defaults.js';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { assertSafeOutputs } from '../../core/io/outputPath.js';
import type { ModelRunResult } from '../../harness/run/runSuite.js';
import type { StoredComparison } from '../../reports/verdict.js';
import { CliError, ExitCode } from '../../core/errors.js';
import { printable } from '../../core/format.js';
import { scoringWorkers, wholeNumberFlag, WORKERS_FLAG_HELP } from '../flags.js';
import { runReportPath } from './report.js';
import { shardFromEnvironment, type Shard } from '../../harness/scale/shardEnvironment.js';

/** `I/N`, or `auto`: read from the scheduler's environment when the action runs. */
function parseShard(value: string): Shard | 'auto' {
  if (value === 'auto') return 'auto';
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) throw new CliError(`--shard: expected I/N with 0 ≤ I < N, or auto, got "${value}"`);
  return { index, count };
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`--lock-wait: expected seconds ≥ 0, got "${value}"`);
  return n;
}

/**
 * A run whose failed samples exceed the suite's limit is not a model result: say why on stderr, with
 * the commonest errors, and exit `modelErrors` (the figures and reports are still written).
 */
function failOnErrorRate(results: readonly ModelRunResult[], maxErrorRate: number): void {
  const failing = results.filter((r) => r.errors.total > 0 && r.errors.failed / r.errors.total > maxErrorRate);
  for (const r of failing) {
    process.stderr.write(`\n${r.modelId}: ${r.errors.failed} of ${r.errors.total} samples failed (error rate ${(r.errors.failed / r.errors.total).toFixed(4)} > max_error_rate ${maxErrorRate}):\n`);
    for (const { error, count } of r.errors.top) process.stderr.write(`  ${count} × ${printable(error)}\n`);
  }
  if (failing.length) {
    throw new CliError(`${failing.map((r) => r.modelId).join(', ')}: too many failed samples; their figures describe the failures, not the model (fix the cause and rerun: a new run retries the failed samples)`, ExitCode.modelErrors);
  }
}

/**
 * Each model's paired comparison with the suite's baseline, read back from the store as `logbench
 * compare` reads it (so the table and the verdict are the stored figures'); none without the baseline.
 */
async function pairedWithBaseline(db: string, results: readonly ModelRunResult[], baseline: string): Promise<Map<string, StoredComparison>> {
  const paired = new Map<string, StoredComparison>();
  const baselineResult = results.find((r) => r.modelId === baseline);
  if (baselineResult === undefined || results.length < 2) return paired;
  const [{ RunStore }, { storedComparison }] = await Promise.all([import('../../harness/store/index.js'), import('../../reports/verdict.js')]);
  const store = await RunStore.open(db, { readOnly: true });
  try {
    const baselineRun = await store.getRun(baselineResult.run.id);
    for (const r of results) {
      const run = r === baselineResult ? null : await store.getRun(r.run.id);
      const compared = run && baselineRun ? await storedComparison(store, run, baselineRun) : null;
      if (compared) paired.set(r.modelId, compared);
    }
  } finally {
    await store.close();
  }
  return paired;
}

export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description('run a suite: every model on the same split, everything stored in DuckDB; reruns resume')
    .argument('<suite>', 'suite YAML file')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .option('--only <models...>', 'run only these model ids')
    .option('--limit <n>', 'only the first N samples', wholeNumberFlag('--limit', 1))
    .option('--shard <i/n|auto>', 'run the samples with index ≡ I (mod N); join shard databases with `logbench merge`. auto: I and N from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or LOGBENCH_SHARD_INDEX (with LOGBENCH_SHARD_COUNT)', parseShard)
    .option('--no-cache', 'ignore the response cache (answers are still stored)')
    .option('--data-dir <dir>', 'local copies of remote datasets (e.g. ../shared/data)')
    .option('--cache-dir <dir>', 'where downloaded datasets are cached')
    .option('--out <dir>', 'where the HTML reports go (default: the database folder)')
    .option('--no-report', 'skip the HTML reports at the end')
    .option('--lock-wait <seconds>', 'how long to wait for another logbench process holding the database', parseSeconds, 30)
    .option('--workers <n>', WORKERS_FLAG_HELP, wholeNumberFlag('--workers', 1))
    .action(async (suiteFile: string, opts: { workers?: number; db: string; out?: string; report: boolean; lockWait: number; only?: string[]; limit?: number; shard?: Shard | 'auto'; cache: boolean; dataDir?: string; cacheDir?: string }) => {
      // Imported here so that `logbench --help` and the metrics commands start fast.
      const [{ loadSuite }, { runSuite }, { createProgress }, { metricTable }, { verdictSentence }] = await Promise.all([
        import('../../harness/suite/load.js'),
        import('../../harness/run/runSuite.js'),
        import('../progress.js'),
        import('../table.js'),
        import('../../reports/verdict.js'),
      ]);
      let shard = opts.shard === 'auto' ? undefined : opts.shard;
      if (opts.shard === 'auto') {
        const found = shardFromEnvironment(process.env);
        process.stderr.write(`shard ${found.index}/${found.count} (from the ${found.source})\n`);
        shard = found;
      }
      const loaded = loadSuite(suiteFile);
      // Checked before anything is written: a bad --out must not surface after every model has run.
      if (opts.report && opts.out !== undefined && existsSync(opts.out) && !statSync(opts.out).isDirectory()) {
        throw new CliError(`--out: ${opts.out} is a file; it names the folder the HTML reports go to`);
      }
      const reportPath = (modelId: string) => runReportPath(opts.db, loaded.suite.name, modelId, opts.out);
      if (opts.report) {
        const models = loaded.suite.models.filter((m) => !opts.only || opts.only.includes(m.id));
        assertSafeOutputs(models.map((m) => reportPath(m.id)), { db: opts.db, inputs: [suiteFile] });
      }
      const controller = new AbortController();
      const onSignal = () => {
        if (controller.signal.aborted) process.exit(130); // second Ctrl-C: leave now
        process.stderr.write('\ninterrupted: finishing the batch in flight without retrying its failures, then stopping (rerun to resume; Ctrl-C again to quit now)\n');
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const { split, results, pluginFigures } = await runSuite(loaded, {
          dbPath: opts.db,
          lockWaitMs: opts.lockWait * 1000,
          ...(opts.only && { only: opts.only }),
          ...(opts.limit !== undefined && { limit: opts.limit }),
          ...(shard && { shard: { index: shard.index, count: shard.count } }),
          noCache: !opts.cache,
          ...(opts.dataDir !== undefined && { dataDir: opts.dataDir }),
          ...(opts.cacheDir !== undefined && { cacheDir: opts.cacheDir }),
          progress: createProgress(),
          signal: controller.signal,
          workers: scoringWorkers(opts.workers),
        });
        if (controller.signal.aborted) {
          throw new CliError('interrupted: the batches stored so far are kept; rerun the same command to resume', ExitCode.interrupted);
        }
        const baseline = loaded.suite.baseline ?? results[0]?.modelId ?? '';
        process.stdout.write(`\nsuite ${loaded.suite.name} · split ${split.name} (${split.size} samples, ${split.splitHash.slice(0, 12)}) · ${path.relative(process.cwd(), opts.db) || opts.db}\n`);
        for (const r of results) process.stdout.write(`  ${r.modelId}: run ${r.run.id}${r.completedBefore ? ' (completed before: nothing queried or written)' : r.resumed ? ' (resumed)' : ''}, ${r.queried} queried\n`);
        const paired = await pairedWithBaseline(opts.db, results, baseline);
        process.stdout.write('\n' + metricTable(results.map((r) => ({ modelId: r.modelId, metrics: r.metrics, ...(paired.has(r.modelId) && { paired: paired.get(r.modelId)?.comparison.metrics }) })), baseline, pluginFigures) + '\n');
        const verdicts = results.flatMap((r) => {
          const compared = paired.get(r.modelId);
          return compared ? [verdictSentence({ candidate: r.modelId, baseline, ...compared })] : [];
        });
        if (verdicts.length) process.stdout.write(`\n${verdicts.map((line) => `verdict: ${line}`).join('\n')}\n`);
        if (opts.report && results.length) {
          // The store is closed by now: reports read it through their own read-only handle.
          const { writeReport } = await import('./report.js');
          const baselineRun = results.find((r) => r.modelId === baseline)?.run.id;
          const written: string[] = [];
          for (const r of results) {
            const out = reportPath(r.modelId);
            const against = r.run.id === baselineRun ? {} : baselineRun ? { baselineId: baselineRun } : {};
            written.push(...(await writeReport({ db: opts.db, runId: r.run.id, ...against, format: 'html', out })));
          }
          process.stdout.write(`\nreports: ${written.map((f) => path.relative(process.cwd(), f) || f).join(', ')}\n`);
        }
        failOnErrorRate(results, loaded.suite.max_error_rate);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  program
    .command('runs')
    .description('list the runs in a database: model, variant, provider, endpoint (as stored: redacted), samples, status')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .option('--json', 'print JSON')
    .action(async (opts: { db: string; json?: boolean }) => {
      const [{ RunStore }, { listedRuns, runsText }] = await Promise.all([import('../../harness/store/index.js'), import('../../harness/gate/index.js')]);
      const store = await RunStore.open(opts.db, { readOnly: true });
      try {
        const runs = await listedRuns(store);
        process.stdout.write(opts.json ? JSON.stringify(runs) + '\n' : runsText(runs));
      } finally {
        await store.close();
      }
    });
}
