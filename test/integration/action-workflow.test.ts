// docs/workflows/pull-request-gate.yml, the workflow a team copies: what it must keep (suites from the
// protected branch, minimal permissions), and that it calls action.yml and logbench the way they are.
// @action-validator/cli checks its schema (action.test.ts); this checks what a schema cannot say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO, runCli } from '../support/cli.js';
import { expressions, logbenchCalls } from '../support/workflow.js';

const Step = z.looseObject({
  id: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
const Workflow = z.looseObject({
  on: z.record(z.string(), z.unknown()),
  permissions: z.record(z.string(), z.string()),
  jobs: z.record(z.string(), z.looseObject({ permissions: z.unknown().optional(), steps: z.array(Step) })),
});
const Action = z.looseObject({ inputs: z.record(z.string(), z.looseObject({ required: z.boolean().optional() })) });

const workflow = Workflow.parse(parse(readFileSync(path.join(REPO, 'docs/workflows/pull-request-gate.yml'), 'utf8')));
const action = Action.parse(parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8')));
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const checkouts = steps.filter((step) => step.uses?.startsWith('actions/checkout@'));

describe('docs/workflows/pull-request-gate.yml', () => {
  it('runs on pull requests with only contents: read and pull-requests: write (never pull_request_target)', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const job of Object.values(workflow.jobs)) expect(job.permissions, 'no job widens the permissions').toBeUndefined();
  });

  it('reads suites from the pull request’s base commit, takes only models/ from the pull request, and leaves no token in either checkout', () => {
    const [base, head, ...others] = checkouts;
    expect(others).toEqual([]);
    expect(base?.with).toEqual({ ref: '${{ github.event.pull_request.base.sha }}', 'persist-credentials': false });
    expect(head?.with).toEqual({ ref: '${{ github.event.pull_request.head.sha }}', path: 'pr', 'sparse-checkout': 'models', 'persist-credentials': false });
    // Every suite, thresholds file and run store is the base checkout's: nothing is read from pr/ but models.
    const runs = steps.map((step) => step.run ?? '').join('\n');
    expect(runs.match(/\bpr\b\S*/g)).toEqual(['pr/models', 'pr']);
    for (const call of logbenchCalls(steps).filter((c) => c.command === 'run')) expect(call.flags).toEqual(['--only', '--db']);
    expect(runs).toMatch(/npx logbench run suites\/default\.yaml --only logllm-tiny --db runs\/baseline\.duckdb\n[\s\S]*mv pr\/models models[\s\S]*npx logbench run suites\/default\.yaml/);
  });

  it('gives the action inputs it declares, every required one, and outputs of steps that exist', () => {
    const gate = steps.find((step) => step.uses?.endsWith('/logbench@v1'));
    const given = Object.keys(gate?.with ?? {});
    for (const name of given) expect(Object.keys(action.inputs), name).toContain(name);
    for (const [name, input] of Object.entries(action.inputs)) if (input.required) expect(given, name).toContain(name);
    const ids = new Set(steps.flatMap((step) => (step.id ? [step.id] : [])));
    for (const expression of expressions(workflow)) for (const [, id] of expression.matchAll(/steps\.([\w-]+)\./g)) expect(ids, expression).toContain(id);
  });

  it('gates and comments even after a failed run, telling the action that run’s outcome (no stale verdict left standing)', () => {
    const gate = steps.find((step) => step.uses?.endsWith('/logbench@v1'));
    expect(gate?.['if']).toBe('${{ always() }}');
    const runs = steps.find((step) => step.id === 'runs');
    expect(runs?.run).toContain('npx logbench run');
    expect(gate?.with?.['run-outcome']).toBe('${{ steps.runs.outcome }}');
    // The candidate run is the last step before the gate: a failure anywhere before it leaves steps.runs not 'success'.
    expect(steps.indexOf(runs as (typeof steps)[number])).toBe(steps.indexOf(gate as (typeof steps)[number]) - 1);
  });

  it('calls logbench commands with flags the CLI has', async () => {
    const calls = logbenchCalls(steps);
    expect(calls.map((c) => c.command)).toEqual(['run', 'run', 'export-run', 'import-run']);
    for (const { command, flags } of calls) {
      const help = (await runCli([command, '--help'])).stdout;
      for (const flag of flags) expect(help, `logbench ${command} ${flag}`).toContain(flag);
    }
  });
});
