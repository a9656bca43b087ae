import { describe, expect, it } from 'vitest';
import { outcomeOf, parseQueue, progressLine } from './slurmQueue.js';

describe('parseQueue / progressLine / outcomeOf', () => {
  it('reads squeue -r lines: one per task, the merge job by id', () => {
    const snapshot = parseQueue('17_0|COMPLETED|None\n17_1|RUNNING|None\n17_2|PENDING|Resources\n17_3|PENDING|Resources\n18|PENDING|Dependency\n', '17', '18');
    expect(progressLine(snapshot, 4)).toBe('shards: 1 completed, 1 running, 2 pending · merge: pending (Dependency)');
    expect(outcomeOf(snapshot)).toBeUndefined();
  });

  it('expands a pending remainder listed as one line (17_[2-4,6%2]), and tasks not listed yet count as submitted', () => {
    const snapshot = parseQueue('17_[2-4,6%2]|PENDING|JobArrayTaskLimit\n', '17', '18');
    expect([...snapshot.tasks.keys()]).toEqual([2, 3, 4, 6]);
    expect(progressLine(snapshot, 8)).toBe('shards: 4 submitted, 4 pending · merge: submitted');
  });

  it('ends with the merge job: 0 when it completed, its exit code from sacct otherwise', () => {
    expect(outcomeOf(parseQueue('18|COMPLETED|0:0', '17', '18'))).toEqual({ kind: 'merged', state: 'COMPLETED', exitCode: 0 });
    expect(outcomeOf(parseQueue('18|FAILED|3:0', '17', '18'))).toEqual({ kind: 'merged', state: 'FAILED', exitCode: 3 });
    expect(outcomeOf(parseQueue('18|CANCELLED by 0|0:15', '17', '18'))).toEqual({ kind: 'merged', state: 'CANCELLED', exitCode: 1 });
  });

  it('names the failed shards when the cluster cancelled the merge job for them (kill_invalid_depend)', () => {
    const snapshot = parseQueue('17_0|COMPLETED|0:0\n17_1|FAILED|1:0\n18|CANCELLED|0:0\n', '17', '18');
    expect(outcomeOf(snapshot)).toEqual({ kind: 'shards-failed', failed: [1] });
  });

  it('names the failed shards when the merge can never start', () => {
    const snapshot = parseQueue('17_0|COMPLETED|None\n17_1|FAILED|NonZeroExitCode\n17_2|COMPLETED|None\n17_3|TIMEOUT|TimeLimit\n18|PENDING|DependencyNeverSatisfied\n', '17', '18');
    expect(outcomeOf(snapshot)).toEqual({ kind: 'shards-failed', failed: [1, 3] });
  });
});
