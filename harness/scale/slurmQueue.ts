/**
 * Follows a submitted shard array and its merge job through `squeue` (while SLURM still lists them)
 * and `sacct` (after they aged out of the controller's memory, where accounting is enabled).
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** States after which a job never changes again (squeue/sacct long names; sacct adds "by UID" to CANCELLED). */
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'SPECIAL_EXIT', 'REVOKED']);

export interface JobState {
  state: string;
  /** squeue's reason (why pending), or sacct's exit code `code:signal`. */
  detail: string;
}

export interface QueueSnapshot {
  /** Array task index → state; tasks SLURM has not listed yet are absent. */
  tasks: Map<number, JobState>;
  merge?: JobState;
}

/** Parses `ID|STATE|DETAIL` lines of `squeue -r -o %i|%T|%r` or `sacct -P -o JobID,State,ExitCode`. */
export function parseQueue(text: string, arrayId: string, mergeId: string): QueueSnapshot {
  const snapshot: QueueSnapshot = { tasks: new Map() };
  for (const line of text.split('\n')) {
    const [id = '', rawState = '', detail = ''] = line.trim().split('|');
    const state = rawState.split(' ')[0]!;
    if (id === mergeId) snapshot.merge = { state, detail };
    else if (id.startsWith(`${arrayId}_`)) {
      // A pending remainder is listed as one line, `123_[2-5,7]` (squeue without -r, sacct).
      const spec = id.slice(arrayId.length + 1).replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
      for (const part of spec.split(',')) {
        const [from, to = from] = part.split('-').map(Number) as [number, number?];
        for (let i = from; i <= to!; i++) snapshot.tasks.set(i, { state, detail });
      }
    }
  }
  return snapshot;
}

/** One line for stderr: how many shards are in each state, and the merge job's. */
export function progressLine(snapshot: QueueSnapshot, shards: number): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < shards; i++) {
    const state = snapshot.tasks.get(i)?.state.toLowerCase() ?? 'submitted';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const merge = snapshot.merge ? `${snapshot.merge.state.toLowerCase()}${snapshot.merge.state === 'PENDING' && snapshot.merge.detail ? ` (${snapshot.merge.detail})` : ''}` : 'submitted';
  return `shards: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')} · merge: ${merge}`;
}

export type SlurmOutcome =
  /** The merge job finished: its state, and its exit code where SLURM said. */
  | { kind: 'merged'; state: string; exitCode: number }
  /** A shard failed, so the merge job can never start (afterok): the failed task indices. */
  | { kind: 'shards-failed'; failed: number[] };

export function outcomeOf(snapshot: QueueSnapshot): SlurmOutcome | undefined {
  const merge = snapshot.merge;
  const failed = [...snapshot.tasks].filter(([, t]) => FINAL.has(t.state) && t.state !== 'COMPLETED').map(([i]) => i).sort((a, b) => a - b);
  // A cluster with kill_invalid_depend cancels the merge job itself when a shard fails: name the shards, not "CANCELLED".
  if (merge?.state === 'CANCELLED' && failed.length) return { kind: 'shards-failed', failed };
  if (merge && FINAL.has(merge.state)) {
    const code = /^(\d+):/.exec(merge.detail);
    return { kind: 'merged', state: merge.state, exitCode: merge.state === 'COMPLETED' ? 0 : Number(code?.[1] ?? 1) || 1 };
  }
  if (merge?.state === 'PENDING' && merge.detail === 'DependencyNeverSatisfied') return { kind: 'shards-failed', failed };
  return undefined;
}

async function listed(command: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run(command, args)).stdout;
  } catch {
    return undefined; // not listed any more (squeue: "Invalid job id"), or accounting disabled (sacct)
  }
}

/** What SLURM says about the jobs now: squeue first, sacct for jobs squeue no longer lists. */
export async function querySlurm(arrayId: string, mergeId: string): Promise<QueueSnapshot> {
  const jobs = `${arrayId},${mergeId}`;
  const queue = parseQueue((await listed('squeue', ['-h', '-r', '--states=all', '-j', jobs, '-o', '%i|%T|%r'])) ?? '', arrayId, mergeId);
  if (queue.merge && !FINAL.has(queue.merge.state)) return queue;
  // The final exit code comes from sacct where accounting is on; squeue's word is kept otherwise.
  const accounting = parseQueue((await listed('sacct', ['-n', '-P', '-X', '-j', jobs, '-o', 'JobID,State,ExitCode'])) ?? '', arrayId, mergeId);
  if (accounting.merge) return { tasks: new Map([...queue.tasks, ...accounting.tasks]), merge: accounting.merge };
  if (!queue.merge) return queue;
  // Without accounting, the controller still holds the exit code for a while (MinJobAge).
  const exitCode = /\bExitCode=(\d+:\d+)/.exec((await listed('scontrol', ['show', 'job', '-o', mergeId])) ?? '')?.[1];
  return exitCode ? { ...queue, merge: { state: queue.merge.state, detail: exitCode } } : queue;
}

/**
 * Polls until the merge job has finished or can never start. `onProgress` hears each line that
 * differs from the last one. A pending merge job whose shards failed is cancelled, so a resubmission
 * does not leave it queued forever.
 */
export async function followSlurmRun(options: { arrayId: string; mergeId: string; shards: number; pollMs: number; onProgress(line: string): void }): Promise<SlurmOutcome> {
  let last = '';
  let unlisted = 0;
  for (;;) {
    const snapshot = await querySlurm(options.arrayId, options.mergeId);
    const line = progressLine(snapshot, options.shards);
    if (line !== last) options.onProgress((last = line));
    const outcome = outcomeOf(snapshot);
    if (outcome?.kind === 'shards-failed') await listed('scancel', [options.mergeId]);
    if (outcome) return outcome;
    if (snapshot.merge) unlisted = 0;
    // A busy controller may not answer one poll; a merge job missing from three in a row is gone.
    if (!snapshot.merge && ++unlisted >= 3) {
      throw new Error(`SLURM lists neither job ${options.mergeId} nor its accounting (squeue, sacct): cannot tell how the merge ended; see its log`);
    }
    await sleep(options.pollMs);
  }
}
