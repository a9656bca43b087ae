// `logbench slurm` without a cluster (writing the scripts, refusing bad flags) and `run --shard auto`
// from the built CLI; the real cluster run is in slurm.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-slurm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The test process may itself run inside a scheduler: its shard variables must not leak into the child. */
const noShardEnv = { SLURM_ARRAY_TASK_ID: '', SLURM_JOB_ID: '', JOB_COMPLETION_INDEX: '', LOGBENCH_SHARD_INDEX: '', LOGBENCH_SHARD_COUNT: '' };

describe('logbench slurm (no cluster needed)', () => {
  it('writes the three scripts beside --db without submitting, and says how to submit', async () => {
    const out = path.join(dir, 'written', 'eval.duckdb');
    const result = await runCli(['slurm', 'suites/default.yaml', '--shards', '3', '--db', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`submit with: sh ${path.join(dir, 'written', 'eval.submit.sh')}`); // outside the working folder: as given
    const shards = readFileSync(path.join(dir, 'written', 'eval.shards.sbatch'), 'utf8');
    expect(shards).toContain('#SBATCH --array=0-2\n');
    expect(shards).toContain(`${process.execPath} `);
    expect(shards).toContain(`run ${path.resolve('suites/default.yaml')} --shard auto`);
    expect(existsSync(path.join(dir, 'written', 'eval.merge.sbatch'))).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses bad flags with exit 3 before writing anything', async () => {
    const out = path.join(dir, 'refused', 'eval.duckdb');
    for (const [args, message] of [
      [['--shards', '0'], /--shards: expected a whole number from 1 to 10000/],
      [['--shards', '2', '--wait'], /--wait follows submitted jobs: add --submit/],
      [['--shards', 'two'], /--shards: expected a whole number/],
    ] as const) {
      const result = await runCli(['slurm', 'suites/default.yaml', '--db', out, ...args]);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(message);
    }
    const missing = await runCli(['slurm', path.join(dir, 'nope.yaml'), '--shards', '2', '--db', out]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('nope.yaml');
    expect(existsSync(path.join(dir, 'refused'))).toBe(false);
  });

  it('refuses to submit into a database that exists (merged before)', async () => {
    const out = path.join(dir, 'exists.duckdb');
    writeFileSync(out, '');
    const result = await runCli(['slurm', 'suites/default.yaml', '--shards', '2', '--db', out, '--submit']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('exists.duckdb exists: the shards were merged into it before; remove it or name another --db to run again');
  });
});

describe('logbench run --shard auto', () => {
  it('runs the shard a CI matrix names', async () => {
    const db = path.join(dir, 'ci.duckdb');
    const result = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--shard', 'auto', '--db', db], { env: { ...noShardEnv, LOGBENCH_SHARD_INDEX: '1', LOGBENCH_SHARD_COUNT: '2' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('shard 1/2 (from the CI matrix)');
    const [run] = await queryDb<{ selection: string }>(db, 'SELECT selection::VARCHAR AS selection FROM runs');
    expect(JSON.parse(run!.selection)).toMatchObject({ shard: { index: 1, count: 2 } });
  });

  it('refuses with exit 3, writing nothing, when no scheduler names a shard or the names disagree', async () => {
    const db = path.join(dir, 'none.duckdb');
    const none = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--shard', 'auto', '--db', db], { env: noShardEnv });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/^logbench run: --shard auto: no shard index in the environment; it is set by a SLURM job array/);
    const both = await runCli(['run', 'suites/default.yaml', '--shard', 'auto', '--db', db], { env: { ...noShardEnv, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2', LOGBENCH_SHARD_INDEX: '0', LOGBENCH_SHARD_COUNT: '2' } });
    expect(both.code).toBe(3);
    expect(both.stderr).toContain('SLURM_ARRAY_TASK_ID and LOGBENCH_SHARD_INDEX are both set');
    expect(existsSync(db)).toBe(false);
  });
});
