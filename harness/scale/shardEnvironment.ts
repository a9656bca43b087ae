/**
 * `run --shard auto`: which shard this process is, read from the scheduler that started it. Each
 * scheduler names it differently; a set of variables that does not fit together is refused rather
 * than guessed at, since a wrong guess runs one shard twice and another never.
 */
import { CliError } from '../../core/errors.js';

export interface Shard {
  index: number;
  count: number;
}

export type ShardSource = 'SLURM job array' | 'Kubernetes Indexed Job' | 'CI matrix';

/** The variable logbench's own manifests (and a CI matrix) set for the shard count. */
export const SHARD_COUNT_VARIABLE = 'LOGBENCH_SHARD_COUNT';
/** The index variable of a CI matrix (GitHub Actions, GitLab `parallel:`…), set by the workflow. */
export const SHARD_INDEX_VARIABLE = 'LOGBENCH_SHARD_INDEX';

const HOW =
  'set by a SLURM job array (SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT or _MIN/_MAX), a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with LOGBENCH_SHARD_COUNT) or a CI matrix (LOGBENCH_SHARD_INDEX with LOGBENCH_SHARD_COUNT)';

function refuse(reason: string): CliError {
  return new CliError(`--shard auto: ${reason}`);
}

/** A variable's whole-number value, or undefined when unset or empty; anything else is refused by name. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw refuse(`${name}="${value}" is not a whole number`);
  return Number(value);
}

function slurmShard(env: NodeJS.ProcessEnv, taskId: number): Shard {
  const count = wholeNumber(env, 'SLURM_ARRAY_TASK_COUNT');
  const min = wholeNumber(env, 'SLURM_ARRAY_TASK_MIN');
  const max = wholeNumber(env, 'SLURM_ARRAY_TASK_MAX');
  if (count === undefined && (min === undefined || max === undefined)) {
    throw refuse('SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor both SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX are');
  }
  if (min !== undefined && max !== undefined && max < min) throw refuse(`SLURM_ARRAY_TASK_MAX=${max} is below SLURM_ARRAY_TASK_MIN=${min}`);
  const pinned = wholeNumber(env, SHARD_COUNT_VARIABLE);
  if (pinned !== undefined) return pinnedSlurmShard(taskId, pinned, { count, min, max });
  if (min !== undefined && max !== undefined) {
    // A stepped or listed array (--array=0-6:2, --array=1,4) leaves holes: its tasks are not shards 0..N-1.
    if (count !== undefined && count !== max - min + 1) {
      throw refuse(`the array's ${count} tasks do not cover SLURM_ARRAY_TASK_MIN=${min}..SLURM_ARRAY_TASK_MAX=${max} (a stepped or listed --array); submit --array=0-${count - 1}`);
    }
  }
  const index = taskId - (min ?? 0);
  const total = count ?? max! - min! + 1;
  if (index < 0 || index >= total) throw refuse(`SLURM_ARRAY_TASK_ID=${taskId} is outside the array (${min ?? 0}..${(min ?? 0) + total - 1})`);
  return { index, count: total };
}

/**
 * With the shard count pinned (logbench's shard script exports it), the task id is the shard index:
 * `sbatch --array=2 OUT.shards.sbatch` reruns shard 2 alone, and a sub-array or a stepped or listed
 * one (--array=1,3) runs those shards. An array reaching past the count disagrees with it.
 */
function pinnedSlurmShard(taskId: number, pinned: number, array: { count: number | undefined; min: number | undefined; max: number | undefined }): Shard {
  if (pinned < 1) throw refuse(`${SHARD_COUNT_VARIABLE}=${pinned}: there must be at least one shard`);
  const highest = array.max ?? (array.min ?? 0) + array.count! - 1;
  if (highest >= pinned) {
    const tasks = array.min !== undefined && array.max !== undefined ? `tasks ${array.min}..${array.max}` : `${array.count} tasks`;
    throw refuse(`${SHARD_COUNT_VARIABLE}=${pinned} disagrees with the SLURM array's ${tasks} (shard indices run 0..${pinned - 1})`);
  }
  if (taskId >= pinned) throw refuse(`SLURM_ARRAY_TASK_ID=${taskId} is not below ${SHARD_COUNT_VARIABLE}=${pinned} (indices run from 0)`);
  return { index: taskId, count: pinned };
}

function pairedShard(env: NodeJS.ProcessEnv, indexVariable: string): Shard {
  const index = wholeNumber(env, indexVariable)!;
  const count = wholeNumber(env, SHARD_COUNT_VARIABLE);
  if (count === undefined) throw refuse(`${indexVariable} is set but ${SHARD_COUNT_VARIABLE} is not (the number of shards)`);
  if (count < 1) throw refuse(`${SHARD_COUNT_VARIABLE}=${count}: there must be at least one shard`);
  if (index >= count) throw refuse(`${indexVariable}=${index} is not below ${SHARD_COUNT_VARIABLE}=${count} (indices run from 0)`);
  return { index, count };
}

/**
 * This process's shard and where it was read from. Exactly one source may be set: two (a CI job that
 * submits to SLURM, a pod inside an allocation) would each claim to decide the index.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv): Shard & { source: ShardSource } {
  const slurm = wholeNumber(env, 'SLURM_ARRAY_TASK_ID');
  const kubernetes = wholeNumber(env, 'JOB_COMPLETION_INDEX');
  const ci = wholeNumber(env, SHARD_INDEX_VARIABLE);
  const present = [
    ...(slurm !== undefined ? ['SLURM_ARRAY_TASK_ID'] : []),
    ...(kubernetes !== undefined ? ['JOB_COMPLETION_INDEX'] : []),
    ...(ci !== undefined ? [SHARD_INDEX_VARIABLE] : []),
  ];
  if (present.length > 1) throw refuse(`${present.join(' and ')} are both set; which one is this shard's index? Unset all but one`);
  if (slurm !== undefined) return { ...slurmShard(env, slurm), source: 'SLURM job array' };
  if (kubernetes !== undefined) return { ...pairedShard(env, 'JOB_COMPLETION_INDEX'), source: 'Kubernetes Indexed Job' };
  if (ci !== undefined) return { ...pairedShard(env, SHARD_INDEX_VARIABLE), source: 'CI matrix' };
  if (env[SHARD_COUNT_VARIABLE]) throw refuse(`${SHARD_COUNT_VARIABLE} is set but no shard index is (JOB_COMPLETION_INDEX or ${SHARD_INDEX_VARIABLE})`);
  const plainJob = env.SLURM_JOB_ID ? ` (SLURM_JOB_ID is set: this SLURM job is not an array; submit it with --array=0-N-1)` : '';
  throw refuse(`no shard index in the environment${plainJob}; it is ${HOW}`);
}
