// The published package as a user gets it: `npm pack`, installed into a scratch project, imported
// through its `exports` by a type-checked TypeScript program, and its `logbench` bin run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chrfSentence, rougeScore } from '../../metrics/index.js';
import { REPO } from '../support/cli.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'logbench-package-'));
const project = path.join(scratch, 'project');
const installed = path.join(project, 'node_modules/logbench');
let packed: string[] = [];

/** One call of each entry point; `IsAny` fails the type check if a .d.ts lost a type on the way. */
const CONSUMER = `
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, ExitCode, compareStoredRuns, loadSuite, resolveRun, runGate, runSuite } from 'logbench';
import { accuracy, chrfSentence, rougeScore } from 'logbench/metrics';
import { RunStore } from 'logbench/store';

type IsAny<T> = 0 extends 1 & T ? true : false;
const packageDir = path.dirname(fileURLToPath(import.meta.resolve('logbench/package.json')));
const loaded = await loadSuite(path.join(packageDir, 'suites/default.yaml'));
const dbPath = path.resolve('runs.duckdb');
const suiteRun = await runSuite(loaded, { dbPath, only: ['rules'] });
const store = await RunStore.open(dbPath, { readOnly: true });
const run = await resolveRun(store, 'latest:default/rules', 'candidate');
const comparison = await compareStoredRuns(store, run, run);
const storedRuns = (await store.listRuns()).length;
await store.close();
const gate = await runGate({ db: dbPath, candidate: run.id, baseline: run.id });
const rougeL = rougeScore('the disk is full on web-02', 'disk full on web-02').rougeL.fmeasure;
const typed: [IsAny<typeof loaded>, IsAny<typeof suiteRun>, IsAny<typeof run>, IsAny<typeof gate>, IsAny<typeof rougeL>] = [false, false, false, false, false];
console.log(JSON.stringify({
  typed,
  rougeL,
  chrf: chrfSentence('the disk is full', ['the disk was full', 'disk full']),
  accuracy: accuracy([1, 0, 1, 1], [1, 1, 1, 1]),
  models: suiteRun.results.map((result) => ({ id: result.modelId, metrics: result.metrics.map((metric) => metric.name) })),
  storedRuns,
  comparedMetrics: comparison.metrics.length,
  gatePassed: gate.verdict.passed,
  usageExit: new CliError('bad flag').exitCode === ExitCode.usage,
}));
`;

/**
 * The scratch project's lock holds the repo lock's runtime packages, so `npm ci --offline` installs
 * exactly the versions the repo pins from the npm cache (filled by the repo's own `npm ci`).
 */
function writeScratchProject(tarball: string): void {
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    version: string;
    license: string;
    dependencies: Record<string, string>;
    bin: Record<string, string>;
    engines: Record<string, string>;
    allowScripts: Record<string, boolean>;
  };
  const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const dependency = `file:../${tarball}`;
  const runtime = Object.entries(lock.packages).filter(([where, entry]) => where !== '' && entry.dev !== true);
  mkdirSync(project);
  // As the README advises a project that depends on logbench: its install-script policy (onnxruntime-node's CUDA download denied).
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { logbench: dependency }, allowScripts: manifest.allowScripts }));
  writeFileSync(
    path.join(project, 'package-lock.json'),
    JSON.stringify({
      name: 'scratch',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'scratch', dependencies: { logbench: dependency } },
        'node_modules/logbench': { version: manifest.version, resolved: dependency, license: manifest.license, dependencies: manifest.dependencies, bin: manifest.bin, engines: manifest.engines },
        ...Object.fromEntries(runtime),
      },
    }),
  );
  writeFileSync(path.join(project, '.npmrc'), 'fund=false\naudit=false\n');
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        outDir: 'out',
        typeRoots: [path.join(REPO, 'node_modules/@types')],
        types: ['node'],
      },
      files: ['consumer.ts'],
    }),
  );
  writeFileSync(path.join(project, 'consumer.ts'), CONSUMER);
}

beforeAll(() => {
  // dist/ is what `npm test` just built; packing must not rebuild it under the other tests' feet.
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: REPO, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  packed = pack!.files.map((file) => file.path);
  writeScratchProject(pack!.filename);
  execFileSync('npm', ['ci', '--offline'], { cwd: project, stdio: 'pipe' });
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the npm package', () => {
  it('ships built code, suites, prompts and licensed data, and no tests, tools, bench or sources', () => {
    const unwanted = packed.filter((file) => /(^|\/)(test|tools|bench|fixtures|train)\//.test(file) || /\.test\.|\.map$/.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts')));
    expect(unwanted).toEqual([]);
    expect(packed).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/metrics/index.d.ts',
        'dist/harness/store/index.d.ts',
        'dist/cli/bin.js',
        'suites/default.yaml',
        'prompts/logllm_classification.txt',
        'models/logllm-bgl-tiny/MODEL_CARD.md',
        'models/logllm-bgl-tiny-base/MODEL_CARD.md',
        'datasets/data/README.md',
        'datasets/data/loghub/LICENSE',
        'datasets/data/logllm-format/README.md',
        'datasets/data/alsate/LICENSE',
      ]),
    );
  });

  it('ships every model folder a packaged suite points at', () => {
    const suites = packed.filter((file) => /^suites\/[^/]+\.yaml$/.test(file));
    const modelDirs = suites.flatMap((file) => [...readFileSync(path.join(REPO, file), 'utf8').matchAll(/^\s*path: \.\.\/(models\/[^\s#]+)/gm)].map((m) => m[1]!));
    expect(modelDirs.length).toBeGreaterThan(0);
    const missing = [...new Set(modelDirs)].filter((dir) => !packed.some((file) => file.startsWith(`${dir}/`)));
    expect(missing).toEqual([]);
  });

  it('type-checks and runs a program that imports every entry point', () => {
    const tsc = spawnSync(path.join(REPO, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const consumer = spawnSync(process.execPath, ['out/consumer.js'], { cwd: project, encoding: 'utf8' });
    expect(consumer.stderr).toBe('');
    expect(consumer.status).toBe(0);
    const out = JSON.parse(consumer.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      typed: [false, false, false, false, false],
      rougeL: rougeScore('the disk is full on web-02', 'disk full on web-02').rougeL.fmeasure,
      chrf: chrfSentence('the disk is full', ['the disk was full', 'disk full']),
      accuracy: 0.75,
      models: [{ id: 'rules', metrics: expect.arrayContaining(['accuracy', 'f1']) }],
      storedRuns: 1,
      comparedMetrics: expect.any(Number),
      gatePassed: true,
      usageExit: true,
    });
    expect(out['comparedMetrics']).toBeGreaterThan(0);
  });

  it('installs the logbench bin', () => {
    const help = spawnSync(path.join(project, 'node_modules/.bin/logbench'), ['--help'], { cwd: project, encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: logbench /);
  });

  it('imports the CLI module without running it', () => {
    // Were the program run on import, `--help` in argv would print the usage and set the exit code.
    const main = pathToFileURL(path.join(installed, 'dist/cli/main.js')).href;
    const script = `const cli = await import(${JSON.stringify(main)}); process.stderr.write(typeof cli.main);`;
    const imported = spawnSync(process.execPath, ['--input-type=module', '-e', script, 'logbench', '--help'], { cwd: project, encoding: 'utf8' });
    expect(imported.stdout).toBe('');
    expect(imported.stderr).toBe('function');
    expect(imported.status).toBe(0);
  });
});
