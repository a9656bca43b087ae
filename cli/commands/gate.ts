import path from 'node:path';
import type { Command } from 'commander';
import { assertSafeOutputs } from '../../core/io/outputPath.js';
import { CliError, ExitCode } from '../../core/errors.js';
import { DEFAULT_DB } from '../defaults.js';
import { scoringWorkers, wholeNumberFlag, WORKERS_FLAG_HELP } from '../flags.js';
import { withTargetStore } from './transfer.js';

/** `gate`, and the `export-run` / `import-run` pair that carries a pinned baseline run between stores. */
export function registerGateCommands(program: Command): void {
  program
    .command('gate')
    .description('judge a candidate run against thresholds and/or a baseline run: exit 0 pass, 1 regression, 2 not comparable, 3 usage or infrastructure error')
    .requiredOption('--candidate <run>', 'run id or latest:<suite>/<model>')
    .option('--baseline <run>', 'run id or latest:<suite>/<model> (overrides baseline: in the thresholds file)')
    .option('--thresholds <file>', 'thresholds YAML (min/max, max_drop, max_drop_relative, significant_at per metric); without it: no significant drop of any tested metric')
    .option('--summary <file>', 'also write the verdict as Markdown (and append it to $GITHUB_STEP_SUMMARY when set)')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .option('--workers <n>', WORKERS_FLAG_HELP, wholeNumberFlag('--workers', 1))
    .action(async (opts: { candidate: string; baseline?: string; thresholds?: string; summary?: string; db: string; workers?: number }) => {
      // Checked before judging: the failure summary is written too, and must not land on the store either.
      const jobSummary = process.env['GITHUB_STEP_SUMMARY'] || undefined;
      assertSafeOutputs([opts.summary, jobSummary].filter((file) => file !== undefined), { db: opts.db, inputs: [opts.thresholds] });
      const gate = await import('../../harness/gate/index.js');
      let report: Awaited<ReturnType<typeof gate.runGate>>;
      try {
        report = await gate.runGate({
          db: opts.db,
          candidate: opts.candidate,
          workers: scoringWorkers(opts.workers),
          ...(opts.baseline !== undefined && { baseline: opts.baseline }),
          ...(opts.thresholds !== undefined && { thresholdsFile: opts.thresholds }),
        });
      } catch (error) {
        const exitCode = error instanceof CliError ? error.exitCode : ExitCode.usage;
        gate.publishSummary(gate.gateFailureMarkdown(error instanceof Error ? error.message : String(error), exitCode), opts.summary);
        throw error;
      }
      process.stdout.write(gate.gateText(report));
      gate.publishSummary(gate.gateMarkdown(report), opts.summary);
      if (!report.verdict.passed) {
        const failed = report.verdict.metrics.filter((metric) => metric.failures.length > 0).map((metric) => metric.name);
        throw new CliError(`regression in ${failed.join(', ')}`, ExitCode.regression);
      }
    });

  program
    .command('export-run')
    .description('write a completed run (metrics, predictions, per-sample scores, batches) as JSON, e.g. to commit a pinned baseline')
    .requiredOption('--run <run>', 'run id or latest:<suite>/<model>')
    .requiredOption('-o, --out <file>', 'JSON file to write')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .action(async (opts: { run: string; out: string; db: string }) => {
      const [{ RunStore }, { exportRun, resolveRun, writeRunExport }] = await Promise.all([import('../../harness/store/index.js'), import('../../harness/gate/index.js')]);
      assertSafeOutputs([opts.out], { db: opts.db });
      const store = await RunStore.open(opts.db, { readOnly: true });
      try {
        const run = await resolveRun(store, opts.run, 'run');
        writeRunExport(opts.out, await exportRun(store, run));
        process.stdout.write(`${run.id}\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('import-run')
    .description('add a run written by export-run to a database that holds its split (run the suite first); prints the run id')
    .argument('<file>', 'JSON written by logbench export-run')
    .option('--db <file>', 'DuckDB file', DEFAULT_DB)
    .action(async (file: string, opts: { db: string }) => {
      const { importRun, readRunExport } = await import('../../harness/gate/index.js');
      const exported = readRunExport(file);
      await withTargetStore(opts.db, async (store) => {
        const { id, alreadyThere } = await importRun(store, exported, file);
        process.stderr.write(`${alreadyThere ? 'already in' : 'imported into'} ${path.relative(process.cwd(), store.path) || store.path}: ${exported.run.suiteName}/${exported.run.modelId} run ${id}\n`);
        process.stdout.write(`${id}\n`);
      });
    });
}
