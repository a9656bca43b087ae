// Issue #10: a stored run is the researchers' memory. These runs go through the built CLI against real
// DuckDB files: subsets never rewrite a full run, reruns never demote a completed one, odd server
// figures never abort a run, and failures are loud.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CLI, REPO, runCli } from '../support/cli.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { queryDb, writeOpenAISuite } from '../support/run-fixtures.js';
import { RunStore } from '../../harness/store/index.js';

const DEFAULT_SUITE = path.join(REPO, 'suites/default.yaml');
const DISK_FILLER = path.join(REPO, 'test/fixtures/providers/disk-filler.ts');

const { server, dirs } = loopbackScope();

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-integrity-'));
  dirs.push(dir);
  return dir;
}

/** Runs `work` on a fresh tmpfs of `size` (disk-full cases), unmounted after. */
async function onTmpfs(size: string, work: (mountPoint: string) => Promise<void>): Promise<void> {
  const mountPoint = scratch();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint]);
  // CI and developers run as root on this machine kind; a mount that fails is a broken environment, not a pass.
  expect(mounted.status, `mount tmpfs: ${mounted.stderr}`).toBe(0);
  try {
    await work(mountPoint);
  } finally {
    spawnSync('umount', ['-l', mountPoint]);
    mkdirSync(mountPoint, { recursive: true });
  }
}

type RunRow = { id: string; status: string; finished_at: unknown; selection: string | null };
type MetricRow = { run_id: string; name: string; value: number | null; ci_low: number | null; ci_high: number | null; n: number };

const runsOf = (db: string) => queryDb<RunRow>(db, 'SELECT id, status, finished_at::VARCHAR AS finished_at, selection FROM runs ORDER BY started_at, id');
const metricsOf = (db: string, runId: string) => queryDb<MetricRow>(db, `SELECT * FROM metrics WHERE run_id = '${runId}' ORDER BY name`);

describe('a run’s identity includes its sample selection (item 1)', () => {
  it('run --limit after a completed run starts a run of its own and leaves the full run’s figures as they were', async () => {
    const db = path.join(scratch(), 'runs.duckdb');
    const full = await runCli(['run', DEFAULT_SUITE, '--db', db, '--only', 'logllm-tiny', '--no-report']);
    expect(full.code, full.stderr).toBe(0);
    const [fullRun] = await runsOf(db);
    const before = await metricsOf(db, fullRun!.id);
    expect(before.find((m) => m.name === 'accuracy')?.n).toBe(40);

    for (const subset of [['--limit', '5'], ['--shard', '1/4']]) {
      const partial = await runCli(['run', DEFAULT_SUITE, '--db', db, '--only', 'logllm-tiny', '--no-report', ...subset]);
      expect(partial.code, partial.stderr).toBe(0);
      expect(partial.stdout).not.toContain(fullRun!.id);
    }
    const runs = await runsOf(db);
    expect(runs).toHaveLength(3);
    expect(runs[0]).toEqual(fullRun);
    expect(await metricsOf(db, fullRun!.id)).toEqual(before);
    expect(JSON.parse(runs[1]!.selection!)).toEqual({ limit: 5, samples: 5, splitSamples: 40 });
    expect(JSON.parse(runs[2]!.selection!)).toEqual({ shard: { index: 1, count: 4 }, samples: 10, splitSamples: 40 });
    expect((await metricsOf(db, runs[1]!.id)).find((m) => m.name === 'accuracy')?.n).toBe(5);

    // latest: names the newest run over the whole split; latest-partial: also takes subsets.
    const exported = path.join(path.dirname(db), 'latest.json');
    const latest = await runCli(['export-run', '--db', db, '--run', 'latest:default/logllm-tiny', '-o', exported]);
    expect(latest.code, latest.stderr).toBe(0);
    expect((await import('node:fs')).readFileSync(exported, 'utf8')).toContain(`"id": "${fullRun!.id}"`);
    const partialOut = path.join(path.dirname(db), 'partial.json');
    const latestPartial = await runCli(['export-run', '--db', db, '--run', 'latest-partial:default/logllm-tiny', '-o', partialOut]);
    expect(latestPartial.code, latestPartial.stderr).toBe(0);
    expect((await import('node:fs')).readFileSync(partialOut, 'utf8')).toContain(`"id": "${runs[2]!.id}"`);

    const listed = await runCli(['runs', '--db', db]);
    expect(listed.stdout).toContain('subset 5 of 40 samples (--limit 5)');
  });
});

