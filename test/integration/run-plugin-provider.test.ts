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
  output: string;
  cached: boolean;
  provider: string;
}

const answersOf = (db: string, suiteName: string) =>
  queryDb<StoredAnswer>(db, `SELECT p.sample_id, p.output, p.cached, r.provider FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.suite_name = '${suiteName}' AND r.model_id = 'echo' ORDER BY p.sample_id`);

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
});
