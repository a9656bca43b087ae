import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../../core/errors.js';
import { DEFAULT_DB } from '../defaults.js';
import { wholeNumberFlag } from '../flags.js';

/** Enough for a spread to settle; more re-runs (each a full suite run) or resamples only cost hours and memory. */
const MAX_REPEATS = 1000;

interface NoiseOptions {
  suite: string;
  repeats: number;
  model?: string;
  resample?: boolean;
  db?: string;
  json?: boolean;
}

export function registerNoiseCommand(program: Command): void {
  program
    .command('noise')
    .description('run-to-run spread of every metric (min/max/sd) and the smallest max_drop that would not have flaked')
    .requiredOption('--suite <file>', 'suite YAML file')
    .requiredOption('--repeats <n>', 'how many re-runs (or resamples with --resample)', wholeNumberFlag('--repeats', 2, MAX_REPEATS))
    .option('--model <id>', "model id in the suite (default: the suite's baseline, else its first model)")
    .option('--resample', 'bootstrap-resample the latest stored run instead of re-running (for deterministic runners, whose re-runs all agree)')
    .option('--db <file>', `with --resample: the DuckDB file holding the run (default ${DEFAULT_DB})`)
    .option('--json', 'print JSON')
    .action(async (opts: NoiseOptions) => {
      const [{ loadSuite }, gate] = await Promise.all([import('../../harness/suite/load.js'), import('../../harness/gate/index.js')]);
      const loaded = loadSuite(opts.suite);
      const modelId = opts.model ?? loaded.suite.baseline ?? loaded.suite.models[0]?.id ?? '';
      if (!loaded.suite.models.some((m) => m.id === modelId)) {
        throw new CliError(`--model: no model ${modelId} in ${opts.suite} (models: ${loaded.suite.models.map((m) => m.id).join(', ')})`);
      }
      let title: string;
      let repeats: { name: string; value: number | null }[][];
      if (opts.resample) {
        const [{ RunStore }, { loadRunItems }] = await Promise.all([import('../../harness/store/index.js'), import('../../harness/run/items.js')]);
        const store = await RunStore.open(opts.db ?? DEFAULT_DB, { readOnly: true });
        try {
          const run = await gate.resolveRun(store, `latest:${loaded.suite.name}/${modelId}`, 'run');
          const { task, metrics, statistics } = gate.runSettings(run);
          const { items } = await loadRunItems(store, run);
          if (items.length === 0) throw new CliError(`run ${run.id} has no predictions to resample`);
          repeats = gate.resampledMetrics(task, metrics, items, { resamples: opts.repeats, seed: statistics.seed });
          title = `noise · ${loaded.suite.name}/${modelId} · ${opts.repeats} bootstrap resamples of run ${run.id}`;
        } finally {
          await store.close();
        }
      } else {
        if (opts.db !== undefined) throw new CliError('--db applies to --resample only: re-runs go to fresh temporary databases, so none resumes a stored run');
        const { runSuite } = await import('../../harness/run/runSuite.js');
        repeats = [];
        for (let repeat = 1; repeat <= opts.repeats; repeat++) {
          // A fresh database and no cache per repeat: anything else would resume or replay the first run.
          const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-noise-'));
          try {
            const { results } = await runSuite(loaded, { dbPath: path.join(dir, 'noise.duckdb'), only: [modelId], noCache: true });
            repeats.push(results[0]?.metrics ?? []);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
          process.stderr.write(`noise: run ${repeat}/${opts.repeats} done\n`);
        }
        title = `noise · ${loaded.suite.name}/${modelId} · ${opts.repeats} re-runs`;
      }
      const spreads = gate.metricSpreads(repeats);
      if (opts.json) {
        const mode = opts.resample ? 'resample' : 'rerun';
        process.stdout.write(JSON.stringify({ suite: loaded.suite.name, model: modelId, mode, repeats: opts.repeats, metrics: spreads }) + '\n');
        return;
      }
      process.stdout.write(gate.noiseText(title, spreads));
    });
}
