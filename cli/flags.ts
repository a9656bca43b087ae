import { wholeNumberVariable } from '../core/wholeNumber.js';
import { coresGiven } from '../core/cpuQuota.js';

export { wholeNumberFlag } from '../core/wholeNumber.js';

/** The variable `--workers` defaults to where a command scores stored samples (`merge`, `run`). */
export const WORKERS_VARIABLE = 'LOGBENCH_WORKERS';

/** `--workers` of a command that rescores stored samples, as commander documents it. */
export const WORKERS_FLAG_HELP = `threads that may score stored samples (the main thread and N-1 workers, used only for text metrics on many samples); default: $${WORKERS_VARIABLE}, else the cores this process may use. 1: this thread only`;

/**
 * Threads scoring may use: `--workers`, else LOGBENCH_WORKERS, else the cores the process is given
 * (its CPU affinity, as SLURM sets it, capped by a CFS quota, as a Kubernetes CPU limit sets it); never more than those
 * cores, where more threads only add memory (each worker holds its own heap).
 */
export function scoringWorkers(flag: number | undefined, cores = coresGiven()): number {
  // The threshold's variable is read where scoring starts, after a run's queries: a typo is refused now.
  wholeNumberVariable('LOGBENCH_WORKER_MIN_ITEMS', 0);
  return Math.min(flag ?? wholeNumberVariable(WORKERS_VARIABLE, cores, 1), cores);
}
