import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    // `set -eu` stops the merge script at a failed merge: the reports step is not reached.
    const merge = files.contents.get(files.mergeScript)!;
    expect(argsOf(merge.replace(/^exec /m, ''))).toEqual([
      ['merge', ...[0, 1, 2, 3].map((i) => shardDatabasePath(awkward, i, 4)), '--db', awkward],
      ['run', suite, '--db', awkward],
    ]);
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
