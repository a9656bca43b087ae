// Runs a composite action's steps the way the GitHub Actions runner does, for the action tests: each
// `run:` step's script in `bash --noprofile --norc -eo pipefail` (the runner's `shell: bash`), with
// the step's env, a fresh $GITHUB_OUTPUT, and `${{ }}` expressions evaluated by GitHub's own
// expression library (@actions/expressions). A `uses:` step runs what the test gives for that action
// (the runner would download it); steps are skipped by their `if:` as the runner skips them.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { parse } from 'yaml';
import { z } from 'zod';

const Step = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  shell: z.string().optional(),
  run: z.string().optional(),
  uses: z.string().optional(),
  with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  'working-directory': z.string().optional(),
});

const Action = z.object({
  inputs: z.record(z.string(), z.object({ default: z.string().optional(), required: z.boolean().optional() })),
  outputs: z.record(z.string(), z.object({ value: z.string() })),
  runs: z.object({ using: z.literal('composite'), steps: z.array(Step).min(1) }),
});

export interface StepResult {
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface ActionRun {
  steps: StepResult[];
  outputs: Record<string, string>;
  /** Whether the action's step fails in the calling job (any of its steps failed). */
  failed: boolean;
  /** The exit code of the step that failed last (what the job log shows), 0 when none failed. */
  exitCode: number;
  /** Everything the steps printed, in order: what the job log would show (before GitHub's masking). */
  log: string;
}

export interface ActionRunOptions {
  inputs: Record<string, string>;
  /** The runner's variables for the job: GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_PATH, … */
  env: Record<string, string>;
  /** `github.token` of the job, the default of a `${{ github.token }}` input. */
  githubToken: string;
  /** The action's checkout (GITHUB_ACTION_PATH); the job's working directory is `workspace`. */
  actionPath: string;
  workspace: string;
  /** What each `uses:` action does here, given its `with:`: its outputs. */
  uses: Record<string, (withInputs: Record<string, string>) => Record<string, string>>;
}

type Value = string | boolean | Record<string, unknown>;

function toData(value: unknown): data.ExpressionData {
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (value && typeof value === 'object') return new data.Dictionary(...Object.entries(value).map(([key, v]) => ({ key, value: toData(v) })));
  return new data.Null();
}

/** Evaluates one expression (without its `${{ }}`) against the contexts. */
function evaluate(expression: string, contexts: Record<string, Value>, failed: boolean): data.ExpressionData {
  const status = [
    { name: 'always', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) },
    { name: 'success', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(!failed) },
    { name: 'failure', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(failed) },
    { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(false) },
  ];
  const { tokens } = new Lexer(expression).lex();
  const parsed = new Parser(tokens, Object.keys(contexts), status).parse();
  return new Evaluator(parsed, toData(contexts) as data.Dictionary, new Map(status.map((f) => [f.name, f]))).evaluate();
}

/** `${{ … }}` spans of a string replaced by their values. */
function interpolate(text: string, contexts: Record<string, Value>, failed: boolean): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, expression: string) => evaluate(expression, contexts, failed).coerceString());
}

/** $GITHUB_OUTPUT's `name=value` and `name<<DELIMITER` … `DELIMITER` forms. */
function readOutputs(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const outputs: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] as string, i + 1);
      outputs[heredoc[1] as string] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

function runBash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function runCompositeAction(file: string, options: ActionRunOptions): Promise<ActionRun> {
  const action = Action.parse(parse(readFileSync(file, 'utf8')));
  const temp = mkdtempSync(path.join(os.tmpdir(), 'logbench-runner-'));
  const github = { token: options.githubToken, action_path: options.actionPath, workspace: options.workspace };
  const runner = { temp, os: 'Linux' };
  const base = { github, runner, inputs: {} as Record<string, string>, steps: {} as Record<string, Record<string, unknown>> };
  for (const [name, input] of Object.entries(action.inputs)) {
    const given = options.inputs[name];
    if (given === undefined && input.required) throw new Error(`${file}: input ${name} is required`);
    base.inputs[name] = given ?? interpolate(input.default ?? '', { github, runner }, false);
  }
  const results: StepResult[] = [];
  let failed = false;
  let exitCode = 0;
  for (const [index, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${index + 1}`;
    const condition = typeof step.if === 'boolean' ? String(step.if) : (step.if ?? 'success()').replace(/^\s*\$\{\{(.*)\}\}\s*$/s, '$1');
    if (!truthy(evaluate(condition, base, failed))) {
      results.push({ name, outcome: 'skipped', exitCode: null, stdout: '', stderr: '' });
      if (step.id) base.steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, interpolate(String(value), base, failed)]));
    let outputs: Record<string, string>;
    let result: StepResult;
    if (step.uses !== undefined) {
      const use = options.uses[step.uses];
      if (!use) throw new Error(`${file}: step "${name}" uses ${step.uses}, which this test does not provide`);
      outputs = use(Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, interpolate(String(value), base, failed)])));
      result = { name, outcome: 'success', exitCode: 0, stdout: '', stderr: '' };
    } else {
      if (step.shell !== 'bash') throw new Error(`${file}: step "${name}" must say shell: bash (a composite run step has no default shell)`);
      const outputFile = path.join(temp, `output-${index}`);
      writeFileSync(outputFile, '');
      const env = {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? os.homedir(),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: options.workspace,
        GITHUB_ACTION_PATH: options.actionPath,
        RUNNER_TEMP: temp,
        GITHUB_OUTPUT: outputFile,
        ...options.env,
        ...stepEnv,
      };
      const cwd = step['working-directory'] ? interpolate(step['working-directory'], base, failed) : options.workspace;
      const ran = await runBash(interpolate(step.run ?? '', base, failed), env, cwd);
      outputs = readOutputs(outputFile);
      result = { name, outcome: ran.code === 0 ? 'success' : 'failure', exitCode: ran.code, stdout: ran.stdout, stderr: ran.stderr };
    }
    results.push(result);
    if (step.id) base.steps[step.id] = { outputs, outcome: result.outcome, conclusion: result.outcome };
    if (result.outcome === 'failure') {
      failed = true;
      exitCode = result.exitCode ?? 1;
    }
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, interpolate(output.value, base, failed)]));
  const log = results.map((r) => `## ${r.name} (${r.outcome}${r.exitCode === null ? '' : `, exit ${r.exitCode}`})\n${r.stdout}${r.stderr}`).join('\n');
  return { steps: results, outputs, failed, exitCode, log };
}
