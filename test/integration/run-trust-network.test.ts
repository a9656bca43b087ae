// What a server can do to a run through its answers and its URL: huge bodies, echoed keys, credentials in the endpoint.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO, runCli } from '../support/cli.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { everyOutputOf, queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

const { server, dirs } = loopbackScope();

function suiteFor(options: Parameters<typeof writeOpenAISuite>[0]): ReturnType<typeof writeOpenAISuite> {
  const written = writeOpenAISuite(options);
  dirs.push(written.dir);
  return written;
}

type PredictionRow = { sample_id: string; output: string | null; error: string | null };

describe('answers larger than max_response_bytes', () => {
  it('fail their samples unretried while 8 concurrent 50 MB answers keep the peak RSS under 1 GB, and the run goes on', async () => {
    const loopback = await server({ faults: [{ first: 8, fault: { kind: 'huge', bytes: 50_000_000 } }] });
    const { dir, suite, db } = suiteFor({ url: loopback.url, cases: 20, models: ['big'], concurrency: 8, batchSize: 20, maxRetries: 3 });
    // The child writes its own peak RSS (KiB) as it exits: measured by the kernel, not sampled.
    const preload = path.join(dir, 'peak-rss.mjs');
    const rssFile = path.join(dir, 'peak-rss.txt');
    writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    const result = await runCli(['run', suite, '--db', db, '--no-cache'], { env: { NODE_OPTIONS: `--import=${preload}` } });
    expect(result.code, result.stderr).toBe(0);

    const peakRssBytes = Number(readFileSync(rssFile, 'utf8')) * 1024;
    expect(peakRssBytes).toBeGreaterThan(0);
    expect(peakRssBytes).toBeLessThan(1024 ** 3);
    const predictions = await queryDb<PredictionRow>(db, 'SELECT sample_id, output, error FROM predictions ORDER BY sample_id');
    expect(predictions).toHaveLength(20);
    const failed = predictions.filter((p) => p.error !== null);
    expect(failed).toHaveLength(8);
    for (const p of failed) expect(p.error).toBe('answer larger than max_response_bytes (4194304) (not retryable, 1 attempt)');
    expect(loopback.stats().requests).toBe(20); // none of the eight was asked again
    expect(readFileSync(db).length).toBeLessThan(50_000_000);
  });
});

describe('credentials in the endpoint and metrics URLs', () => {
  const secrets = ['alice-user', 'PASSWORD-s3cr3t', 'TOKEN-s3cr3t-77', 'bob-metrics', 'METRICS-PASS-99', 'METRICS-TOKEN-42'];

  it('reach the server but not one byte of the database, its WAL, export-run, Parquet, the report, stdout or stderr', async () => {
    const loopback = await server({ latencyMs: 1 });
    const withToken = (url: string) => url.replace('http://', 'http://alice-user:PASSWORD-s3cr3t@') + '?token=TOKEN-s3cr3t-77';
    const { dir, suite, db } = suiteFor({ url: withToken(loopback.url), cases: 120, models: ['m'], batchSize: 10, concurrency: 4 });
    // A metrics URL the server does not serve: every scrape fails and its warning quotes the URL.
    const metricsUrl = `http://bob-metrics:METRICS-PASS-99@127.0.0.1:${loopback.port}/metrics?token=METRICS-TOKEN-42`;
    writeFileSync(suite, readFileSync(suite, 'utf8').replace(/(    endpoint: .*\n)/, `$1    metrics_url: ${metricsUrl}\n`));
    // The server quotes the URL and the token back in an error body, as some do.
    loopback.setFaults([{ match: '# case-3\n', fault: { kind: 'status', status: 400, message: `no such route ${withToken(loopback.url)} (token TOKEN-s3cr3t-77)` } }]);
    const outputs: string[] = [];

    // Killed mid-run, the write-ahead log is left as it was written.
    const child = spawn(process.execPath, [CLI, 'run', suite, '--db', db], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => outputs.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => outputs.push(d));
    const closed = new Promise((resolve) => child.once('close', resolve));
    let exited = false;
    void closed.then(() => (exited = true));
    while (loopback.stats().requests < 40 && !exited) await new Promise((resolve) => setImmediate(resolve));
    child.kill('SIGKILL');
    await closed;
    expect(loopback.stats().requests).toBeGreaterThanOrEqual(40);
    expect(existsSync(`${db}.wal`)).toBe(true);
    outputs.push(readFileSync(`${db}.wal`, 'latin1'));

    const run = await runCli(['run', suite, '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    outputs.push(run.stdout, run.stderr);
    const predictions = await queryDb<PredictionRow>(db, 'SELECT sample_id, output, error FROM predictions ORDER BY sample_id');
    // The endpoint's query went to the server as a query: every other answer came back.
    expect(predictions.filter((p) => p.error === null)).toHaveLength(119);
    expect(predictions.find((p) => p.sample_id === 'case-3')?.error).toBe(
      `HTTP 400 no such route http://127.0.0.1:${loopback.port}/v1 (token [redacted]) (not retryable, 1 attempt)`,
    );
    expect(run.stderr).toContain(`vLLM metrics scrape failed: http://127.0.0.1:${loopback.port}/metrics answered 404`);

    const id = (await queryDb<{ id: string }>(db, 'SELECT id FROM runs'))[0]?.id as string;
    // Every file the commands wrote (the database, the export, Parquet, the run's and report's HTML): only the suite itself holds the secrets.
    outputs.push(...(await everyOutputOf(db, id, dir)));
    const stored = JSON.parse(readFileSync(path.join(dir, 'export.json'), 'utf8')) as { run: { suite: { models: { endpoint: string; metrics_url: string }[] } } };
    expect(stored.run.suite.models[0]).toMatchObject({ endpoint: loopback.url, metrics_url: `http://127.0.0.1:${loopback.port}/metrics` });

    for (const secret of secrets) for (const output of outputs) expect(output.includes(secret), secret).toBe(false);
  });
});

describe('an API key the server echoes back', () => {
  const KEY = 'sk-echo-ECHOED-KEY-0451';

  it('is redacted from stored answers and error messages', async () => {
    const loopback = await server({
      apiKey: KEY,
      // A server that quotes the Authorization header it got, in answers and in a 400 body.
      answer: (prompt) => `{"summary": ["seen Authorization: Bearer ${KEY}"], "prompt_chars": ${prompt.length}}`,
      faults: [{ match: '# case-2\n', fault: { kind: 'status', status: 400, message: `bad request from Bearer ${KEY}` } }],
    });
    const { db, suite } = suiteFor({ url: loopback.url, cases: 6, models: ['echo'], apiKeyEnv: 'LOGBENCH_ECHO_KEY' });
    const result = await runCli(['run', suite, '--db', db], { env: { LOGBENCH_ECHO_KEY: KEY } });
    expect(result.code, result.stderr).toBe(0);
    expect(loopback.stats().unauthorized).toBe(0);

    const predictions = await queryDb<PredictionRow>(db, 'SELECT sample_id, output, error FROM predictions ORDER BY sample_id');
    expect(predictions.find((p) => p.sample_id === 'case-0')?.output).toMatch(/^\{"summary": \["seen Authorization: Bearer \[redacted\]"\]/);
    expect(predictions.find((p) => p.sample_id === 'case-2')?.error).toBe('HTTP 400 bad request from Bearer [redacted] (not retryable, 1 attempt)');
    expect(readFileSync(db).includes(KEY)).toBe(false); // the response cache included
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });
});
