import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { CliError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/io/atomicWrite.js';
import { assertSafeOutputs } from '../../core/io/outputPath.js';
import { slurmRunFiles } from '../../harness/scale/slurm.js';
import { wholeNumberFlag } from '../flags.js';

interface SlurmOptions {
  shards: number;
  db: string;
  sbatchArgs?: string;
  submit?: boolean;
  wait?: boolean;
  poll: number;
}

/** Runs the submit script and reads the two job ids it prints. */
async function submit(script: string): Promise<{ arrayId: string; mergeId: string }> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('sh', [script]));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').pop() ?? '';
    throw new CliError(`submitting ${script} failed${stderr ? `: ${stderr}` : ''} (is sbatch on PATH and the cluster up?)`);
  }
  const [arrayId, mergeId] = stdout.trim().split(/\s+/);
  if (!arrayId || !mergeId || !/^\d+$/.test(arrayId) || !/^\d+$/.test(mergeId)) throw new CliError(`${script} printed "${stdout.trim()}", not two job ids`);
  return { arrayId, mergeId };
}

export function registerSlurmCommand(program: Command): void {
  program
    .command('slurm')
    .description('run a suite as a SLURM job array of shards and a merge job; writes the job scripts beside --db, submits with --submit')
    .argument('<suite>', 'suite YAML file')
    .requiredOption('--shards <n>', 'number of array tasks (shards)', wholeNumberFlag('--shards', 1, 10_000))
    .requiredOption('--db <file>', 'the merged database; shard databases (FILE.shard-I-of-N.duckdb), scripts and logs go beside it')
    .option('--sbatch-args <words>', 'extra sbatch options for both jobs, as shell words ("--partition gpu --time 4:00:00")')
    .option('--submit', 'submit the jobs (sbatch --parsable)')
    .option('--wait', 'with --submit: follow the jobs, then exit with the merge job\'s status')
    .option('--poll <seconds>', 'how often --wait asks squeue', wholeNumberFlag('--poll', 1), 5)
    .action(async (suiteFile: string, opts: SlurmOptions) => {
      if (opts.wait && !opts.submit) throw new CliError('--wait follows submitted jobs: add --submit');
      const { loadSuite } = await import('../../harness/suite/load.js');
      loadSuite(suiteFile); // a broken suite fails here, not in N queued jobs
      const out = path.resolve(opts.db);
      if (opts.submit && existsSync(out)) throw new CliError(`${opts.db} exists: the shards were merged into it before; remove it or name another --db to run again`);
      const files = slurmRunFiles({
        suite: path.resolve(suiteFile),
        out,
        shards: opts.shards,
        // The node and CLI that run this command run the jobs: no global install needed on the nodes.
        logbench: [process.execPath, path.resolve(process.argv[1]!)],
        ...(opts.sbatchArgs !== undefined && { sbatchArgs: opts.sbatchArgs }),
      });
      assertSafeOutputs([...files.contents.keys()], { db: out, inputs: [suiteFile] });
      mkdirSync(path.dirname(out), { recursive: true });
      for (const [file, text] of files.contents) {
        writeFileAtomic(file, text);
        chmodSync(file, 0o755);
      }
      // Relative where that is shorter (inside the working folder), else as given.
      const shown = (file: string) => {
        const relative = path.relative(process.cwd(), file);
        return relative && !relative.startsWith('..') ? relative : file;
      };
      process.stdout.write(`wrote ${[...files.contents.keys()].map(shown).join(', ')}\n`);
      if (!opts.submit) {
        process.stdout.write(`submit with: sh ${shown(files.submitScript)}\n`);
        return;
      }
      const { arrayId, mergeId } = await submit(files.submitScript);
      process.stdout.write(`submitted shard array ${arrayId} (${opts.shards} tasks, logs ${shown(files.shardLog)}) and merge job ${mergeId} (after all of ${arrayId}, log ${shown(files.mergeLog)})\n`);
      if (!opts.wait) return;

      const { followSlurmRun } = await import('../../harness/scale/slurmQueue.js');
      const outcome = await followSlurmRun({ arrayId, mergeId, shards: opts.shards, pollMs: opts.poll * 1000, onProgress: (line) => process.stderr.write(`${line}\n`) });
      if (outcome.kind === 'shards-failed') {
        const logs = outcome.failed.map((i) => shown(files.shardLogOf(i))).join(', ');
        throw new CliError(`shard task(s) ${outcome.failed.join(', ')} of array ${arrayId} failed (${logs}); merge job ${mergeId} was cancelled. Fix the cause and rerun this command: completed shards are reported, not queried again`, 1);
      }
      if (outcome.exitCode !== 0) throw new CliError(`merge job ${mergeId} ended ${outcome.state} (exit ${outcome.exitCode}); see ${shown(files.mergeLog)}`, outcome.exitCode);
      process.stdout.write(`merged ${opts.shards} shards into ${shown(out)}\n`);
    });
}
