import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarnessCases } from '../../bench/harnessCases.js';
import { REPO, runCli } from '../support/cli.js';
import { logAnalysisAnswer, startLoopbackOpenAI, type LoopbackOpenAI } from '../support/loopback-openai.js';
import { writeOpenAISuite } from '../support/run-fixtures.js';

const CASES = 40;
const references = makeHarnessCases(CASES).map((c) => c.reference);

/**
 * Four "models" behind one loopback server: `base` knows the answer to every even case, `better` to
 * all, `worse` to none (well-formed JSON, wrong content), `nudged` is `base` with case 0 wrong: a
 * one-sample drop.
 */
const WRONG_ANSWER = JSON.stringify({ risk_score: 0, should_alert_user: false, messages: { critical: [], warning: [] }, summary: ['all quiet'] });

function answerOf(prompt: string, model: string): string {
  const index = Number(/# case-(\d+)/.exec(prompt)?.[1]);
  const known = model === 'better' || (index % 2 === 0 && (model === 'base' || (model === 'nudged' && index !== 0)));
  if (model === 'worse') return WRONG_ANSWER;
  return known ? (references[index] as string) : logAnalysisAnswer(prompt);
}

const servers: LoopbackOpenAI[] = [];
const dirs: string[] = [];
let db: string;
/** Run id per model id, of the main suite run. */
const runs = new Map<string, string>();
/** Run ids of `better` on a different prompt, decoding and split, and against a broken endpoint. */
const variant = new Map<string, string>();

function runIdsIn(stdout: string): Map<string, string> {
  return new Map([...stdout.matchAll(/^ {2}(\S+): run (\S+),/gm)].map((m) => [m[1] as string, m[2] as string]));
}

async function runSuiteInto(suite: string, extra: string[] = [], exitCode = 0): Promise<Map<string, string>> {
  const result = await runCli(['run', suite, '--db', db, ...extra]);
  expect(result.code, result.stderr).toBe(exitCode);
  return runIdsIn(result.stdout);
}

function suiteDir(url: string, edit: (dir: string, suite: string) => void = () => undefined, options: { cases?: number; metrics?: string } = {}): string {
  const written = writeOpenAISuite({ url, cases: options.cases ?? CASES, models: ['better'], maxRetries: 0, ...(options.metrics && { metrics: options.metrics }) });
  dirs.push(written.dir);
  edit(written.dir, written.suite);
  return written.suite;
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-gate-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

beforeAll(async () => {
  const loopback = await startLoopbackOpenAI({ answer: (prompt, request) => answerOf(prompt, request.model) });
  const broken = await startLoopbackOpenAI({ faults: [{ fault: { kind: 'status', status: 500 } }] });
  servers.push(loopback, broken);
  const main = writeOpenAISuite({ url: loopback.url, cases: CASES, models: ['base', 'better', 'worse', 'nudged'] });
  dirs.push(main.dir);
  db = main.db;

  const rewrite = (file: string, from: string, to: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
  const prompt = suiteDir(loopback.url, (dir) => writeFileSync(path.join(dir, 'prompt.txt'), 'Analyse these logs as JSON.\n\n{{input}}'));
  const decoding = suiteDir(loopback.url, (_dir, suite) => rewrite(suite, 'temperature: 0.3', 'temperature: 0.7'));
  const split = suiteDir(loopback.url, undefined, { cases: CASES - 10 });
  // Text metrics only: with no answer at all, the json-analysis intervals are NaN and `logbench run` stops there.
  const down = suiteDir(broken.url, undefined, { metrics: '[fuzzy, bleu, rouge]' });
  // The run against the broken server is stored, but `logbench run` exits 4: every sample failed.
  for (const [name, suite] of Object.entries({ prompt, decoding, split, down })) variant.set(name, (await runSuiteInto(suite, [], name === 'down' ? 4 : 0)).get('better') as string);
  // Run last, so `latest:loopback/better` is this suite's `better`.
  for (const [model, id] of await runSuiteInto(main.suite)) runs.set(model, id);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function gate(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(['gate', '--db', db, ...args], { env: { GITHUB_STEP_SUMMARY: '', ...env } });
}

describe('logbench gate', () => {
  it('passes an improved candidate (exit 0): no tested metric got significantly worse', async () => {
    const result = await gate(['--candidate', 'latest:loopback/better', '--baseline', runs.get('base') as string]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^fuzzy\s+1\s+0\.\d+\s+\+0\.\d+ ▲\s+<0\.001\s+drop ≤ 0 \(α 0\.05\)\s+pass$/m);
    expect(result.stdout).toMatch(/\ngate: pass \(\d+ metrics\)\n$/);
  });

  it('fails a regressed candidate (exit 1) with a readable Markdown summary', async () => {
    const summary = path.join(mkdtempSync(path.join(os.tmpdir(), 'logbench-gate-')), 'out', 'gate.md');
    dirs.push(path.dirname(path.dirname(summary)));
    const result = await gate(['--candidate', runs.get('worse') as string, '--baseline', runs.get('base') as string, '--summary', summary]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^logbench gate: regression in .*fuzzy/);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toMatch(/^### ❌ logbench gate: regression in .*fuzzy/);
    expect(markdown).toContain(`candidate \`${runs.get('worse')} (loopback/worse)\` · baseline \`${runs.get('base')} (loopback/base)\` · ${CASES} paired samples`);
    expect(markdown).toContain('| metric | candidate | baseline | Δ | 95 % interval | p | test | rule | verdict |');
    expect(markdown).toMatch(/^\| fuzzy \| 0\.\d+ \| 0\.\d+ \| -0\.\d+ ▼ \| \[-0\.\d+, -0\.\d+\] \| <0\.001 \| paired-bootstrap-two-sided \| drop ≤ 0 \(α 0\.05\) \| regression: drop 0\.\d+ > 0 \(p <0\.001\) \|$/m);
    expect(markdown).toMatch(/^\| error_rate \| 0 \| 0 \| 0 \| \[0, 0\] \| 1 \| paired-bootstrap-two-sided \| rise ≤ 0 \(α 0\.05\) \| pass \|$/m);
  });

  it('with significant_at, lets a one-sample drop pass that a strict gate fails', async () => {
    const rules = 'metrics:\n  fuzzy: { max_drop: 0 }\n  rougeL: { max_drop: 0 }\n';
    const args = ['--candidate', runs.get('nudged') as string, '--baseline', runs.get('base') as string, '--thresholds'];
    const lenient = await gate([...args, tempFile('lenient.yaml', `significant_at: 0.05\n${rules}`)]);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(/^fuzzy .* pass: drop \S+ > 0, not significant \(p \S+ ≥ 0\.05\)$/m);
    const strict = await gate([...args, tempFile('strict.yaml', rules)]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('logbench gate: regression in fuzzy, rougeL\n');
  });

  it.each([
    ['prompt', /prompt hash differs \(candidate [0-9a-f]{11}…, baseline [0-9a-f]{11}…\)/],
    ['decoding', /decoding differs \(candidate vs baseline\): temperature 0\.7 vs 0\.3$/m],
    ['split', /split hash differs \(candidate [0-9a-f]{11}…, baseline [0-9a-f]{11}…\)/],
  ])('refuses a candidate with a different %s (exit 2), naming it, in the summary too', async (what, reason) => {
    const summary = tempFile('gate.md', '');
    const result = await gate(['--candidate', variant.get(what) as string, '--baseline', runs.get('better') as string, '--summary', summary]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr.split('\n')).toHaveLength(2); // one line
    expect(readFileSync(summary, 'utf8')).toMatch(/^### ⚠️ logbench gate: runs not comparable \(exit 2\)/);
    expect(readFileSync(summary, 'utf8')).toMatch(reason);
  });

  it('exits 3 for a missing run, naming it', async () => {
    const byId = await gate(['--candidate', 'no-such-run', '--baseline', runs.get('base') as string]);
    expect(byId.code).toBe(3);
    expect(byId.stderr).toMatch(/^logbench gate: candidate: no run no-such-run in \S+runs\.duckdb/);
    const byLatest = await gate(['--candidate', runs.get('better') as string, '--baseline', 'latest:loopback/gpt-9']);
    expect(byLatest.code).toBe(3);
    expect(byLatest.stderr).toMatch(/^logbench gate: baseline: no completed run of suite loopback, model gpt-9 over the whole split in \S+runs\.duckdb \(latest-partial: also takes --limit \/ --shard runs\)/);
  });

  it('exits 3 for a candidate whose endpoint failed every request (error_rate above the suite limit)', async () => {
    const result = await gate(['--candidate', variant.get('down') as string, '--baseline', runs.get('base') as string]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/error_rate 1 is above its suite's max_error_rate 0\.5|is failed, not completed/);
  });

  it('exits 3 for thresholds errors, naming the file and the field', async () => {
    const bad = tempFile('bad.yaml', 'metrics:\n  fuzzy: { max_drop: -1 }\n');
    const invalid = await gate(['--candidate', runs.get('better') as string, '--thresholds', bad]);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toBe(`logbench gate: ${bad}:2:22: metrics.fuzzy.max_drop: Too small: expected number to be >=0\n`);
    const unknown = tempFile('unknown.yaml', 'metrics:\n  accuracy: { min: 0.9 }\n');
    const misnamed = await gate(['--candidate', runs.get('better') as string, '--thresholds', unknown]);
    expect(misnamed.code).toBe(3);
    expect(misnamed.stderr).toMatch(new RegExp(`^logbench gate: ${unknown}: metrics\\.accuracy: the candidate run has no metric accuracy \\(it has .*fuzzy`));
    const neither = await gate(['--candidate', runs.get('better') as string]);
    expect(neither.code).toBe(3);
    expect(neither.stderr).toBe('logbench gate: give --baseline RUN, --thresholds FILE.yaml, or both\n');
  });

  it('takes the baseline from the thresholds file and appends the verdict to $GITHUB_STEP_SUMMARY', async () => {
    const jobSummary = tempFile('step-summary.md', '## earlier step\n\n');
    const summary = tempFile('gate.md', '');
    const thresholds = tempFile('gate.yaml', `baseline: ${runs.get('base')}\nmetrics:\n  fuzzy: { min: 0.9, max_drop: 0 }\n  error_rate: { max: 0 }\n`);
    const result = await gate(['--candidate', 'latest:loopback/better', '--thresholds', thresholds, '--summary', summary], { GITHUB_STEP_SUMMARY: jobSummary });
    expect(result.code, result.stderr).toBe(0);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toMatch(/^### ✅ logbench gate: pass \(2 metrics\)/);
    expect(markdown).toMatch(/^\| fuzzy \| 1 \| 0\.\d+ \| \+0\.\d+ ▲ \| \[\+0\.\d+, \+0\.\d+\] \| <0\.001 \| paired-bootstrap-two-sided \| ≥ 0\.9; drop ≤ 0 \| pass \|$/m);
    expect(readFileSync(jobSummary, 'utf8')).toBe(`## earlier step\n\n${markdown}\n`);
  });
});

describe('logbench compare', () => {
  it('prints A − B per metric with interval, p-value and test, as JSON', async () => {
    const result = await runCli(['compare', runs.get('better') as string, runs.get('base') as string, '--db', db, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { a: { id: string; model: string }; b: { model: string }; samples: number; metrics: Record<string, unknown>[] };
    expect([json.a.id, json.a.model, json.b.model, json.samples]).toEqual([runs.get('better'), 'better', 'base', CASES]);
    const fuzzy = json.metrics.find((m) => m['name'] === 'fuzzy');
    expect(fuzzy).toMatchObject({ a: 1, method: 'paired-bootstrap-two-sided' });
    expect(fuzzy?.['delta']).toBeCloseTo((fuzzy?.['a'] as number) - (fuzzy?.['b'] as number), 12);
    expect(fuzzy?.['ciLow'] as number).toBeGreaterThan(0);
    // Issue #13: line-set F1 has a resampling form now (summed TP / predicted / reference counts), so it is tested like the rest.
    expect(json.metrics.find((m) => m['name'] === 'critical_f1')).toMatchObject({ method: 'paired-bootstrap-two-sided', pValue: expect.any(Number) });
  });

  it('marks direction in the terminal table and refuses non-comparable runs with exit 2', async () => {
    const table = await runCli(['compare', runs.get('worse') as string, runs.get('base') as string, '--db', db]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^fuzzy\s+0\.\d+\s+0\.\d+\s+-0\.\d+ ▼\s+\[-0\.\d+, -0\.\d+\]\s+<0\.001\s+paired-bootstrap-two-sided$/m);
    expect(table.stdout).toMatch(/^risk_mae\s+[\d.]+\s+[\d.]+\s+\+[\d.]+ ▼\s/m); // lower is better: a rise is worse
    const refused = await runCli(['compare', variant.get('split') as string, runs.get('base') as string, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^logbench compare: runs \S+ and \S+ are not comparable: split hash differs/);
  });
});

describe('every metric in every view (issue #13)', () => {
  type Compared = { metrics: { name: string; pValue: number | null; untested: string | null }[]; cost: { name: string; a: number | null; b: number | null; note: string | null }[] };
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('gate without a thresholds file lists every metric of both runs, says why the untested ones are not gated, and shows the cost', async () => {
    const [worse, base] = [runs.get('worse') as string, runs.get('base') as string];
    const result = await gate(['--candidate', worse, '--baseline', base]);
    expect(result.code).toBe(1);
    const compared = JSON.parse((await runCli(['compare', worse, base, '--db', db, '--json'])).stdout) as Compared;
    expect(compared.metrics.length).toBeGreaterThan(10);
    for (const metric of compared.metrics) {
      const verdict = metric.pValue === null ? `not gated: untested: ${escape(metric.untested as string)}` : '(pass|regression)';
      expect(result.stdout).toMatch(new RegExp(`^${metric.name} .* ${verdict}`, 'm'));
    }
    // The cost table follows the metrics: times are measured per batch; no GPU is visible here.
    expect(result.stdout).toMatch(/^cost \(not gated\)\s+candidate\s+baseline\s+Δ\s+ratio\s+note$/m);
    expect(result.stdout).toMatch(/^wall_s\s+[\d.e-]+\s+[\d.e-]+\s+\S+( [▲▼])?\s+×[\d.e-]+$/m);
    const energy = compared.cost.find((figure) => figure.name === 'energy_j');
    expect(energy).toMatchObject({ a: null, b: null });
    expect(result.stdout).toMatch(new RegExp(`^energy_j\\s+—\\s+—\\s+—\\s+—\\s+${escape(energy?.note as string)}$`, 'm'));
    expect(result.stdout).toMatch(/\ngate: regression in .*\n$/);
  });

  it('lists a metric without a paired test that fell, and gates the rest (the default suite: macro_f1)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-gate-'));
    dirs.push(dir);
    const defaultDb = path.join(dir, 'default.duckdb');
    const ran = await runCli(['run', path.join(REPO, 'suites/default.yaml'), '--db', defaultDb, '--no-report']);
    expect(ran.code, ran.stderr).toBe(0);
    const summary = path.join(dir, 'gate.md');
    const result = await runCli(['gate', '--db', defaultDb, '--candidate', 'latest:default/logllm-tiny', '--baseline', 'latest:default/rules', '--summary', summary], { env: { GITHUB_STEP_SUMMARY: '' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^macro_f1\s+0\.\d+\s+1\s+-0\.\d+ ▼\s+—\s+—\s+not gated: untested: no per-sample form in its registry definition, so no paired test$/m);
    expect(result.stdout).toMatch(/^accuracy\s+.*drop ≤ 0 \(α 0\.05\)\s+regression: /m);
    expect(result.stdout).toMatch(/ · 2 more metrics listed, not gated\n/);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toMatch(/^\| macro_f1 \| 0\.\d+ \| 1 \| -0\.\d+ ▼ \| — \| — \| stored values \| — \| not gated: untested: no per-sample form in its registry definition, so no paired test \|$/m);
    expect(markdown).toContain('| cost (not gated) | candidate | baseline | Δ | ratio | note |');
    expect(markdown).toMatch(/^\| cpu_s \| [\d.e-]+ \| [\d.e-]+ \| \S+( [▲▼])? \| ×[\d.e-]+ \|  \|$/m);
  });

  it('lists a metric only one run’s suite has as not gated, "no value in" the other run, whichever run lacks it', async () => {
    // A model scored without fuzzy, bleu and rouge, on the main suite's split, prompt and decoding.
    const written = writeOpenAISuite({ url: servers[0]?.url as string, cases: CASES, models: ['lean'], metrics: '[json-analysis]' });
    dirs.push(written.dir);
    writeFileSync(written.suite, readFileSync(written.suite, 'utf8').replace('name: loopback', 'name: lean'));
    const lean = (await runSuiteInto(written.suite)).get('lean') as string;
    const base = runs.get('base') as string;
    for (const [candidate, baseline, missing] of [
      [lean, base, 'A'],
      [base, lean, 'B'],
    ] as const) {
      const result = await gate(['--candidate', candidate, '--baseline', baseline]);
      expect(result.stdout).toMatch(new RegExp(`^fuzzy\\s+${missing === 'A' ? '—\\s+[\\d.]+' : '[\\d.]+\\s+—'}\\s+—\\s+—\\s+—\\s+not gated: untested: no value in ${missing}$`, 'm'));
      const compared = JSON.parse((await runCli(['compare', candidate, baseline, '--db', db, '--json'])).stdout) as Compared;
      expect(compared.metrics.find((metric) => metric.name === 'fuzzy')).toMatchObject({ pValue: null, untested: `no value in ${missing}` });
    }
  });

  it('a thresholds file gates what it names and lists the rest as not in it', async () => {
    const thresholds = tempFile('only-fuzzy.yaml', 'metrics:\n  fuzzy: { max_drop: 0 }\n');
    const result = await gate(['--candidate', 'latest:loopback/better', '--baseline', runs.get('base') as string, '--thresholds', thresholds]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\ngate: pass \(1 metrics\)\n$/);
    expect(result.stdout).toMatch(new RegExp(`^rougeL\\s+1\\s+0\\.\\d+\\s+\\+0\\.\\d+ ▲\\s+\\S+\\s+—\\s+not gated: not in ${escape(thresholds)}$`, 'm'));
  });

  it('runs tells two runs of one model apart: variant, provider, endpoint and samples, in text and JSON', async () => {
    const text = await runCli(['runs', '--db', db]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^run\s+suite\/model\s+variant\s+provider\s+endpoint\s+samples\s+status\s+started\s+split$/);
    const json = await runCli(['runs', '--db', db, '--json']);
    type Listed = { id: string; modelId: string; variant: string | null; provider: string; endpoint: string | null; samples: number; failed: number; status: string; suite?: unknown };
    const listed = (JSON.parse(json.stdout) as Listed[]).filter((run) => run.modelId === 'better');
    expect(listed.map((run) => run.id).sort()).toEqual([...variant.values(), runs.get('better')].sort());
    const byId = new Map(listed.map((run) => [run.id, run]));
    // The split variant predicted fewer samples; the broken endpoint's run failed every one.
    expect(byId.get(variant.get('split') as string)).toMatchObject({ samples: CASES - 10, failed: 0, provider: 'openai' });
    expect(byId.get(variant.get('down') as string)).toMatchObject({ samples: CASES, failed: CASES, endpoint: servers[1]?.url });
    expect(byId.get(runs.get('better') as string)).toMatchObject({ samples: CASES, failed: 0, variant: null, endpoint: servers[0]?.url });
    expect(listed.every((run) => run.suite === undefined)).toBe(true);
    const row = (id: string) => text.stdout.split('\n').find((line) => line.startsWith(id)) ?? '';
    expect(row(variant.get('split') as string)).toMatch(new RegExp(`loopback/better\\s+—\\s+openai\\s+${escape(servers[0]?.url as string)}\\s+${CASES - 10}\\s+completed`));
    expect(row(variant.get('down') as string)).toMatch(new RegExp(`${escape(servers[1]?.url as string)}\\s+${CASES} \\(${CASES} failed\\)\\s+\\S+`));
  });
});
