// actionlint is neither a Debian package nor installed here, so the model-gate workflow is checked
// against the structure of GitHub's workflow schema (the parts it uses), then for references that
// only resolve at run time: inputs, step outputs, and the logbench commands and flags it calls.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO, runCli } from '../support/cli.js';
import { expressions, logbenchCalls } from '../support/workflow.js';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Expression = z.union([z.string(), z.boolean()]);
const Permissions = z.union([z.enum(['read-all', 'write-all']), z.record(z.string(), z.enum(['read', 'write', 'none']))]);

const Step = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z_][\w-]*$/).optional(),
    name: z.string().optional(),
    if: Expression.optional(),
    uses: z.string().regex(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@v\d+$/, 'an action pinned to a major version, owner/repo@vN').optional(),
    run: z.string().min(1).optional(),
    shell: z.string().optional(),
    with: z.record(z.string(), Scalar).optional(),
    env: z.record(z.string(), Scalar).optional(),
    'working-directory': z.string().optional(),
    'continue-on-error': Expression.optional(),
    'timeout-minutes': z.number().optional(),
  })
  .refine((step) => (step.uses === undefined) !== (step.run === undefined), { message: 'a step has exactly one of uses and run' })
  .refine((step) => step.run !== undefined || step.shell === undefined, { message: 'shell applies to run steps only' });

const Job = z.strictObject({
  name: z.string().optional(),
  'runs-on': z.union([z.string(), z.array(z.string()).min(1)]),
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: Expression.optional(),
  permissions: Permissions.optional(),
  env: z.record(z.string(), Scalar).optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  'timeout-minutes': z.number().positive().optional(),
  steps: z.array(Step).min(1),
});

const DispatchInput = z
  .strictObject({
    description: z.string().optional(),
    type: z.enum(['string', 'boolean', 'choice', 'number', 'environment']),
    required: z.boolean().optional(),
    default: Scalar.optional(),
    options: z.array(z.string()).optional(),
  })
  .refine((input) => input.type !== 'boolean' || input.default === undefined || typeof input.default === 'boolean', { message: 'a boolean input has a boolean default' });

const Filters = z.strictObject({
  branches: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  paths: z.array(z.string()).optional(),
  'paths-ignore': z.array(z.string()).optional(),
});

const Workflow = z.strictObject({
  name: z.string().optional(),
  on: z.strictObject({
    workflow_dispatch: z.strictObject({ inputs: z.record(z.string().regex(/^[A-Za-z_][\w-]*$/), DispatchInput).optional() }).nullable().optional(),
    push: Filters.nullable().optional(),
    pull_request: Filters.nullable().optional(),
  }),
  permissions: Permissions.optional(),
  env: z.record(z.string(), Scalar).optional(),
  jobs: z.record(z.string().regex(/^[A-Za-z_][\w-]*$/), Job),
});
type Workflow = z.infer<typeof Workflow>;

const file = path.join(REPO, '.github/workflows/model-gate.yml');
const workflow: Workflow = Workflow.parse(parse(readFileSync(file, 'utf8')));
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

describe('.github/workflows/model-gate.yml', () => {
  it('runs suites from the default branch only, with no token left in the checkout (a suite may read any file)', () => {
    expect(Object.keys(workflow.on)).not.toContain('pull_request');
    for (const job of Object.values(workflow.jobs)) {
      expect(job.if).toBe("${{ github.ref == format('refs/heads/{0}', github.event.repository.default_branch) }}");
      const checkouts = job.steps.filter((step) => step.uses?.startsWith('actions/checkout@'));
      expect(checkouts.length).toBeGreaterThan(0);
      for (const checkout of checkouts) expect(checkout.with).toMatchObject({ 'persist-credentials': false });
      for (const step of job.steps) expect(step.with?.['ref'], 'checks out what triggered the run, never a PR head').toBeUndefined();
    }
  });

  it('has the shape of a GitHub workflow: dispatch and push triggers, steps with exactly one of uses/run', () => {
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch', 'push']);
    expect(workflow.on.push?.paths).toEqual(['models/**']);
    expect(steps.map((step) => step.uses ?? 'run')).toContain('actions/download-artifact@v4');
    expect(steps.map((step) => step.uses ?? 'run')).toContain('actions/upload-artifact@v4');
  });

  it('installs with onnxruntime-node’s download skipped: Node 20’s npm 10 ignores package.json allowScripts', () => {
    const install = steps.find((step) => step.run?.startsWith('npm ci'));
    expect(install?.env).toEqual({ ONNXRUNTIME_NODE_INSTALL: 'skip' });
  });

  it('refers only to inputs it declares and to outputs of steps with that id', () => {
    const inputs = new Set(Object.keys(workflow.on.workflow_dispatch?.inputs ?? {}));
    const stepIds = new Set(steps.flatMap((step) => (step.id === undefined ? [] : [step.id])));
    const used = expressions(workflow);
    expect(used.length).toBeGreaterThan(5);
    for (const expression of used) {
      for (const [, name] of expression.matchAll(/inputs\.([\w-]+)/g)) expect(inputs, expression).toContain(name);
      for (const [, id] of expression.matchAll(/steps\.([\w-]+)\./g)) expect(stepIds, expression).toContain(id);
    }
  });

  it('calls logbench commands with flags the CLI has (or, for report, that docs/DESIGN.md §3 promises)', async () => {
    const calls = logbenchCalls(steps);
    expect(calls.map((c) => c.command)).toEqual(['run', 'runs', 'runs', 'export-run', 'import-run', 'gate', 'report']);
    const contract = readFileSync(path.join(REPO, 'docs/DESIGN.md'), 'utf8');
    const registered = new Set([...(await runCli(['--help'])).stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]));
    for (const { command, flags } of calls) {
      const documented = registered.has(command)
        ? (await runCli([command, '--help'])).stdout
        : (new RegExp(`^- \`logbench ${command} .*$`, 'm').exec(contract)?.[0] ?? '');
      expect(documented, `logbench ${command}`).not.toBe('');
      for (const flag of flags) expect(documented, `logbench ${command} ${flag}`).toContain(flag);
    }
  });
});
