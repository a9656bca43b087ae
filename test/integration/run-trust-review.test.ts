// Findings of the adversarial review of issue #10, through the built CLI against loopback servers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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

type PredictionRow = { sample_id: string; output: string | null; error: string | null; tokens_in: number | null; tokens_out: number | null };

describe('an endpoint whose credentials hold quotes, with a fragment, and a server that echoes them in its answers', () => {
  const PASSWORD = "PA'SS-word-42";
  const TOKEN = "TO'K-secret-9";
  const secrets = [PASSWORD, TOKEN, encodeURIComponent(TOKEN).replace(/'/g, '%27')];

  it('reaches the right path, keeps every answer, and stores no byte of a credential anywhere', async () => {
    const loopback = await server({
      // The echo a server may make of what it was sent: the URL's password and token, raw and encoded.
      answer: () => JSON.stringify({ summary: [`auth usr:${PASSWORD} token=${TOKEN} ${secrets[2]}`], risk_score: 1 }),
      // Token counts as some servers send them: strings and nulls.
      usage: (prompt) => (prompt.includes('# case-1\n') ? { prompt_tokens: '12', completion_tokens: null } : undefined),
    });
    const endpoint = loopback.url.replace('http://', `http://usr:${PASSWORD}@`) + `?token=${TOKEN}#frag`;
    const { dir, suite, db } = suiteFor({ url: endpoint, cases: 6, models: ['m'] });
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('name: loopback\n', `name: loopback\ndescription: "served at ${endpoint.replace(/"/g, '\\"')}"\n`));

    const run = await runCli(['run', suite, '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    // A fragment once swallowed the request path: every request then got a 404.
    expect(loopback.stats().requests).toBe(6);
    const predictions = await queryDb<PredictionRow>(db, 'SELECT sample_id, output, error, tokens_in, tokens_out FROM predictions ORDER BY sample_id');
    expect(predictions.map((p) => p.error)).toEqual(Array(6).fill(null));
    expect(predictions[0]?.output).toBe(JSON.stringify({ summary: ['auth usr:[redacted] token=[redacted] [redacted]'], risk_score: 1 }));
    // A count that is not a number is unknown; the answer is kept.
    expect(predictions.find((p) => p.sample_id === 'case-1')).toMatchObject({ error: null, tokens_in: null, tokens_out: null });
    expect(run.stderr).toContain('m: the server reported prompt_tokens = NaN, not a whole number');

    const id = (await queryDb<{ id: string }>(db, 'SELECT id FROM runs'))[0]?.id as string;
    const outputs = [run.stdout, run.stderr, ...(await everyOutputOf(db, id, dir))];
    const exported = JSON.parse(readFileSync(path.join(dir, 'export.json'), 'utf8')) as { run: { suite: { description: string; models: { endpoint: string }[] } } };
    expect(exported.run.suite.models[0]?.endpoint).toBe(loopback.url);
    expect(exported.run.suite.description).toBe(`served at ${loopback.url}`);
    for (const secret of secrets) for (const output of outputs) expect(output.includes(secret), secret).toBe(false);
  });
});

describe('server text on the terminal', () => {
  it('prints the commonest errors of a failing run with their control characters escaped', async () => {
    const hostile = 'boom \u001b[2J\u001b[31mFAKE: all good\u001b]0;pwned\u0007\r\u001b[Kline';
    const loopback = await server({ faults: [{ fault: { kind: 'status', status: 400, message: hostile } }] });
    const { suite, db } = suiteFor({ url: loopback.url, cases: 4, models: ['m'] });
    const run = await runCli(['run', suite, '--db', db, '--no-report']);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain('  4 × HTTP 400 boom \\x1b[2J\\x1b[31mFAKE: all good\\x1b]0;pwned\\x07\\x0d\\x1b[Kline (not retryable, 1 attempt)\n');
    expect(run.stdout + run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('run --limit', () => {
  it('that keeps the whole split is the whole-split run, and is written in whole digits only', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-limit-'));
    dirs.push(dir);
    const db = path.join(dir, 'runs.duckdb');
    // The default suite's split holds 40 samples.
    const limited = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db, '--limit', '40']);
    expect(limited.code, limited.stderr).toBe(0);
    const whole = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/rules: run \S+ \(completed before: nothing queried or written\), 0 queried/);
    expect(await queryDb<{ selection: string | null }>(db, 'SELECT selection FROM runs')).toEqual([{ selection: null }]);

    for (const limit of ['1e1', '0x10', '4.0', ' 4', '0']) {
      const refused = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db, '--limit', limit]);
      expect(refused.code, limit).toBe(3);
      expect(refused.stderr).toContain(`--limit: expected a whole number ≥ 1 (digits only), got "${limit}"`);
    }
  });
});

describe('logbench metrics without pairs', () => {
  it('refuses an empty file or stdin, like classify-metrics, printing nothing on stdout', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-no-pairs-'));
    dirs.push(dir);
    const empty = path.join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    for (const args of [['metrics', '--pairs', empty], ['metrics', '--pairs', empty, '--workers', '2'], ['classify-metrics', '--pairs', empty]]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr).toBe(`logbench ${args[0]}: ${empty}: no pairs\n`);
      expect(result.stdout).toBe('');
    }
    const stdin = await runCli(['metrics', '--pairs', '-'], { input: '' });
    expect(stdin.code).toBe(3);
    expect(stdin.stderr).toBe('logbench metrics: -: no pairs\n');
  });
});

describe('files a command writes over', () => {
  it('stay whole when the write fails part way (a full disk): report -o, export-run -o and publish write beside and rename', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-atomic-'));
    dirs.push(dir);
    const db = path.join(dir, 'runs.duckdb');
    const run = await runCli(['run', 'suites/default.yaml', '--only', 'rules', '--no-report', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    const site = path.join(dir, 'site');
    const outputs = [
      { file: path.join(dir, 'report.html'), args: ['report', '--db', db, '--run', 'latest:default/rules', '-o', path.join(dir, 'report.html')] },
      { file: path.join(dir, 'export.json'), args: ['export-run', '--db', db, '--run', 'latest:default/rules', '-o', path.join(dir, 'export.json')] },
      { file: path.join(site, 'index.html'), args: ['publish', '--db', db, '--out', site] },
    ];
    for (const { args } of outputs) {
      const written = await runCli(args);
      expect(written.code, written.stderr).toBe(0);
    }
    for (const { file, args } of outputs) {
      // The good file, made larger than what the next write may put on disk.
      const good = readFileSync(file, 'utf8') + `<!-- ${'x'.repeat(16 * 1024)} -->\n`;
      writeFileSync(file, good);
      // `ulimit -f` (KiB) fails every write past 8 KiB with EFBIG, as a full disk fails with ENOSPC.
      const failed = spawnSync('bash', ['-c', 'ulimit -f 8; exec "$0" "$@"', process.execPath, CLI, ...args], { cwd: REPO, encoding: 'utf8' });
      expect(failed.status, `${args[0]}: ${failed.stderr}`).not.toBe(0);
      expect(failed.stderr).toMatch(/EFBIG|file too large/);
      expect(readFileSync(file, 'utf8'), args[0]).toBe(good);
      expect(readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    }
  });
});
