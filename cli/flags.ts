import { CliError } from '../core/errors.js';
import { coresGiven } from '../core/cpuQuota.js';

/**
 * The parser of a whole-number flag: digits only, so `1e1`, `0x10`, `4.0` or ` 4` are refused rather
 * than read as whatever `Number()` makes of them. Out of [min, max] is refused too.
 */
export function wholeNumberFlag(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) throw new CliError(`${flag}: expected a whole number ${range} (digits only), got "${value}"`);
    return n;
  };
}

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
  const threshold = process.env['LOGBENCH_WORKER_MIN_ITEMS'];
  if (threshold !== undefined && threshold !== '') wholeNumberFlag('LOGBENCH_WORKER_MIN_ITEMS', 0)(threshold);
  const fromEnv = process.env[WORKERS_VARIABLE];
  const asked = flag ?? (fromEnv === undefined || fromEnv === '' ? cores : wholeNumberFlag(WORKERS_VARIABLE, 1)(fromEnv));
  return Math.min(asked, cores);
}
