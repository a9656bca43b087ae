// What the SLURM scripts and `merge` leave behind when things go wrong: failed samples, a rerun of one
// array task, a merge killed mid-way, a --db that is not a database. The scripts are run by bash
// with the SLURM_* variables set by hand (as sbatch would); the real cluster run is in slurm.test.ts.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { startLoopbackOpenAI } from '../support/loopback-openai.js';
import { queryDb, writeOpenAISuite } from '../support/run-fixtures.js';
import { useStoreScratch } from '../support/store-child-process.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-merge-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The test process may itself run inside a scheduler: only the variables a test sets reach the child. */
const noShardEnv = { SLURM_ARRAY_TASK_ID: '', SLURM_ARRAY_TASK_COUNT: '', SLURM_ARRAY_TASK_MIN: '', SLURM_ARRAY_TASK_MAX: '', SLURM_JOB_ID: '', JOB_COMPLETION_INDEX: '', LOGBENCH_SHARD_INDEX: '', LOGBENCH_SHARD_COUNT: '' };

async function ok(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await runCli(args, { env: noShardEnv });
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

async function refused(args: string[], message: RegExp): Promise<void> {
  const result = await runCli(args, { env: noShardEnv });
  expect(result.code, result.stderr).toBe(3);
  expect(result.stderr).toMatch(message);
}

/** One job script run as SLURM would start it: bash, with the array variables of one task (stdout and stderr). */
async function runScript(script: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  // Not execFileSync: the loopback server answering the job lives in this process.
  return promisify(execFile)('bash', [script], { env: { ...process.env, ...noShardEnv, ...env }, encoding: 'utf8' });
}

describe('the SLURM scripts, run by hand', () => {
  it('the merge job merges and reports the merged runs without querying anything; `sbatch --array=1` reruns shard 1 of 2', async () => {
    // case-3 always fails: a shard with a failed sample is what `run` would query again.
    const loopback = await startLoopbackOpenAI({ latencyMs: 1, faults: [{ match: '# case-3\n', fault: { kind: 'status', status: 400 } }] });
    try {
      const { suite } = writeOpenAISuite({ url: loopback.url, cases: 12, batchSize: 4, maxRetries: 0 });
      const out = path.join(dir, 'slurm', 'eval.duckdb');
      await ok(['slurm', suite, '--shards', '2', '--db', out]);
      const script = (suffix: string) => path.join(dir, 'slurm', `eval.${suffix}`);
      for (const task of ['0', '1']) await runScript(script('shards.sbatch'), { SLURM_ARRAY_TASK_ID: task, SLURM_ARRAY_TASK_COUNT: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '1' });

      // `sbatch --array=1 eval.shards.sbatch`: one task, MIN = MAX = 1. It is shard 1/2 again, not 0/1.
      const rerun = await runScript(script('shards.sbatch'), { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '1' });
      expect(rerun.stderr).toContain('shard 1/2 (from the SLURM job array)');
      expect(readdirSync(path.join(dir, 'slurm')).filter((name) => name.includes('-of-1'))).toEqual([]);

      const asked = loopback.stats().requests;
      const merged = (await runScript(script('merge.sbatch'))).stdout;
      expect(loopback.stats().requests).toBe(asked); // nothing queried again, failed samples included
      // The whole runs made of shards (the shard runs the rerun superseded are copied as they are).
      const runs = await queryDb<{ id: string; status: string; model_id: string }>(out, 'SELECT id, status, model_id FROM runs WHERE selection IS NULL ORDER BY model_id');
      expect(runs.map((r) => [r.model_id, r.status])).toEqual([['base', 'completed'], ['tuned', 'completed']]);
      // It prints the merged run ids, and only they got reports: no other run was made.
      expect(merged.trim().split('\n').sort()).toEqual(runs.map((r) => r.id).sort());
      for (const model of ['base', 'tuned']) expect(readFileSync(path.join(dir, 'slurm', `eval-loopback-${model}.html`), 'utf8')).toContain('<html');
      expect((await queryDb<{ n: number }>(out, 'SELECT count(*)::INTEGER AS n FROM predictions WHERE error IS NOT NULL AND run_id IN (SELECT id FROM runs WHERE selection IS NULL)'))[0]?.n).toBe(2); // case-3, one per model
    } finally {
      await loopback.close();
    }
  });

  it('refuses a suite or --db path with a newline (it would end a comment or command of the scripts), writing nothing', async () => {
    const folder = path.join(dir, 'injected');
    await refused(['slurm', 'suites/default.yaml', '--shards', '2', '--db', path.join(folder, 'x\nid.duckdb')], /the database path ".*" holds a control character \(U\+000A\)/);
    expect(existsSync(folder)).toBe(false);
  });
});

describe('logbench merge into a new database', () => {
  const shards = [0, 1, 2].map((i) => path.join(dir, `rules-${i}.duckdb`));

  it('killed mid-way (kill -9) leaves no database at --db; the next merge removes the leftover with a note', async () => {
    for (const [i, shard] of shards.entries()) await ok(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', shard, '--shard', `${i}/3`]);
    const out = path.join(dir, 'killed', 'merged.duckdb');
    execFileSync('mkdir', ['-p', path.dirname(out)]);
    const child = spawn(process.execPath, [CLI, 'merge', ...shards, '--db', out], { stdio: 'ignore' });
    // OUT.partial-PID-RANDOM: the PID alone repeats across containers sharing the folder.
    const partialName = () => readdirSync(path.dirname(out)).find((name) => name.startsWith(`merged.duckdb.partial-${child.pid}-`) && !name.endsWith('.wal'));
    let partial = '';
    // Killed as soon as it has started writing.
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        const name = partialName();
        if (name !== undefined) {
          partial = path.join(path.dirname(out), name);
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 2);
      child.on('exit', () => {
        clearInterval(poll);
        reject(new Error('merge ended before it was killed'));
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(out)).toBe(false);
    expect(existsSync(partial)).toBe(true);
    // A later `run --db OUT` would find nothing to resume; a later merge does the whole merge (once
    // the leftover is older than a live merge's last write could be).
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(partial, minuteAgo, minuteAgo);
    const again = await ok(['merge', ...shards, '--db', out]);
    expect(again.stderr).toContain(`note: removed ${path.basename(partial)}, left by a merge into merged.duckdb that was stopped (process ${child.pid})`);
    expect(readdirSync(path.dirname(out))).toEqual(['merged.duckdb']);
    expect(await queryDb(out, 'SELECT status FROM runs')).toEqual([{ status: 'completed' }]);
    // A stopped merge's leftover beside an OUT that exists by now goes too, with a later merge into OUT.
    const stale = `${out}.partial-4242-c0ffee`;
    copyFileSync(shards[0] as string, stale);
    utimesSync(stale, minuteAgo, minuteAgo);
    const plain = path.join(dir, 'killed-plain.duckdb');
    await ok(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--limit', '3', '--db', plain]);
    const into = await ok(['merge', plain, '--db', out]);
    expect(into.stderr).toContain('note: removed merged.duckdb.partial-4242-c0ffee, left by a merge into merged.duckdb that was stopped (process 4242)');
    expect(readdirSync(path.dirname(out))).toEqual(['merged.duckdb']);
    expect(await queryDb(out, 'SELECT count(*)::INTEGER AS n FROM runs')).toEqual([{ n: 2 }]);
  });

  it('refuses shards whose suites name other metrics, naming the file', async () => {
    const loopback = await startLoopbackOpenAI({ latencyMs: 1 });
    try {
      const { suite, dir: suiteDir } = writeOpenAISuite({ url: loopback.url, cases: 8, models: ['tuned'] });
      // The same suite scoring with fewer metrics: its config hash (what is queried) is the same.
      const fewer = path.join(suiteDir, 'fewer.yaml');
      writeFileSync(fewer, readFileSync(suite, 'utf8').replace(/^metrics: .*$/m, 'metrics: [json-analysis, fuzzy]'));
      const shard = (file: string, i: number, name: string) => ok(['run', file, '--no-report', '--db', path.join(suiteDir, name), '--shard', `${i}/2`]);
      await shard(suite, 0, 's0.duckdb');
      await shard(fewer, 1, 's1-fewer.duckdb');
      const out = path.join(suiteDir, 'mixed.duckdb');
      await refused(['merge', path.join(suiteDir, 's0.duckdb'), path.join(suiteDir, 's1-fewer.duckdb'), '--db', out], /s1-fewer\.duckdb \(run \S+, shard 1\/2\): its suite's metrics \(\["json-analysis","fuzzy"\]\) differ from .*s0\.duckdb/);
      expect(existsSync(out)).toBe(false);
    } finally {
      await loopback.close();
    }
  });
});

describe('--db that is not a database', () => {
  it('refuses an existing CSV or JSON file, naming it, and leaves it as it was', async () => {
    for (const name of ['t.csv', 't.json']) {
      const file = path.join(dir, name);
      writeFileSync(file, 'a,b\n1,2\n');
      await refused(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', file], new RegExp(`${name}: not a DuckDB database \\(a logbench store\\); name another --db`));
      await refused(['merge', path.join(dir, 'rules-0.duckdb'), '--db', file], new RegExp(`${name}: not a DuckDB database`));
      expect(readFileSync(file, 'utf8')).toBe('a,b\n1,2\n');
    }
  });

  it("refuses a database's .wal as merge's and import-run's --db", async () => {
    const wal = path.join(dir, 'rules-0.duckdb.wal');
    await refused(['merge', path.join(dir, 'rules-1.duckdb'), '--db', wal], /rules-0\.duckdb\.wal: it is the write-ahead log of the DuckDB database .*rules-0\.duckdb/);
    const exported = path.join(dir, 'run.json');
    const whole = path.join(dir, 'whole.duckdb');
    await ok(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', whole]);
    await ok(['export-run', '--db', whole, '--run', 'latest:default/rules', '--out', exported]);
    await refused(['import-run', exported, '--db', wal], /it is the write-ahead log of the DuckDB database/);
    expect(existsSync(wal)).toBe(false);
  });
});

describe('logbench merge and the files beside --db', () => {
  const scratch = useStoreScratch('logbench-merge-beside-');

  it('removes only an unheld, older build file of its own naming: never one another process holds (whatever its PID), an input, a FIFO or a folder; refuses an orphan OUT.wal and a --db linking to nowhere', async () => {
    const folder = path.dirname(scratch.dbPath);
    const shards = [0, 1].map((i) => path.join(folder, `rules-${i}.duckdb`));
    for (const [i, shard] of shards.entries()) await ok(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', shard, '--shard', `${i}/2`]);
    const out = path.join(folder, 'merged.duckdb');
    const minuteAgo = new Date(Date.now() - 60_000);
    // A merge in another PID namespace (a pod, another node on the shared volume): its PID is not one here.
    const held = `${out}.partial-999999-abcdef`;
    const holder = scratch.start('hold', held);
    await holder.waitForLine((line) => line.startsWith('ready '));
    utimesSync(held, minuteAgo, minuteAgo);
    // A merge killed in a container, where logbench was PID 1 (alive here too): nothing holds it.
    const stopped = `${out}.partial-1-0a0b0c`;
    execFileSync('cp', [shards[0] as string, stopped]);
    utimesSync(stopped, minuteAgo, minuteAgo);
    // Files that only look like build files: the user's inputs, a FIFO (a probe would hang on it), a folder.
    const inputs = [`${out}.partial-2-000001`, `${out}.partial-3-000002`];
    for (const [i, input] of inputs.entries()) {
      execFileSync('cp', [shards[i] as string, input]);
      utimesSync(input, minuteAgo, minuteAgo);
    }
    execFileSync('mkfifo', [`${out}.partial-4-000003`]);
    mkdirSync(`${out}.partial-5-000004`);
    const merged = await ok(['merge', ...inputs, '--db', out]);
    expect(merged.stderr).toContain('note: removed merged.duckdb.partial-1-0a0b0c, left by a merge into merged.duckdb that was stopped (process 1)');
    expect(merged.stderr.match(/note: removed/g)).toHaveLength(1);
    for (const kept of [held, ...inputs, `${out}.partial-4-000003`, `${out}.partial-5-000004`]) expect(existsSync(kept)).toBe(true);
    expect(existsSync(stopped)).toBe(false);
    expect(await queryDb(out, 'SELECT status FROM runs')).toEqual([{ status: 'completed' }]);
    holder.send('close');
    await holder.waitForLine((line) => line === 'closed');

    // The WAL of a database that was removed: DuckDB would replay it into a new file of that name,
    // also when --db is a link to that name (DuckDB follows the link for the file, not for the WAL).
    const fresh = path.join(folder, 'fresh.duckdb');
    execFileSync('cp', [held, `${fresh}.wal`]);
    const orphan = /fresh\.duckdb\.wal is there without .*fresh\.duckdb: the write-ahead log of a database that was removed/;
    await refused(['merge', ...shards, '--db', fresh], orphan);
    await refused(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', fresh], orphan);
    const link = path.join(folder, 'link.duckdb');
    symlinkSync(fresh, link);
    await refused(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', link], orphan);
    rmSync(`${fresh}.wal`);
    // A link to nowhere: DuckDB would keep a new database's first log beside the link and lose it on the next open.
    const nowhere = /link\.duckdb: a symbolic link to .*fresh\.duckdb, which does not exist yet; .*Name .*fresh\.duckdb as --db for the first run/;
    await refused(['merge', ...shards, '--db', link], nowhere);
    await refused(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', link], nowhere);
    expect(readdirSync(folder).filter((name) => name.startsWith('fresh.duckdb') || name.startsWith('link.duckdb'))).toEqual(['link.duckdb']);
  });
});
