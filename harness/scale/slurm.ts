/**
 * The files of a SLURM run of a suite: a job array with one `run --shard auto` task per shard, a merge
 * job that waits for all of them (afterok), and the submit script joining the two. They are plain
 * files so a user can read them, edit them and submit them by hand; `logbench slurm --submit` runs the
 * same submit script.
 */
import { CliError } from '../../core/errors.js';
import { SHARD_COUNT_VARIABLE } from './shardEnvironment.js';
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
  /** The log file of shard `index`. */
  shardLogOf(index: number): string;
  mergeLog: string;
}

/** One shell word: POSIX single quotes, so spaces, `$` and quotes in a path stay literal. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const command = (words: readonly string[]) => words.map(shellQuote).join(' ');

/** sbatch reads `%` in --output as a pattern (%j, %a…): a literal one is written `%%`. */
const sbatchFileName = (file: string) => file.replaceAll('%', '%%');

/**
 * Refuses a path bash or sbatch would read as more than one word or line: a newline in it would end
 * a comment or command of the script and run what follows.
 */
function assertScriptSafe(what: string, value: string): void {
  const control = /[\u0000-\u001f\u007f]/.exec(value);
  if (control) {
    const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new CliError(`${what} ${JSON.stringify(value)} holds a control character (${code}); it cannot be written into a job script safely: rename it`);
  }
}

export function slurmRunFiles(options: SlurmRunOptions): SlurmRunFiles {
  const { out, shards } = options;
  assertScriptSafe('the suite path', options.suite);
  assertScriptSafe('the database path', out);
  for (const word of options.logbench) assertScriptSafe('the logbench command', word);
  const shardScript = besideDatabase(out, '.shards.sbatch');
  const mergeScript = besideDatabase(out, '.merge.sbatch');
  const submitScript = besideDatabase(out, '.submit.sh');
  const shardDatabases = shardDatabasePaths(out, shards);
  const [logBefore, logAfter] = besideDatabase(out, `.shard-\0-of-${shards}.log`).split('\0') as [string, string];
  const shardLog = `${logBefore}%a${logAfter}`;
  const mergeLog = besideDatabase(out, '.merge.log');
  // The task's own index goes between two quoted halves of the path, so the path stays one word.
  const [before, after] = shardDatabasePath(out, '\0', shards).split('\0') as [string, string];
  const shardDb = `${shellQuote(before)}"$SLURM_ARRAY_TASK_ID"${shellQuote(after)}`;
  const logbench = command(options.logbench);

  const shard = [
    '#!/bin/bash',
    // No paths in comments: one is only ever a quoted word of a command.
    `# One shard of the suite per array task (${shards} shards). A task whose run completed before is not`,
    '# queried again: after a failure, submit the whole array again (the submit script beside this file),',
    '# or rerun one shard with `sbatch --array=I` on this file: the shard count is pinned below, so the',
    '# task id is the shard index.',
    '#SBATCH --job-name=logbench-shards',
    `#SBATCH --array=0-${shards - 1}`,
    'set -eu',
    `export ${SHARD_COUNT_VARIABLE}=${shards}`,
    `exec ${logbench} run ${shellQuote(options.suite)} --shard auto --db ${shardDb} --no-report`,
    '',
  ].join('\n');
  const merge = [
    '#!/bin/bash',
    `# Joins the ${shards} shard databases into the merged database and writes the reports of the runs`,
    '# it made (merge --report; nothing is queried); runs once every shard succeeded.',
    '#SBATCH --job-name=logbench-merge',
    'set -eu',
    `exec ${logbench} merge ${command(shardDatabases)} --db ${shellQuote(out)} --report`,
    '',
  ].join('\n');
  const sbatch = `sbatch --parsable${options.sbatchArgs?.trim() ? ` ${options.sbatchArgs.trim()}` : ''}`;
  const submit = [
    '#!/bin/sh',
    `# Submits the ${shards}-task shard array, then the merge job that waits for all of it; prints both job ids.`,
    'set -eu',
    '# --sbatch-args are shell words of both sbatch calls below.',
    `array=$(${sbatch} --output=${shellQuote(`${sbatchFileName(logBefore)}%a${sbatchFileName(logAfter)}`)} ${shellQuote(shardScript)})`,
    'array=${array%%;*} # --parsable prints "id;cluster" on a federation',
    `merge=$(${sbatch} --dependency=afterok:"$array" --output=${shellQuote(sbatchFileName(mergeLog))} ${shellQuote(mergeScript)})`,
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
    shardLogOf: (index) => `${logBefore}${index}${logAfter}`,
    mergeLog,
  };
}
