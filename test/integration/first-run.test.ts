// Issue #13: what a newcomer sees first. Real child processes: npm itself in this repository, and the
// built CLI on a copy of the shipped default suite. `.ci/run` checks the full `npm ci`, `npm test`
// and `npm run bench` logs of a fresh clone the same way.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

/** What npm and onnxruntime must never print at a newcomer (the same pattern as `.ci/run`). */
const NOISE = /^npm (warn|WARN)|\[E:onnxruntime|ONNXRuntimeError|Failed to load library/m;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-first-run-'));
  dirs.push(dir);
  return dir;
}

function npm(args: string[]) {
  return spawnSync('npm', args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

/** npm 11.16 brought package.json's allowScripts and `npm install-scripts`; older npm ignores both. */
function npmHasInstallScriptPolicy(): boolean {
  const [major = 0, minor = 0] = npm(['--version']).stdout.trim().split('.').map(Number);
  return major > 11 || (major === 11 && minor >= 16);
}

describe('npm in this repository', () => {
  it('reads the project config without a warning, and every dependency install script is reviewed', () => {
    if (npmHasInstallScriptPolicy()) {
      const listed = npm(['install-scripts', 'ls']);
      expect(listed.stderr).not.toMatch(NOISE);
      expect(listed.stdout.trim()).toBe('No packages with unreviewed install scripts.');
    } else {
      const config = npm(['pkg', 'get', 'name']);
      expect(config.stderr).not.toMatch(NOISE);
      expect(config.stdout.trim()).toBe('"logbench"');
    }
  });

  it('denies onnxruntime-node’s install script, whose only work on linux-x64 is downloading the CUDA provider', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    expect(manifest.allowScripts['onnxruntime-node']).toBe(false);
    expect(readFileSync(path.join(REPO, '.npmrc'), 'utf8')).not.toMatch(/onnxruntime/);
  });
});

describe('the built command', () => {
  // tsc writes files 0644; npx reuses its cached link to this folder without re-running bin-links'
  // chmod, and sh then answers "logbench: Permission denied" with 127 (what broke a CI run). The
  // build marks the bin executable itself, so the file runs as a program straight after any build.
  it('is an executable file that runs as a program', () => {
    const bin = path.join(REPO, 'dist', 'cli', 'bin.js');
    const ran = spawnSync(bin, ['--version'], { cwd: REPO, encoding: 'utf8' });
    expect(ran.error).toBeUndefined();
    expect(ran.status).toBe(0);
    expect(ran.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('the default suite copied out of suites/', () => {
  it('names each path it cannot find with the fix, and runs once the fixes are applied', async () => {
    const dir = scratch();
    const suite = path.join(dir, 'default.yaml');
    const db = path.join(dir, 'runs.duckdb');
    writeFileSync(suite, readFileSync(path.join(REPO, 'suites/default.yaml'), 'utf8'));
    const run = () => runCli(['run', suite, '--db', db, '--limit', '4', '--no-report']);
    const fixOf = (stderr: string) => /it names (\S+): set it to that absolute path/.exec(stderr)?.[1];

    const prompt = await run();
    expect(prompt.code).toBe(3);
    expect(prompt.stderr).toContain(`prompt.user: ${path.join(path.dirname(dir), 'prompts/logllm_classification.txt')} does not exist`);
    expect(prompt.stderr).toContain(`relative to the suite file's folder, ${dir}`);
    expect(fixOf(prompt.stderr)).toBe(path.join(REPO, 'prompts/logllm_classification.txt'));
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('../prompts/logllm_classification.txt', fixOf(prompt.stderr) as string));

    const model = await run();
    expect(model.code).toBe(3);
    expect(model.stderr).toMatch(/default\.yaml:\d+:\d+: models\[1\]\.path: \S+ does not exist \(\.\.\/models\/logllm-bgl-tiny is relative to the suite file's folder/);
    expect(fixOf(model.stderr)).toBe(path.join(REPO, 'models/logllm-bgl-tiny'));
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('../models/logllm-bgl-tiny', fixOf(model.stderr) as string));
    // The base model of the fine-tune just fixed: the next path, with its own fix.
    const base = await run();
    expect(base.stderr).toMatch(/default\.yaml:\d+:\d+: models\[2\]\.path: \S+ does not exist \(\.\.\/models\/logllm-bgl-tiny-base is relative/);
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('../models/logllm-bgl-tiny-base', fixOf(base.stderr) as string));

    const fixed = await run();
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).not.toMatch(NOISE);
  });
});

describe("execution_provider 'cuda'", () => {
  it('without onnxruntime-node’s CUDA libraries, says which file is missing and onnxruntime prints nothing', async () => {
    const dir = scratch();
    const suite = path.join(dir, 'cuda.yaml');
    const original = readFileSync(path.join(REPO, 'suites/default.yaml'), 'utf8');
    writeFileSync(
      suite,
      original
        .replace('../prompts/', `${path.join(REPO, 'prompts')}/`)
        .replace('path: ../models/logllm-bgl-tiny', `path: ${path.join(REPO, 'models/logllm-bgl-tiny')}\n    execution_provider: cuda`),
    );
    const result = await runCli(['run', suite, '--db', path.join(dir, 'runs.duckdb'), '--only', 'logllm-tiny', '--limit', '2', '--no-report']);
    // onnxruntime's native logger writes to the process's stderr, which a child process shows whole.
    expect(result.stderr).not.toMatch(NOISE);
    const binding = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    if (existsSync(path.join(binding, `../bin/napi-v6/${process.platform}/${process.arch}/libonnxruntime_providers_cuda.so`))) {
      expect(result.code === 0 || /execution_provider 'cuda' is not available/.test(result.stderr), result.stderr).toBe(true);
    } else {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/execution_provider 'cuda' is not available in this onnxruntime-node build \(\S+libonnxruntime_providers_shared\.so and \S+libonnxruntime_providers_cuda\.so missing/);
    }
  });
});
