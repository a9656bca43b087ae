/**
 * The files of a SLURM run of a suite: a job array with one `run --shard auto` task per shard, a merge
 * job that waits for all of them (afterok), and the submit script joining the two. They are plain
 * files so a user can read them, edit them and submit them by hand; `logbench slurm --submit` runs the
 * same submit script.
 */
import { besideDatabase, shardDatabasePath, shardDatabasePaths } from './shardFiles.js';

export interface SlurmRunOptions {
  /** The suite file, as the jobs will read it (absolute: jobs start in another folder). */
  suite: string;
  /** The merged database; shard databases, scripts and logs go beside it. */
  out: string;
  shards: number;
  /** The command that runs logbench inside a job: the current node binary and CLI script, so no global install is needed. */
  logbench: readonly string[];
  /** Extra `sbatch` options, shell words as the user typed them (`--partition gpu --time 2:00:00`). */
  sbatchArgs?: string;
}

export interface SlurmRunFiles {
  shardScript: string;
  mergeScript: string;
  submitScript: string;
  /** The text of each file, by path. */
  contents: Map<string, string>;
  shardDatabases: string[];
  /** `%a` is the array task (SLURM's own pattern). */
  shardLog: string;
  mergeLog: string;
}

/** One shell word: POSIX single quotes, so spaces, `$` and quotes in a path stay literal. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const command = (words: readonly string[]) => words.map(shellQuote).join(' ');

export function slurmRunFiles(options: SlurmRunOptions): SlurmRunFiles {
  const { out, shards } = options;
  const shardScript = besideDatabase(out, '.shards.sbatch');
  const mergeScript = besideDatabase(out, '.merge.sbatch');
  const submitScript = besideDatabase(out, '.submit.sh');
  const shardDatabases = shardDatabasePaths(out, shards);
  const shardLog = besideDatabase(out, `.shard-%a-of-${shards}.log`);
  const mergeLog = besideDatabase(out, '.merge.log');
  // The task's own index goes between two quoted halves of the path, so the path stays one word.
  const [before, after] = shardDatabasePath(out, '\0', shards).split('\0') as [string, string];
  const shardDb = `${shellQuote(before)}"$SLURM_ARRAY_TASK_ID"${shellQuote(after)}`;
  const logbench = command(options.logbench);

  const shard = [
    '#!/bin/bash',
    `# One shard of ${options.suite} per array task. A task whose run completed before is reported, not`,
    '# queried again: after a failure, submit the whole array again (the submit script beside this file).',
    '#SBATCH --job-name=logbench-shards',
    `#SBATCH --array=0-${shards - 1}`,
    'set -eu',
    `exec ${logbench} run ${shellQuote(options.suite)} --shard auto --db ${shardDb} --no-report`,
    '',
  ].join('\n');
  const merge = [
    '#!/bin/bash',
    `# Joins the ${shards} shard databases into ${out} and writes its reports; runs once every shard succeeded.`,
    '#SBATCH --job-name=logbench-merge',
    'set -eu',
    `${logbench} merge ${command(shardDatabases)} --db ${shellQuote(out)}`,
    '# The merged runs are whole runs of the suite: `run` reports them as completed (nothing is queried) and writes their reports.',
    `exec ${logbench} run ${shellQuote(options.suite)} --db ${shellQuote(out)}`,
    '',
  ].join('\n');
  const sbatch = `sbatch --parsable${options.sbatchArgs?.trim() ? ` ${options.sbatchArgs.trim()}` : ''}`;
  const submit = [
    '#!/bin/sh',
    `# Submits the ${shards}-task shard array, then the merge job that waits for all of it; prints both job ids.`,
    'set -eu',
    `array=$(${sbatch} --output=${shellQuote(shardLog)} ${shellQuote(shardScript)})`,
    'array=${array%%;*} # --parsable prints "id;cluster" on a federation',
    `merge=$(${sbatch} --dependency=afterok:"$array" --output=${shellQuote(mergeLog)} ${shellQuote(mergeScript)})`,
    'echo "$array ${merge%%;*}"',
    '',
  ].join('\n');
  return {
    shardScript,
    mergeScript,
    submitScript,
    contents: new Map([
      [shardScript, shard],
      [mergeScript, merge],
      [submitScript, submit],
    ]),
    shardDatabases,
    shardLog,
    mergeLog,
  };
}
