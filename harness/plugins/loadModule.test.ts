import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importPluginModule } from './loadModule.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-load-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('importPluginModule', () => {
  it('imports a TypeScript file once per process, naming it by absolute path and its code by sha256', async () => {
    const source = 'export const answer: number = 42;\n';
    writeFileSync(path.join(dir, 'answer.ts'), source);
    const loaded = await importPluginModule('./answer.ts', dir);
    expect(loaded).toEqual({ exports: expect.objectContaining({ answer: 42 }), module: path.join(dir, 'answer.ts'), codeHash: sha256(source) });
    expect(await importPluginModule(path.join(dir, 'answer.ts'), '/')).toBe(loaded);
  });

  it("names a package by its name and its code by its entry file's sha256", async () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const loaded = await importPluginModule('zod', repo);
    expect(loaded.module).toBe('zod');
    expect(loaded.codeHash).toBe(sha256(readFileSync(path.join(repo, 'node_modules/zod/index.js'), 'utf8')));
  });

  it('refuses what is not a regular file, or is too large, by the core reader rules, before the loader opens it', async () => {
    await expect(importPluginModule('/dev/zero', dir)).rejects.toThrow('/dev/zero: not a regular file (a character device)');
    execFileSync('mkfifo', [path.join(dir, 'fifo.ts')]);
    await expect(importPluginModule('./fifo.ts', dir)).rejects.toThrow(`${path.join(dir, 'fifo.ts')}: not a regular file (a FIFO)`);
    execFileSync('truncate', ['-s', '17M', path.join(dir, 'huge.ts')]);
    await expect(importPluginModule('./huge.ts', dir)).rejects.toThrow(`${path.join(dir, 'huge.ts')}: larger than the limit for this kind of file (16 MiB)`);
  });
});
