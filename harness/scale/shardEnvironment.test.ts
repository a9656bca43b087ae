import { describe, expect, it } from 'vitest';
import { CliError } from '../../core/errors.js';
import { shardFromEnvironment } from './shardEnvironment.js';

function refusal(env: NodeJS.ProcessEnv): CliError {
  try {
    shardFromEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(3);
    return error as CliError;
  }
  throw new Error(`no refusal for ${JSON.stringify(env)}`);
}

describe('shardFromEnvironment (run --shard auto)', () => {
  it('reads a SLURM array task with its task count', () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3' })).toEqual({ index: 2, count: 4, source: 'SLURM job array' });
  });

  it('reads a SLURM array without a task count from MIN/MAX, the index relative to MIN', () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_MAX: '8' })).toEqual({ index: 2, count: 4, source: 'SLURM job array' });
  });

  it('reads a SLURM array with a count and MIN, the index relative to MIN', () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '11', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '10' })).toEqual({ index: 1, count: 3, source: 'SLURM job array' });
  });

  it('reads a Kubernetes Indexed Job with the count its manifest sets', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0', LOGBENCH_SHARD_COUNT: '8' })).toEqual({ index: 0, count: 8, source: 'Kubernetes Indexed Job' });
  });

  it('reads the CI matrix pair', () => {
    expect(shardFromEnvironment({ LOGBENCH_SHARD_INDEX: '3', LOGBENCH_SHARD_COUNT: '4' })).toEqual({ index: 3, count: 4, source: 'CI matrix' });
  });

  it('treats empty variables as unset (a CI template that leaves one blank)', () => {
    expect(shardFromEnvironment({ LOGBENCH_SHARD_INDEX: '1', LOGBENCH_SHARD_COUNT: '2', JOB_COMPLETION_INDEX: '' })).toEqual({ index: 1, count: 2, source: 'CI matrix' });
  });

  it('refuses when no source is set, naming all three', () => {
    const { message } = refusal({ PATH: '/usr/bin' });
    expect(message).toMatch(/^--shard auto: no shard index in the environment; it is set by a SLURM job array/);
    expect(message).toContain('JOB_COMPLETION_INDEX with LOGBENCH_SHARD_COUNT');
    expect(message).toContain('LOGBENCH_SHARD_INDEX with LOGBENCH_SHARD_COUNT');
  });

  it('refuses a plain SLURM job (not an array) and says so', () => {
    expect(refusal({ SLURM_JOB_ID: '42' }).message).toContain('SLURM_JOB_ID is set: this SLURM job is not an array; submit it with --array=0-N-1');
  });

  it('refuses two sources at once', () => {
    expect(refusal({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2', JOB_COMPLETION_INDEX: '0', LOGBENCH_SHARD_COUNT: '2' }).message).toContain('SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are both set');
    expect(refusal({ JOB_COMPLETION_INDEX: '0', LOGBENCH_SHARD_INDEX: '0', LOGBENCH_SHARD_COUNT: '2' }).message).toContain('JOB_COMPLETION_INDEX and LOGBENCH_SHARD_INDEX are both set');
  });

  it('refuses a value that is not a whole number, naming the variable', () => {
    expect(refusal({ SLURM_ARRAY_TASK_ID: '1.5', SLURM_ARRAY_TASK_COUNT: '4' }).message).toBe('--shard auto: SLURM_ARRAY_TASK_ID="1.5" is not a whole number');
    expect(refusal({ LOGBENCH_SHARD_INDEX: '0', LOGBENCH_SHARD_COUNT: 'four' }).message).toBe('--shard auto: LOGBENCH_SHARD_COUNT="four" is not a whole number');
    expect(refusal({ JOB_COMPLETION_INDEX: '-1', LOGBENCH_SHARD_COUNT: '4' }).message).toContain('JOB_COMPLETION_INDEX="-1"');
  });

  it('refuses a SLURM task without a count or MIN/MAX', () => {
    expect(refusal({ SLURM_ARRAY_TASK_ID: '1' }).message).toContain('neither SLURM_ARRAY_TASK_COUNT nor both SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX');
    expect(refusal({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0' }).message).toContain('neither SLURM_ARRAY_TASK_COUNT');
  });

  it('refuses a stepped or listed SLURM array, whose tasks are not shards 0..N-1', () => {
    expect(refusal({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '2' }).message).toContain('submit --array=0-1');
  });

  it('refuses MAX below MIN, and a task outside the array', () => {
    expect(refusal({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_MAX: '4' }).message).toContain('SLURM_ARRAY_TASK_MAX=4 is below SLURM_ARRAY_TASK_MIN=5');
    expect(refusal({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' }).message).toContain('SLURM_ARRAY_TASK_ID=4 is outside the array (0..3)');
    expect(refusal({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_MAX: '5' }).message).toContain('outside the array (3..5)');
  });

  it('refuses a LOGBENCH_SHARD_COUNT that disagrees with the SLURM array', () => {
    expect(refusal({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4', LOGBENCH_SHARD_COUNT: '3' }).message).toContain('LOGBENCH_SHARD_COUNT=3 disagrees with the SLURM array\'s 4 tasks');
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4', LOGBENCH_SHARD_COUNT: '4' }).count).toBe(4);
  });

  it('with the count pinned, a rerun of one task (sbatch --array=2) or a sub-array is those shards, not shard 0/1', () => {
    // What SLURM sets for `sbatch --array=2 OUT.shards.sbatch`, whose script exports LOGBENCH_SHARD_COUNT=4.
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_MAX: '2', LOGBENCH_SHARD_COUNT: '4' })).toEqual({ index: 2, count: 4, source: 'SLURM job array' });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3', LOGBENCH_SHARD_COUNT: '4' })).toEqual({ index: 3, count: 4, source: 'SLURM job array' });
    // Unpinned, the same one-task array is read as the whole run: shard 0/1 (why the script pins it).
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_MAX: '2' })).toEqual({ index: 0, count: 1, source: 'SLURM job array' });
    expect(refusal({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_MAX: '4', LOGBENCH_SHARD_COUNT: '4' }).message).toContain("LOGBENCH_SHARD_COUNT=4 disagrees with the SLURM array's tasks 4..4");
  });

  it('refuses an index without a count, a count without an index, a zero count and an index past the count', () => {
    expect(refusal({ JOB_COMPLETION_INDEX: '1' }).message).toContain('JOB_COMPLETION_INDEX is set but LOGBENCH_SHARD_COUNT is not');
    expect(refusal({ LOGBENCH_SHARD_INDEX: '1' }).message).toContain('LOGBENCH_SHARD_INDEX is set but LOGBENCH_SHARD_COUNT is not');
    expect(refusal({ LOGBENCH_SHARD_COUNT: '4' }).message).toContain('LOGBENCH_SHARD_COUNT is set but no shard index is');
    expect(refusal({ LOGBENCH_SHARD_INDEX: '0', LOGBENCH_SHARD_COUNT: '0' }).message).toContain('there must be at least one shard');
    expect(refusal({ JOB_COMPLETION_INDEX: '4', LOGBENCH_SHARD_COUNT: '4' }).message).toContain('JOB_COMPLETION_INDEX=4 is not below LOGBENCH_SHARD_COUNT=4');
  });
});