describe('a rerun never demotes or rewrites a completed run (item 3)', () => {
  it('a no-op rerun, finished or killed at any moment, leaves the completed run exactly as it was', async () => {
    const db = path.join(scratch(), 'runs.duckdb');
    const first = await runCli(['run', DEFAULT_SUITE, '--db', db, '--no-report']);
    expect(first.code, first.stderr).toBe(0);
    const before = await runsOf(db);
    const metricsBefore = await Promise.all(before.map((r) => metricsOf(db, r.id)));

    const again = await runCli(['run', DEFAULT_SUITE, '--db', db, '--no-report']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 queried');
    expect(again.stdout).toContain('completed before');
    for (const delayMs of [50, 250, 500, 800]) {
      const child = spawn(process.execPath, [CLI, 'run', DEFAULT_SUITE, '--db', db, '--no-report'], { cwd: REPO, stdio: 'ignore' });
      const closed = new Promise((done) => child.once('close', done));
      await sleep(delayMs);
      child.kill('SIGKILL');
      await closed;
    }
    expect(await runsOf(db)).toEqual(before);
    expect(await Promise.all(before.map((r) => metricsOf(db, r.id)))).toEqual(metricsBefore);
  });
});

describe('odd usage figures from a server (item 4)', () => {
  it('stores valid token counts, null for the rest, warns once and completes', async () => {
    const odd = [1.5, 2 ** 31, 1e308, -3];
    let i = 0;
    const loopback = await server({ usage: () => ({ prompt_tokens: odd[i++ % odd.length], completion_tokens: 7, total_tokens: 9 }) });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 12, models: ['base'], batchSize: 4 });
    dirs.push(dir);
    const result = await runCli(['run', suite, '--db', db, '--no-report']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/not a whole number from 0 to 2\^31-1/g)).toHaveLength(1);
    const rows = await queryDb<{ tokens_in: number | null; tokens_out: number; error: string | null }>(db, 'SELECT tokens_in, tokens_out, error FROM predictions');
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.error === null && r.tokens_in === null && r.tokens_out === 7)).toBe(true);
    expect((await runsOf(db)).map((r) => r.status)).toEqual(['completed']);
  });
});

describe('a run whose requests fail says so (item 10)', () => {
  it('prints the commonest errors and exits 4 when a model’s error rate is above max_error_rate', async () => {
    const loopback = await server({ faults: [{ fault: { kind: 'status', status: 404, message: 'The model `base` does not exist' } }] });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 6, models: ['base'], maxRetries: 0 });
    dirs.push(dir);
    const result = await runCli(['run', suite, '--db', db, '--no-report']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('base: 6 of 6 samples failed');
    expect(result.stderr).toMatch(/6 × .*404/);
    expect(result.stderr).toContain('does not exist');
    // The run itself is stored and completed: the exit code is about the figures, not the store.
    expect((await runsOf(db)).map((r) => r.status)).toEqual(['completed']);
  });
});

