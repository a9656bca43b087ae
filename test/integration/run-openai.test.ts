import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { HARNESS_PROMPT_HEAD } from '../../bench/harnessCases.js';
import { installFakeNvidiaSmi } from '../../harness/telemetry/fixtures/fakeNvidiaSmi.js';
import { CLI, REPO, runCli } from '../support/cli.js';
import { logAnalysisAnswer, promptHash } from '../support/loopback-openai.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { caseLogs, queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

const SECRET = 'sk-test-SECRET-7f3a9c1e55';

const { server, dirs } = loopbackScope();

type PredictionRow = { run_id: string; sample_id: string; output: string | null; error: string | null };

describe('logbench run against an OpenAI-compatible loopback server', () => {
  it('completes through 429s, 5xx, malformed bodies, dropped connections and timeouts, recording each failure per sample', async () => {
    const cases = caseLogs(60);
    const doomed = '# case-7\n'; // only case-7's prompt has it: every request for it fails
    const loopback = await server({
      apiKey: SECRET,
      faults: [
        { match: doomed, fault: { kind: 'status', status: 503 } },
        { first: 3, fault: { kind: 'status', status: 429, retryAfterMs: 30 } },
        { every: 11, fault: { kind: 'status', status: 500 } },
        { every: 13, fault: { kind: 'malformed' } },
        { every: 17, fault: { kind: 'drop', stage: 'body' } },
        { every: 19, fault: { kind: 'slow', delayMs: 1500 } },
      ],
    });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 60, apiKeyEnv: 'LOGBENCH_TEST_KEY', timeoutMs: 400, maxRetries: 3 });
    dirs.push(dir);
    const result = await runCli(['run', suite, '--db', db], { env: { LOGBENCH_TEST_KEY: SECRET } });
    expect(result.code, result.stderr).toBe(0);

    const predictions = await queryDb<PredictionRow>(db, 'SELECT run_id, sample_id, output, error FROM predictions ORDER BY run_id, sample_id');
    expect(predictions).toHaveLength(120); // nothing lost: one row per sample per model
    const failed = predictions.filter((p) => p.error !== null);
    expect(failed.filter((p) => p.sample_id === 'case-7')).toHaveLength(2);
    for (const p of failed) expect(p.output).toBeNull();
    for (const p of predictions.filter((p) => p.error === null)) {
      const index = Number(p.sample_id.slice('case-'.length));
      expect(p.output).toBe(logAnalysisAnswer(HARNESS_PROMPT_HEAD + cases[index]!));
    }
    const errorRates = await queryDb<{ value: number }>(db, "SELECT value FROM metrics WHERE name = 'error_rate' ORDER BY run_id");
    expect(errorRates.map((r) => r.value).reduce((a, b) => a + b, 0)).toBeCloseTo(failed.length / 60, 12);
    expect(loopback.stats().faultsInjected).toBeGreaterThan(10);

    // The key went to the server as a bearer token, and nowhere else.
    expect(loopback.stats().unauthorized).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(readFileSync(db).includes(SECRET)).toBe(false);
    for (const table of ['runs', 'samples', 'predictions', 'batches', 'metrics', 'sample_metrics', 'cache']) {
      const rows = await queryDb(db, `SELECT * FROM ${table}`);
      expect(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), table).not.toContain(SECRET);
    }
  });

  it('after kill -9 mid-run, a rerun equals an uninterrupted run and re-queries nothing already stored', async () => {
    const loopback = await server({ latencyMs: 1 });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 1000, models: ['tuned'], batchSize: 50, concurrency: 8 });
    dirs.push(dir);
    const child = spawn(process.execPath, [CLI, 'run', suite, '--db', db], { cwd: REPO, stdio: 'ignore' });
    while (loopback.stats().requests < 400) await sleep(5);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));

    const stored = await queryDb<{ sample_id: string }>(db, 'SELECT sample_id FROM predictions');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(1000);
    expect(stored.length % 50).toBe(0); // whole batches only
    const cases = caseLogs(1000);
    const storedHashes = stored.map(({ sample_id }) => promptHash(HARNESS_PROMPT_HEAD + cases[Number(sample_id.slice(5))]!));

    const resumed = await runCli(['run', suite, '--db', db]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('(resumed)');
    for (const hash of storedHashes) expect(loopback.stats().byPromptHash.get(hash)).toBe(1);

    const cleanDb = `${dir}/uninterrupted.duckdb`;
    const uninterrupted = await runCli(['run', suite, '--db', cleanDb]);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    const metricsOf = (file: string) => queryDb<{ name: string; value: number | null; n: number }>(file, 'SELECT name, value, n FROM metrics ORDER BY name');
    expect(await metricsOf(db)).toEqual(await metricsOf(cleanDb));
    const outputsOf = (file: string) => queryDb<{ sample_id: string; output: string }>(file, 'SELECT sample_id, output FROM predictions ORDER BY sample_id');
    expect(await outputsOf(db)).toEqual(await outputsOf(cleanDb));
    const statusOf = (file: string) => queryDb<{ status: string }>(file, 'SELECT status FROM runs');
    expect(await statusOf(db)).toEqual([{ status: 'completed' }]);
  });

  it('a second process on the same database waits for the first, or stops with a clear message', async () => {
    const loopback = await server({ latencyMs: 15 });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 200, batchSize: 20, concurrency: 4 });
    dirs.push(dir);
    const first = runCli(['run', suite, '--db', db, '--only', 'base']);
    while (loopback.stats().requests < 5) await sleep(5);
    const impatient = await runCli(['run', suite, '--db', db, '--only', 'tuned', '--lock-wait', '0.2']);
    expect(impatient.code).toBe(3);
    expect(impatient.stderr).toMatch(/runs\.duckdb/);
    expect(impatient.stderr).toMatch(/another logbench process/i);
    // It said why it was waiting before it gave up, instead of a silent pause.
    expect(impatient.stderr).toMatch(/logbench run: \S+runs\.duckdb is in use by another logbench process .*waiting up to 200 ms/);
    const patient = runCli(['run', suite, '--db', db, '--only', 'tuned']);
    const [a, b] = await Promise.all([first, patient]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const runs = await queryDb<{ model_id: string; status: string }>(db, 'SELECT model_id, status FROM runs ORDER BY model_id');
    expect(runs).toEqual([
      { model_id: 'base', status: 'completed' },
      { model_id: 'tuned', status: 'completed' },
    ]);
    const counts = await queryDb<{ n: bigint }>(db, 'SELECT count(*) AS n FROM predictions');
    expect(Number(counts[0]!.n)).toBe(400);
  });

  it('with concurrent_models, queries both models at once and stores what a sequential run stores', async () => {
    const loopback = await server({ latencyMs: 5 });
    const concurrent = writeOpenAISuite({ url: loopback.url, cases: 120, batchSize: 20, concurrency: 4, concurrentModels: true });
    const sequential = writeOpenAISuite({ url: loopback.url, cases: 120, batchSize: 20, concurrency: 4 });
    dirs.push(concurrent.dir, sequential.dir);
    for (const { suite, db } of [concurrent, sequential]) {
      const result = await runCli(['run', suite, '--db', db, '--no-report']);
      expect(result.code, result.stderr).toBe(0);
    }
    type Window = { model_id: string; started: bigint; finished: bigint };
    const windows = (db: string) =>
      queryDb<Window>(db, 'SELECT model_id, epoch_us(started_at) AS started, epoch_us(finished_at) AS finished FROM runs ORDER BY model_id');
    const overlaps = ([a, b]: Window[]) => a!.started < b!.finished && b!.started < a!.finished;
    expect(overlaps(await windows(concurrent.db))).toBe(true);
    expect(overlaps(await windows(sequential.db))).toBe(false);

    const outputsOf = (db: string) =>
      queryDb(db, 'SELECT r.model_id, p.sample_id, p.output, p.error FROM predictions p JOIN runs r ON r.id = p.run_id ORDER BY 1, 2');
    const metricsOf = (db: string) =>
      queryDb(db, 'SELECT r.model_id, m.name, m.value, m.ci_low, m.ci_high, m.n FROM metrics m JOIN runs r ON r.id = m.run_id ORDER BY 1, 2');
    expect(await outputsOf(concurrent.db)).toHaveLength(240);
    expect(await outputsOf(concurrent.db)).toEqual(await outputsOf(sequential.db));
    expect(await metricsOf(concurrent.db)).toEqual(await metricsOf(sequential.db));
  });

  it('with concurrent_models and a GPU in view, says that each batch\'s GPU figures cover every model', async () => {
    const loopback = await server({ latencyMs: 5 });
    const fake = await installFakeNvidiaSmi('nvidia-smi-geforce-mixed.csv');
    try {
      const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 40, batchSize: 20, concurrency: 4, concurrentModels: true });
      dirs.push(dir);
      const result = await runCli(['run', suite, '--db', db, '--no-report'], { env: fake.env });
      expect(result.code, result.stderr).toBe(0);
      for (const model of ['base', 'tuned']) {
        expect(result.stderr).toMatch(new RegExp(`${model}: concurrent_models is on, so the per-batch GPU figures \\(.+\\) include every model running at once`));
      }
      const gpus = await queryDb<{ gpu_name: string | null }>(db, 'SELECT gpu_name FROM runs');
      expect(gpus.map((r) => r.gpu_name)).toEqual([expect.any(String), expect.any(String)]);
    } finally {
      await fake.remove();
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('on %s, stores the batches in flight, exits 130, and a rerun queries each remaining sample once', async (signal) => {
    const loopback = await server({ latencyMs: 3 });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 600, batchSize: 40, concurrency: 4, concurrentModels: true });
    dirs.push(dir);
    const child = spawn(process.execPath, [CLI, 'run', suite, '--db', db, '--no-report'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    while (loopback.stats().requests < 150) await sleep(5);
    child.kill(signal);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted: finishing the batch in flight/);
    expect(stderr).toMatch(/rerun the same command to resume/);

    const runs = await queryDb<{ status: string; n: bigint }>(db, 'SELECT status, (SELECT count(*) FROM predictions p WHERE p.run_id = r.id) AS n FROM runs r');
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
    for (const { n } of runs) {
      expect(Number(n) % 40).toBe(0); // whole batches, none cut short
      expect(Number(n)).toBeLessThan(600);
    }
    expect(Number(runs[0]!.n) + Number(runs[1]!.n)).toBe(loopback.stats().requests); // every answer received was stored
    if (signal === 'SIGINT') {
      // compare still reads unfinished runs, and says over its table that they are not results.
      const [first] = await queryDb<{ id: string }>(db, 'SELECT id FROM runs ORDER BY model_id');
      const compared = await runCli(['compare', first!.id, first!.id, '--db', db]);
      expect(compared.stdout).toContain('note: A is interrupted, not completed: its figures cover the samples stored so far');
      expect(compared.stdout).toContain('note: B is interrupted, not completed');
    }

    const resumed = await runCli(['run', suite, '--db', db, '--no-report']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const stats = loopback.stats();
    expect(stats.requests).toBe(1200);
    // Both models send the same prompts: two requests per prompt, none repeated.
    expect(new Set(stats.byPromptHash.values())).toEqual(new Set([2]));
  });

  it('keeps apart the answers of two models served under one `model` name at two endpoints (a base and a fine-tune): neither is answered from the other\'s cache', async () => {
    // llama-server ignores `model`: two ports with other weights answer to the same name.
    const base = await server();
    const tuned = await server({ answer: (prompt) => logAnalysisAnswer(`fine-tuned\n${prompt}`) });
    const written = writeOpenAISuite({ url: base.url, endpointOf: { tuned: tuned.url }, servedName: 'llama', cases: 30, batchSize: 10 });
    dirs.push(written.dir);
    const result = await runCli(['run', written.suite, '--db', written.db, '--no-report']);
    expect(result.code, result.stderr).toBe(0);
    expect([base.stats().requests, tuned.stats().requests]).toEqual([30, 30]);

    const logs = caseLogs(30);
    const answered = await queryDb<{ model_id: string; sample_id: string; output: string; cached: boolean }>(
      written.db,
      'SELECT r.model_id, p.sample_id, p.output, p.cached FROM predictions p JOIN runs r ON r.id = p.run_id ORDER BY 1, 2',
    );
    expect(answered).toHaveLength(60);
    for (const p of answered) {
      const prompt = HARNESS_PROMPT_HEAD + logs[Number(p.sample_id.slice('case-'.length))]!;
      expect(p.output).toBe(p.model_id === 'tuned' ? logAnalysisAnswer(`fine-tuned\n${prompt}`) : logAnalysisAnswer(prompt));
      expect(p.cached).toBe(false);
    }
    // One cache entry per model and prompt, both under the one served name.
    expect(await queryDb(written.db, 'SELECT model, count(*)::INTEGER AS n FROM cache GROUP BY model')).toEqual([{ model: 'llama', n: 60 }]);
  });
});

describe('an interrupt during retries', () => {
  it('stops retrying the batch in flight: its failures are stored as such (a rerun retries failed samples) and the process exits 130 at once', async () => {
    // Every request fails with a retryable 503; 40 retries with backoff would take minutes.
    const loopback = await server({ faults: [{ fault: { kind: 'status', status: 503 } }] });
    const { dir, suite, db } = writeOpenAISuite({ url: loopback.url, cases: 8, models: ['base'], batchSize: 8, concurrency: 8, maxRetries: 40 });
    dirs.push(dir);
    const child = spawn(process.execPath, [CLI, 'run', suite, '--db', db, '--no-report'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    while (loopback.stats().requests < 8) await sleep(5);
    child.kill('SIGINT');
    expect(await closed, stderr).toBe(130);
    const rows = await queryDb<{ error: string | null }>(db, 'SELECT error FROM predictions');
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.error).toMatch(/not retried: the run was interrupted/);
    const [run] = await queryDb<{ status: string }>(db, 'SELECT status FROM runs');
    expect(run!.status).toBe('interrupted');
  });
});
