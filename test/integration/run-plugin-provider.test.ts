import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';
import { queryDb } from '../support/run-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-plugin-provider-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLE_SUITE = path.join(REPO, 'examples/suites/plugin-provider.yaml');
const ECHO_MODULE = path.join(REPO, 'examples/providers/echo-provider.ts');
const inputs = new Map(
  readFileSync(path.join(REPO, 'datasets/data/alsate/live_logs_reference.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; input: string })
    .map(({ id, input }) => [id, input]),
);

/** The example suite under another name, with its echo model's entry replaced (paths made absolute). */
function suiteWith(name: string, echoEntry: string): string {
  const example = readFileSync(EXAMPLE_SUITE, 'utf8')
    .replace('name: plugin-provider', `name: ${name}`)
    .replaceAll('../../', `${REPO}/`);
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, example.slice(0, example.indexOf('  - id: echo\n')) + echoEntry);
  return file;
}

interface StoredAnswer {
  sample_id: string;
  output: string | null;
  error: string | null;
  cached: boolean;
  provider: string;
  run_id: string;
}

const answersOf = (db: string, suiteName: string) =>
  queryDb<StoredAnswer>(db, `SELECT p.sample_id, p.output, p.error, p.cached, r.provider, r.id AS run_id FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.suite_name = '${suiteName}' AND r.model_id = 'echo' ORDER BY p.sample_id`);

/** A provider module in the test folder (zod imported from this checkout, as the folder has none). */
function providerModule(file: string, name: string, runBatch: string, extra = ''): string {
  writeFileSync(
    path.join(dir, file),
    `import { z } from ${JSON.stringify(path.join(REPO, 'node_modules/zod/index.js'))};\n` +
      `export default { name: '${name}', spec: z.object({ model: z.string().optional(), api_key: z.string().optional() }).strict(), async create() { return { provider: '${name}', runBatch: ${runBatch} }; }, ${extra} };\n`,
  );
  return path.join(dir, file);
}
const pluginEntry = (module: string, fields = '') => `  - id: echo\n    provider:\n      module: ${module}\n${fields}`;
const SAMPLE_IDS = [...inputs.keys()];

describe('logbench run with a provider plugin (examples/providers/echo-provider.ts)', () => {
  const db = path.join(dir, 'runs.duckdb');

  it('runs the example suite: the module answers every sample, stored under its provider name', async () => {
    const run = await runCli(['run', EXAMPLE_SUITE, '--db', db, '--no-report']);
    expect(run.code, run.stderr).toBe(0);
    const answers = await answersOf(db, 'plugin-provider');
    expect(answers).toHaveLength(inputs.size);
    for (const answer of answers) {
      expect(answer).toMatchObject({ provider: 'echo', cached: false, output: `Cause - ${inputs.get(answer.sample_id)}` });
    }
  });

  it('caches by module path and fields: the same module and prefix answer from the cache, another prefix or module does not', async () => {
    const module = `    provider:\n      module: ${ECHO_MODULE}\n`;
    expect((await runCli(['run', suiteWith('same', `  - id: echo\n${module}    prefix: "Cause - "\n`), '--db', db, '--no-report'])).code).toBe(0);
    expect((await answersOf(db, 'same')).every((a) => a.cached)).toBe(true);

    expect((await runCli(['run', suiteWith('other-prefix', `  - id: echo\n${module}    prefix: "Line: "\n`), '--db', db, '--no-report'])).code).toBe(0);
    const otherPrefix = await answersOf(db, 'other-prefix');
    expect(otherPrefix.some((a) => a.cached)).toBe(false);
    expect(otherPrefix.map((a) => a.output)).toEqual(otherPrefix.map((a) => `Line: ${inputs.get(a.sample_id)}`));

    // Another module file exporting the same definition: its answers are its own.
    writeFileSync(path.join(dir, 'reexport.ts'), `export { default } from ${JSON.stringify(ECHO_MODULE)};\n`);
    expect((await runCli(['run', suiteWith('other-module', `  - id: echo\n    provider:\n      module: ./reexport.ts\n    prefix: "Cause - "\n`), '--db', db, '--no-report'])).code).toBe(0);
    expect((await answersOf(db, 'other-module')).some((a) => a.cached)).toBe(false);
  });

  it('refuses a module that exports no provider, and fields its spec does not declare, naming file:line:col', async () => {
    writeFileSync(path.join(dir, 'not-a-provider.ts'), 'export default { name: "echo2", create: () => null };\n');
    const notProvider = suiteWith('bad-module', `  - id: echo\n    provider:\n      module: ./not-a-provider.ts\n`);
    const refused = await runCli(['run', notProvider, '--db', path.join(dir, 'refused.duckdb'), '--no-report']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`${notProvider}:23:15: models[1].provider.module: ./not-a-provider.ts: its default (or \`provider\`) export is not a provider definition: spec: expected a zod object`);

    const misspelt = suiteWith('bad-field', `  - id: echo\n    provider:\n      module: ${ECHO_MODULE}\n    prefx: "Cause - "\n`);
    const unknownField = await runCli(['run', misspelt, '--db', path.join(dir, 'refused.duckdb'), '--no-report']);
    expect(unknownField.code).toBe(3);
    expect(unknownField.stderr).toContain(`${misspelt}:21:5: models[1]: Unrecognized key: "prefx"`);
  });

  it("matches a runner's answers to samples by sampleId: order does not matter, a missing answer is that sample's error, extras are ignored with one note", async () => {
    const own = "({ sample }) => ({ sampleId: sample.id, text: 'answer to ' + sample.id, latencyMs: 0 })";
    const cases = {
      reversed: `async (batch) => batch.slice().reverse().map(${own})`,
      fewer: `async (batch) => batch.slice(1).map(${own})`,
      twice: `async (batch) => [...batch.map(${own}), ...batch.map(({ sample }) => ({ sampleId: sample.id, text: 'second answer', latencyMs: 0 }))]`,
      unasked: `async (batch) => batch.map(({ sample }, i) => ({ sampleId: 'zzz' + i, text: 'answer to ' + sample.id, latencyMs: 0 }))`,
    };
    const unaskedNote = 'echo: the provider answered samples it was not asked for in this batch, or one sample twice';
    const outcomes: Record<string, { code: number | null; notes: number; answers: StoredAnswer[] }> = {};
    for (const [name, runBatch] of Object.entries(cases)) {
      const run = await runCli(['run', suiteWith(`order-${name}`, pluginEntry(providerModule(`${name}.ts`, name, runBatch))), '--db', db, '--only', 'echo', '--no-report']);
      outcomes[name] = { code: run.code, notes: run.stderr.split(unaskedNote).length - 1, answers: await answersOf(db, `order-${name}`) };
    }
    const [first, ...rest] = SAMPLE_IDS as [string, ...string[]];
    const answered = (ids: string[]) => ids.map((id) => ({ sample_id: id, output: `answer to ${id}`, error: null }));
    const noAnswer = (id: string) => ({ sample_id: id, output: null, error: `provider returned no answer for sample ${id}` });
    const stored = (name: string) => outcomes[name]?.answers.map(({ sample_id, output, error }) => ({ sample_id, output, error }));
    expect(stored('reversed')).toEqual(answered(SAMPLE_IDS).sort((a, b) => a.sample_id.localeCompare(b.sample_id)));
    expect(stored('twice')).toEqual(stored('reversed'));
    expect(stored('fewer')).toEqual([noAnswer(first), ...answered(rest)].sort((a, b) => a.sample_id.localeCompare(b.sample_id)));
    expect(stored('unasked')).toEqual(SAMPLE_IDS.map(noAnswer).sort((a, b) => a.sample_id.localeCompare(b.sample_id)));
    expect(Object.fromEntries(Object.entries(outcomes).map(([name, { notes }]) => [name, notes]))).toEqual({ reversed: 0, fewer: 0, twice: 1, unasked: 1 });
    // A run whose failed samples exceed max_error_rate exits 4 once they are stored; none crashes.
    expect(Object.fromEntries(Object.entries(outcomes).map(([name, { code }]) => [name, code]))).toEqual({ reversed: 0, fewer: 4, twice: 0, unasked: 4 });
  });

  it("keys cached answers on the harness's module and fields whatever identity a plugin claims, and on the module's code", async () => {
    // Two careless plugins claiming one identity, over the harness's own keys.
    const claim = "cacheIdentity: (m) => ({ provider: 'shared-backend', module: 'my-backend', fields: { model: m.model }, decoding: {} })";
    const answerWith = (text: string) => `async (batch) => batch.map(({ sample }) => ({ sampleId: sample.id, text: '${text}', latencyMs: 0 }))`;
    const moduleA = providerModule('claimA.ts', 'claimA', answerWith('answer from A'), claim);
    const moduleB = providerModule('claimB.ts', 'claimB', answerWith('answer from B'), claim);
    const entry = (module: string) => pluginEntry(module, '    model: m1\n');
    expect((await runCli(['run', suiteWith('claim-a', entry(moduleA)), '--db', db, '--only', 'echo', '--no-report'])).code).toBe(0);
    expect((await runCli(['run', suiteWith('claim-b', entry(moduleB)), '--db', db, '--only', 'echo', '--no-report'])).code).toBe(0);
    expect((await answersOf(db, 'claim-b')).map(({ output, cached }) => ({ output, cached }))).toEqual(SAMPLE_IDS.map(() => ({ output: 'answer from B', cached: false })));

    // The same module file with other code: a new run (not the completed one reported), answered afresh.
    const suite = suiteWith('edited', entry(moduleA));
    expect((await runCli(['run', suite, '--db', db, '--only', 'echo', '--no-report'])).code).toBe(0);
    const before = await answersOf(db, 'edited');
    expect(before.every((a) => a.cached && a.output === 'answer from A')).toBe(true);
    providerModule('claimA.ts', 'claimA', answerWith('answer from edited A'), claim);
    expect((await runCli(['run', suite, '--db', db, '--only', 'echo', '--no-report'])).code).toBe(0);
    const after = (await answersOf(db, 'edited')).filter((a) => a.run_id !== before[0]?.run_id);
    expect(after.map(({ output, cached }) => ({ output, cached }))).toEqual(SAMPLE_IDS.map(() => ({ output: 'answer from edited A', cached: false })));
  });

  it("stores and exports a plugin's secret-named fields redacted", async () => {
    const keyed = providerModule('keyed.ts', 'keyed', "async (batch) => batch.map(({ sample }) => ({ sampleId: sample.id, text: 'x', latencyMs: 0 }))");
    const suite = suiteWith('keyed', pluginEntry(keyed, '    api_key: sk-live-SECRET123\n'));
    expect((await runCli(['run', suite, '--db', db, '--only', 'echo', '--no-report'])).code).toBe(0);
    const [run] = await queryDb<{ id: string; suite: string }>(db, "SELECT id, suite::VARCHAR AS suite FROM runs WHERE suite_name = 'keyed'");
    expect(JSON.parse(run?.suite ?? '{}').models[1]).toMatchObject({ id: 'echo', api_key: '[redacted]' });
    const exported = path.join(dir, 'keyed.json');
    expect((await runCli(['export-run', '--db', db, '--run', run?.id ?? '', '-o', exported])).code).toBe(0);
    expect(readFileSync(exported, 'utf8')).not.toContain('SECRET123');
    expect(readFileSync(db).includes('SECRET123')).toBe(false);
  });

  it('names the module in what its code throws', async () => {
    const throwing = providerModule('throwing.ts', 'throwing', "async () => { throw new Error('backend down'); }");
    const run = await runCli(['run', suiteWith('throwing', pluginEntry(throwing)), '--db', path.join(dir, 'throwing.duckdb'), '--only', 'echo', '--no-report']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`logbench run: ${throwing}: runBatch: backend down`);
  });
});
