import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../../core/errors.js';
import { shardFromEnvironment } from './shardEnvironment.js';
import { shardDatabasePath } from './shardFiles.js';
import { shellQuote, slurmRunFiles } from './slurm.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-slurm-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A "logbench" that prints the arguments it was given, so bash's reading of each script is checked.
const PRINT_ARGS = [process.execPath, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '--'];

/** Runs one script's lines through bash (no sbatch: `#SBATCH` lines are comments to bash). */
function argsOf(script: string, env: NodeJS.ProcessEnv = {}): string[][] {
  const file = path.join(dir, 'script.sh');
  writeFileSync(file, script);
  return execFileSync('bash', [file], { env: { ...process.env, ...env }, encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string[]);
}

describe('slurmRunFiles', () => {
  const awkward = path.join(dir, "it's a $HOME `x` folder", 'out db.duckdb');
  const suite = path.join(dir, 'my suite "v2".yaml');
  const files = slurmRunFiles({ suite, out: awkward, shards: 4, logbench: PRINT_ARGS, sbatchArgs: ' --partition gpu --time 1:00:00 ' });

  it('quotes every path: spaces, quotes, $ and backticks reach logbench unchanged', () => {
    expect(argsOf(files.contents.get(files.shardScript)!, { SLURM_ARRAY_TASK_ID: '2' })).toEqual([
      ['run', suite, '--shard', 'auto', '--db', shardDatabasePath(awkward, 2, 4), '--no-report'],
    ]);
    // The merge writes the reports of the runs it made itself: no `run`, which would query failed samples again.
    expect(argsOf(files.contents.get(files.mergeScript)!)).toEqual([['merge', ...[0, 1, 2, 3].map((i) => shardDatabasePath(awkward, i, 4)), '--db', awkward, '--report']]);
    expect(files.contents.get(files.mergeScript)).not.toMatch(/ run /);
  });

  it('pins the shard count, so `sbatch --array=2` on the shard script reruns shard 2 of 4, not shard 0 of 1', () => {
    const printEnv = [process.execPath, '-e', 'console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(SLURM_ARRAY|LOGBENCH_)/.test(k)))))', '--'];
    const script = slurmRunFiles({ suite, out: awkward, shards: 4, logbench: printEnv }).contents.get(files.shardScript)!;
    // What SLURM sets for the one task of `sbatch --array=2`.
    const file = path.join(dir, 'shard.sh');
    writeFileSync(file, script);
    const env = JSON.parse(execFileSync('bash', [file], { env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_MAX: '2' }, encoding: 'utf8' })) as NodeJS.ProcessEnv;
    expect(env.LOGBENCH_SHARD_COUNT).toBe('4');
    expect(shardFromEnvironment(env)).toEqual({ index: 2, count: 4, source: 'SLURM job array' });
  });

  it('refuses a control character in any path it would write into a script, and puts no path in a comment', () => {
    for (const [what, options] of [
      ['the suite path', { suite: `${dir}/x.yaml\nrm -rf ~`, out: awkward }],
      ['the database path', { suite, out: `${dir}/out\n#SBATCH --wrap=id\nid.duckdb` }],
      ['the database path', { suite, out: `${dir}/out\rx.duckdb` }],
    ] as const) {
      let error: unknown;
      try {
        slurmRunFiles({ ...options, shards: 2, logbench: PRINT_ARGS });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(3);
      expect((error as CliError).message).toMatch(new RegExp(`^${what} ".*" holds a control character \\(U\\+000[AD]\\)`));
    }
    for (const text of files.contents.values()) {
      for (const comment of text.split('\n').filter((line) => line.startsWith('#'))) expect(comment).not.toContain(dir);
    }
  });

  it('doubles a % of the database path in the sbatch --output names (sbatch reads %j, %a… there)', () => {
    const out = path.join(dir, '100%a done', 'x.duckdb');
    const percent = slurmRunFiles({ suite, out, shards: 2, logbench: PRINT_ARGS });
    const submit = percent.contents.get(percent.submitScript)!;
    expect(submit).toContain(`--output='${path.join(dir, '100%%a done', 'x.shard-%a-of-2.log')}'`);
    expect(submit).toContain(`--output='${path.join(dir, '100%%a done', 'x.merge.log')}'`);
    expect(percent.shardLogOf(1)).toBe(path.join(dir, '100%a done', 'x.shard-1-of-2.log'));
  });

  it('names the shard databases, scripts and logs after the merged database, beside it', () => {
    expect(files.shardDatabases.map((f) => path.basename(f))).toEqual([0, 1, 2, 3].map((i) => `out db.shard-${i}-of-4.duckdb`));
    expect([files.shardScript, files.mergeScript, files.submitScript, files.shardLog, files.mergeLog].map((f) => path.basename(f))).toEqual(['out db.shards.sbatch', 'out db.merge.sbatch', 'out db.submit.sh', 'out db.shard-%a-of-4.log', 'out db.merge.log']);
    expect(files.contents.get(files.shardScript)).toContain('#SBATCH --array=0-3\n');
  });

  it('submits the array, then the merge after all of it (afterok), with the extra sbatch options, printing both ids', () => {
    const bin = path.join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    // A stand-in sbatch that records its arguments and answers like --parsable: job id;cluster.
    writeFileSync(path.join(bin, 'sbatch'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${shellQuote(path.join(dir, 'sbatch.calls'))}\ncount=$(wc -l < ${shellQuote(path.join(dir, 'sbatch.calls'))})\necho "$((100 + count));cluster"\n`, { mode: 0o755 });
    const submit = path.join(dir, 'submit.sh');
    writeFileSync(submit, files.contents.get(files.submitScript)!);
    const printed = execFileSync('sh', [submit], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    expect(printed).toBe('101 102\n');
    const calls = execFileSync('cat', [path.join(dir, 'sbatch.calls')], { encoding: 'utf8' }).trim().split('\n');
    expect(calls).toEqual([
      `--parsable --partition gpu --time 1:00:00 --output=${files.shardLog} ${files.shardScript}`,
      `--parsable --partition gpu --time 1:00:00 --dependency=afterok:101 --output=${files.mergeLog} ${files.mergeScript}`,
    ]);
  });
});

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });
});
