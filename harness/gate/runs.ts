import { formatNumber } from '../../core/format.js';
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
  const { maxErrorRate } = await runSettings(run);
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
