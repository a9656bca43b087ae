import { formatNumber, textTable } from '../../core/format.js';
import { CliError } from '../../core/errors.js';
import type { RunStore, StoredRun } from '../store/index.js';
import { IMPORTED_RUN_KEY_PREFIX } from './runExport.js';
import { runSettings } from './storedSuite.js';

const LATEST_REF = /^latest(-partial)?:([^/]+)\/(.+)$/;

/**
 * A run named by id, or by `latest:<suite>/<model>`: the latest completed run of that suite and
 * model over the whole split made in this store (imported baselines are never "latest"; a
 * `--limit` / `--shard` subset only with `latest-partial:<suite>/<model>`). Unknown names exit 3.
 */
export async function resolveRun(store: RunStore, ref: string, role: string): Promise<StoredRun> {
  const latest = LATEST_REF.exec(ref);
  if (!latest) {
    const run = await store.getRun(ref);
    if (!run) throw new CliError(`${role}: no run ${ref} in ${store.path} (\`logbench runs --db ${store.path}\` lists them)`);
    return run;
  }
  const [, partial, suiteName, modelId] = latest;
  const runs = (await store.listRuns()).filter(
    (run) =>
      run.suiteName === suiteName &&
      run.modelId === modelId &&
      run.status === 'completed' &&
      !run.runKey.startsWith(IMPORTED_RUN_KEY_PREFIX) &&
      (partial !== undefined || run.selection === null),
  );
  const run = runs.at(-1); // listRuns is ordered by start time
  if (!run) {
    throw new CliError(`${role}: no completed run of suite ${suiteName}, model ${modelId}${partial ? '' : ' over the whole split'} in ${store.path}${partial ? '' : ' (latest-partial: also takes --limit / --shard runs)'}`);
  }
  return run;
}

/**
 * A run a gate can judge: completed, and no more failed samples than its suite's `max_error_rate`.
 * Anything else is an infrastructure failure (exit 3), never a model verdict.
 */
export async function requireUsableRun(store: RunStore, run: StoredRun, role: string): Promise<void> {
  if (run.status !== 'completed') throw new CliError(`${role} run ${run.id} is ${run.status}, not completed`);
  const { maxErrorRate } = runSettings(run);
  const errorRate = (await store.metrics(run.id)).find((metric) => metric.name === 'error_rate')?.value;
  if (errorRate === undefined || errorRate === null) throw new CliError(`${role} run ${run.id} has no error_rate metric`);
  if (errorRate > maxErrorRate) {
    throw new CliError(
      `${role} run ${run.id}: error_rate ${formatNumber(errorRate)} is above its suite's max_error_rate ${formatNumber(maxErrorRate)} (failed requests: an infrastructure problem, not a model verdict)`,
    );
  }
}

export function runLabel(run: Pick<StoredRun, 'id' | 'suiteName' | 'modelId'>): string {
  return `${run.id} (${run.suiteName}/${run.modelId})`;
}

/** A run as `logbench runs` lists it: the stored record (its suite left out) and what it predicted. */
export type ListedRun = Omit<StoredRun, 'suite'> & {
  /** Predictions stored, failed ones included. */
  samples: number;
  failed: number;
};

/** Every run of the store, oldest first, with its sample count. */
export async function listedRuns(store: RunStore): Promise<ListedRun[]> {
  const runs = await store.listRuns();
  return Promise.all(
    runs.map(async ({ suite: _suite, ...run }) => {
      const { predictions, errors } = await store.predictionCounts(run.id);
      return { ...run, samples: predictions, failed: errors };
    }),
  );
}

function samplesText(run: ListedRun): string {
  const failed = run.failed > 0 ? ` (${run.failed} failed)` : '';
  const selection = run.selection;
  if (!selection) return `${run.samples}${failed}`;
  const flags = [...(selection.limit !== undefined ? [`--limit ${selection.limit}`] : []), ...(selection.shard ? [`--shard ${selection.shard.index}/${selection.shard.count}`] : [])];
  return `${run.samples}${failed}, subset ${selection.samples} of ${selection.splitSamples} samples (${flags.join(' ')})`;
}

/**
 * The runs as a table: two runs of one model differ in variant, provider, endpoint (stored redacted)
 * or samples, so each gets a column.
 */
export function runsText(runs: readonly ListedRun[]): string {
  const rows = runs.map((run) => [
    run.id,
    `${run.suiteName}/${run.modelId}`,
    run.variant ?? '—',
    run.provider,
    run.endpoint ?? '—',
    samplesText(run),
    run.status,
    run.startedAt,
    run.splitHash.slice(0, 12),
  ]);
  return textTable(['run', 'suite/model', 'variant', 'provider', 'endpoint', 'samples', 'status', 'started', 'split'], rows, 'lllllllll') + '\n';
}
