// docs/DESIGN.md §2: the top-level folders are layers (core < prompts < datasets < metrics < harness
// < reports < cli); each imports only from those below it, and no module imports itself in a circle.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const DEPCRUISE = path.join(REPO, 'node_modules/.bin/depcruise');
const LAYERS = ['core', 'prompts', 'datasets', 'metrics', 'harness', 'reports', 'cli'];

function cruise(cwd: string, folders: string[]) {
  return spawnSync(DEPCRUISE, [...folders, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, encoding: 'utf8' });
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'logbench-imports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the import graph', () => {
  it('has no upward import and no circle in the product code', () => {
    const result = cruise(REPO, ['index.ts', ...LAYERS, 'bench']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/no dependency violations found \(\d{3,} modules/);
  });

  it('refuses an upward import and a circle (the rules do bite)', () => {
    cpSync(path.join(REPO, '.dependency-cruiser.cjs'), path.join(scratch, '.dependency-cruiser.cjs'));
    cpSync(path.join(REPO, 'tsconfig.json'), path.join(scratch, 'tsconfig.json'));
    for (const folder of ['core', 'cli', 'metrics']) mkdirSync(path.join(scratch, folder));
    writeFileSync(path.join(scratch, 'core/low.ts'), "import { top } from '../cli/top.js';\nexport const low = top;\n");
    writeFileSync(path.join(scratch, 'cli/top.ts'), 'export const top = 1;\n');
    writeFileSync(path.join(scratch, 'metrics/a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    writeFileSync(path.join(scratch, 'metrics/b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
    const result = cruise(scratch, ['core', 'cli', 'metrics']);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('core-imports-down-only: core/low.ts → cli/top.ts');
    expect(result.stdout).toMatch(/no-circular: metrics\/a\.ts →/);
  });
});