describe('the whole suite is checked before the first write (item 12)', () => {
  function suiteWith(dir: string, extra: { secondModel?: string; prompt?: string; datasetLine?: string; task?: string }) {
    writeFileSync(path.join(dir, 'data.jsonl'), extra.datasetLine ?? '{"id":"a","logs":"disk full","reference":"Cause - disk"}\n');
    writeFileSync(path.join(dir, 'prompt.txt'), extra.prompt ?? 'Analyse: {{input}}');
    const suite = path.join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      `name: checks\ntask: ${extra.task ?? 'text'}\ndataset:\n  source: jsonl\n  path: data.jsonl\n  input_field: logs\n  reference_field: reference\n  id_field: id\n` +
        `prompt:\n  user: prompt.txt\nmodels:\n  - id: first\n    provider: rules\n${extra.secondModel ?? ''}`,
    );
    return suite;
  }

  it.each([
    ['an unset api_key_env on a later model', { secondModel: '  - id: second\n    provider: openai\n    model: m\n    endpoint: http://127.0.0.1:9/v1\n    api_key_env: LOGBENCH_UNSET_KEY_X\n' }, /suite\.yaml:1[4-9]:\d+: models\[1\]\.api_key_env: environment variable LOGBENCH_UNSET_KEY_X is not set/],
    ['a placeholder no sample can fill', { prompt: 'Analyse {{input}} on {{hostname}}' }, /suite\.yaml:\d+:\d+: prompt\.user: .*\{\{hostname\}\}/],
    ['a text task whose samples have no reference', { datasetLine: '{"id":"a","logs":"disk full"}\n' }, /data\.jsonl:1: field "reference"/],
    ['a missing replay file', { secondModel: '  - id: second\n    provider: replay\n    path: answers.jsonl\n' }, /models\[1\]\.path: .*answers\.jsonl does not exist/],
  ])('refuses %s with file:line:col and writes nothing', async (_what, extra, message) => {
    const dir = scratch();
    const suite = suiteWith(dir, extra);
    const db = path.join(dir, 'runs.duckdb');
    const result = await runCli(['run', suite, '--db', db, '--no-report'], { env: { LOGBENCH_UNSET_KEY_X: '' } });
    expect(result.code, result.stdout).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses --out naming a file before any model runs', async () => {
    const dir = scratch();
    const suite = suiteWith(dir, {});
    const out = path.join(dir, 'report.html');
    writeFileSync(out, 'keep me');
    const db = path.join(dir, 'runs.duckdb');
    const result = await runCli(['run', suite, '--db', db, '--out', out]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--out');
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a report path that lands on the database before any model runs', async () => {
    const dir = scratch();
    // The default suite's rules report is <db folder>/<db stem>-default-rules.html: here, a link to the database.
    const db = path.join(dir, 'runs.duckdb');
    const report = path.join(dir, 'runs-default-rules.html');
    symlinkSync(db, report);
    const result = await runCli(['run', DEFAULT_SUITE, '--db', db]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`refusing to write ${report}`);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses a metrics list that does not fit the task, with file:line:col', async () => {
    const dir = scratch();
    const suite = suiteWith(dir, { task: 'classification' });
    writeFileSync(suite, `${(await import('node:fs')).readFileSync(suite, 'utf8')}metrics: [bleu]\n`);
    const result = await runCli(['run', suite, '--db', path.join(dir, 'runs.duckdb')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/suite\.yaml:\d+:\d+: metrics\[0\]: metric bleu does not apply to task classification/);
  });
});

describe('disk full (item 13)', () => {
  it('says "no space left on device" and leaves the database openable with what was stored', async () => {
    await onTmpfs('3m', async (mountPoint) => {
      const loopback = await server({ answer: () => 'x'.repeat(20_000) });
      const { dir, suite } = writeOpenAISuite({ url: loopback.url, cases: 400, models: ['base'], batchSize: 8, metrics: '[fuzzy]' });
      dirs.push(dir);
      const db = path.join(mountPoint, 'runs.duckdb');
      const result = await runCli(['run', suite, '--db', db, '--no-report']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('no space left on device');
      expect(result.stderr).not.toContain('no transaction is active');
      const rows = await queryDb<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM predictions');
      expect(rows[0]!.n).toBeGreaterThan(0);
      expect((await runsOf(db)).map((r) => r.status)).toEqual(['interrupted']);
    });
  });

  it('a nearly full disk gets no checkpoint from the memory release: the store stays usable and nothing committed is lost', async () => {
    await onTmpfs('26m', async (mountPoint) => {
      const db = path.join(mountPoint, 'runs.duckdb');
      const store = await RunStore.open(db);
      // ≈ 18 MB that do not compress: the log is due for a checkpoint, which needs as much again.
      const samples = Array.from({ length: 3000 }, (_, i) => ({ id: `s${String(i).padStart(4, '0')}`, input: randomBytes(3000).toString('hex'), meta: {} }));
      await store.upsertSamples('split', samples);
      const wal = statSync(`${db}.wal`).size;
      expect(wal).toBeGreaterThanOrEqual(16 * 1024 ** 2);
      await store.releaseMemory();
      await store.releaseMemory({ final: true });
      // A failed checkpoint would have ended the database's use here; the log waits for DuckDB's own.
      expect(statSync(`${db}.wal`).size).toBe(wal);
      expect(await store.samples('split')).toHaveLength(3000);
      await store.close();
      const reader = await RunStore.open(db, { readOnly: true });
      try {
        expect((await reader.samples('split')).map((sample) => [sample.id, sample.input])).toEqual(samples.map((sample) => [sample.id, sample.input]));
      } finally {
        await reader.close();
      }
    });
  });

  it('a run that leaves the disk nearly full in its last batch still completes, with its figures (the end-of-run checkpoint is DuckDB\'s on close)', async () => {
    await onTmpfs('16m', async (mountPoint) => {
      const dir = scratch();
      dirs.push(dir);
      const count = 3000;
      writeFileSync(path.join(dir, 'data.jsonl'), Array.from({ length: count }, (_, i) => JSON.stringify({ id: `w${String(i).padStart(4, '0')}`, logs: `node-${i % 9} kernel: event ${i} ${'x'.repeat(200)}`, label: i % 6 === 0 ? 'anomalous' : 'normal' })).join('\n') + '\n');
      writeFileSync(path.join(dir, 'prompt.txt'), 'Normal or anomalous?\n{{input}}\n');
      const suite = path.join(dir, 'suite.yaml');
      writeFileSync(
        suite,
        'name: nearly-full\ntask: classification\ndataset:\n  source: jsonl\n  path: data.jsonl\n  input_field: logs\n  label_field: label\n  id_field: id\nprompt:\n  user: prompt.txt\n' +
          `models:\n  - id: filler\n    batch_size: 256\n    provider:\n      module: ${DISK_FILLER}\n    fill_at: w${count - 1}\n    fill_dir: ${mountPoint}\n    leave_kb: 1024\n`,
      );
      const db = path.join(mountPoint, 'runs.duckdb');
      const result = await runCli(['run', suite, '--db', db, '--no-report']);
      expect(result.code, result.stderr).toBe(0);
      expect((await runsOf(db)).map((r) => r.status)).toEqual(['completed']);
      const [stored] = await queryDb<{ predictions: number; metrics: number }>(db, 'SELECT (SELECT count(*) FROM predictions)::INTEGER AS predictions, (SELECT count(*) FROM metrics)::INTEGER AS metrics');
      expect(stored).toEqual({ predictions: count, metrics: expect.any(Number) });
      expect(stored!.metrics).toBeGreaterThan(0);
    });
  });
});
