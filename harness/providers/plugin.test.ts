import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../core/sample.js';
import { loadProviderPlugin } from './plugin.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-provider-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module in a folder outside any `"type": "module"` package, as a user's may be. */
function module(name: string, source: string): string {
  writeFileSync(path.join(dir, name), source);
  return `./${name}`;
}

const spec = '{ safeParse: () => ({ success: true, data: {} }), strict() { return this; } }';
/** A provider module whose runner's `runBatch` body is `body` (`batch` in scope). */
const runnerModule = (name: string, body: string) => module(name, `export default { name: '${name.replace('.ts', '')}', spec: ${spec}, create: async () => ({ provider: 'p', runBatch: async (batch: any[]) => { ${body} } }) };\n`);
const model = { id: 'm', batch_size: 1 };
const context = { task: 'text', baseDir: dir, env: {}, decoding: {} };
const request = { sample: { id: 's1', input: 'x' } as Sample, messages: [{ role: 'user' as const, content: 'x' }] };

describe('loadProviderPlugin', () => {
  it('takes the default export, or the one named provider, of a TypeScript module', async () => {
    const byDefault = await loadProviderPlugin(module('a.ts', `const name: string = 'a';\nexport default { name, spec: ${spec}, create: async () => ({}) };\n`), dir);
    expect(byDefault.definition.name).toBe('a');
    const named = await loadProviderPlugin(module('b.ts', `export const provider = { name: 'b', spec: ${spec}, create: async () => ({}) };\n`), dir);
    expect(named.definition.name).toBe('b');
  });

  it('names the module by its absolute path and its code by the sha256 of its text', async () => {
    const loaded = await loadProviderPlugin(module('hashed.ts', `export default { name: 'h', spec: ${spec}, create: async () => ({}) };\n`), dir);
    const file = path.join(dir, 'hashed.ts');
    expect(loaded.module).toBe(file);
    expect(loaded.codeHash).toBe(createHash('sha256').update(readFileSync(file, 'utf8')).digest('hex'));
  });

  it('says what is wrong with a module that is not a provider', async () => {
    await expect(loadProviderPlugin(module('none.ts', 'export const other = 1;\n'), dir)).rejects.toThrow('./none.ts has no default export and no export named provider');
    await expect(loadProviderPlugin(module('builtin.ts', `export default { name: 'openai', spec: ${spec}, create: async () => ({}) };\n`), dir)).rejects.toThrow(
      "./builtin.ts: its default (or `provider`) export is not a provider definition: name: is a built-in provider's name",
    );
    await expect(loadProviderPlugin(module('nocreate.ts', `export default { name: 'c', spec: ${spec}, cacheIdentity: 3 };\n`), dir)).rejects.toThrow(/nocreate\.ts: .*create: expected a function/);
    await expect(loadProviderPlugin('./missing.ts', dir)).rejects.toThrow(`cannot load ./missing.ts: ${path.join(dir, 'missing.ts')}: no such file`);
  });

  it('refuses a device or a FIFO as a module before the loader opens it (it would never end or never open)', async () => {
    await expect(loadProviderPlugin('/dev/zero', dir)).rejects.toThrow('cannot load /dev/zero: /dev/zero: not a regular file (a character device)');
    execFileSync('mkfifo', [path.join(dir, 'fifo.ts')]);
    await expect(loadProviderPlugin('./fifo.ts', dir)).rejects.toThrow(`cannot load ./fifo.ts: ${path.join(dir, 'fifo.ts')}: not a regular file (a FIFO)`);
  });

  it('names the module in what its code throws: create, runBatch, close and the setup functions', async () => {
    const failing = await loadProviderPlugin(
      module('failing.ts', `export default { name: 'f', spec: ${spec}, create: async () => { throw new Error('no GPU'); }, decoding: () => { throw new TypeError('bad'); } };\n`),
      dir,
    );
    await expect(failing.definition.create(model, context)).rejects.toThrow('./failing.ts: create: no GPU');
    expect(() => failing.definition.decoding?.(model, { baseDir: dir, suiteFile: 's.yaml', where: 'models[m]' })).toThrow('./failing.ts: decoding: bad');

    const closing = await loadProviderPlugin(module('closing.ts', `export default { name: 'c', spec: ${spec}, create: async () => ({ provider: 'c', runBatch: async () => { throw 'down'; }, close: async () => { throw new Error('stuck'); } }) };\n`), dir);
    const runner = await closing.definition.create(model, context);
    await expect(runner.runBatch([request])).rejects.toThrow('./closing.ts: runBatch: down');
    await expect(runner.close?.()).rejects.toThrow('./closing.ts: close: stuck');

    const noRunner = await loadProviderPlugin(module('norunner.ts', `export default { name: 'n', spec: ${spec}, create: async () => null };\n`), dir);
    await expect(noRunner.definition.create(model, context)).rejects.toThrow('./norunner.ts: create: resolved with no runner (an object with a runBatch function)');
  });

  it("checks a runner's answers are predictions, naming the module and the first wrong field", async () => {
    const answers = async (name: string, body: string) => (await (await loadProviderPlugin(runnerModule(name, body), dir)).definition.create(model, context)).runBatch([request]);
    await expect(answers('nullret.ts', 'return null;')).rejects.toThrow('./nullret.ts: runBatch: resolved with something other than an array of predictions: answer: Invalid input: expected array, received null');
    await expect(answers('objtext.ts', "return batch.map(({ sample }) => ({ sampleId: sample.id, text: { evil: 1 }, latencyMs: 0 }));")).rejects.toThrow(
      './objtext.ts: runBatch: resolved with something other than an array of predictions: 0.text: Invalid input: expected string, received object',
    );
    // A runner cannot claim an answer came from the harness's cache.
    expect(await answers('claims.ts', "return batch.map(({ sample }) => ({ sampleId: sample.id, text: 'a', latencyMs: 1, cached: true }));")).toEqual([{ sampleId: 's1', text: 'a', latencyMs: 1 }]);
  });
});
