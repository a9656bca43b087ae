import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProviderPlugin } from './plugin.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-provider-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module in a folder outside any `"type": "module"` package, as a user's may be. */
function module(name: string, source: string): string {
  writeFileSync(path.join(dir, name), source);
  return `./${name}`;
}

const spec = '{ safeParse: () => ({ success: true, data: {} }), strict() { return this; } }';

describe('loadProviderPlugin', () => {
  it('takes the default export, or the one named provider, of a TypeScript module', async () => {
    const byDefault = await loadProviderPlugin(module('a.ts', `const name: string = 'a';\nexport default { name, spec: ${spec}, create: async () => ({}) };\n`), dir);
    expect(byDefault.name).toBe('a');
    const named = await loadProviderPlugin(module('b.ts', `export const provider = { name: 'b', spec: ${spec}, create: async () => ({}) };\n`), dir);
    expect(named.name).toBe('b');
  });

  it('says what is wrong with a module that is not a provider', async () => {
    await expect(loadProviderPlugin(module('none.ts', 'export const other = 1;\n'), dir)).rejects.toThrow('./none.ts has no default export and no export named provider');
    await expect(loadProviderPlugin(module('builtin.ts', `export default { name: 'openai', spec: ${spec}, create: async () => ({}) };\n`), dir)).rejects.toThrow(
      "./builtin.ts: its default (or `provider`) export is not a provider definition: name: is a built-in provider's name",
    );
    await expect(loadProviderPlugin(module('nocreate.ts', `export default { name: 'c', spec: ${spec}, cacheIdentity: 3 };\n`), dir)).rejects.toThrow(/nocreate\.ts: .*create: expected a function/);
    await expect(loadProviderPlugin('./missing.ts', dir)).rejects.toThrow(/^cannot load \.\/missing\.ts: Cannot find module/);
  });
});
