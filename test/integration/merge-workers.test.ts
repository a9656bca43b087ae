// Issue #12: `logbench merge --workers N` rescores the merged samples on worker threads, and the
// database it writes is the one `--workers 1` and a single-process run write.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, runCli } from '../support/cli.js';
import { startLoopbackOpenAI, type LoopbackOpenAI } from '../support/loopback-openai.js';
import { queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

/** Small fixtures take the worker path: the threshold is for real runs (harness/run/scoringPool.ts). */
const POOLED = { LOGBENCH_WORKER_MIN_ITEMS: '0' };
const cleanup: string[] = [];
afterAll(() => cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * A plugin metric that notes each thread it scores on in THREADS (so the test sees the workers
 * did the work), and throws when FAIL_ANSWER_CHARS is set, as a broken metric would.
 */
const PLUGIN = `import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
export default {
  name: 'answer_length', description: 'mean answer length in characters', plainState: true,
  figures: [{ name: 'answer_chars', higherIsBetter: false, range: [0, Infinity] }],
  sampleFigures: [{ name: 'answer_chars', higherIsBetter: false, range: [0, Infinity] }],
  score: ({ output }) => {
    if (process.env.THREADS) appendFileSync(process.env.THREADS, threadId + '\\n');
    if (process.env.FAIL_ANSWER_CHARS) throw new Error('cannot count ' + output.length + ' characters');
    return output.length;
  },
  sampleValues: (n) => ({ answer_chars: n }),
  corpus: (ns) => ({ answer_chars: ns.reduce((a, b) => a + b, 0) / ns.length }),
  statistics: (ns) => ({ answer_chars: { columns: [Float64Array.from(ns), Float64Array.from(ns, () => 1)], finalize: ([s, c]) => s / c } }),
};
`;

let loopback: LoopbackOpenAI;
let dir: string;
let whole: string;
let shards: string[];

beforeAll(async () => {
  loopback = await startLoopbackOpenAI({ latencyMs: 1, faults: [{ match: '# case-9\n', fault: { kind: 'status', status: 400 } }] });
  const written = writeOpenAISuite({ url: loopback.url, cases: 90, batchSize: 9, maxRetries: 0, metrics: '[json-analysis, fuzzy, bleu, sacrebleu, rouge, chrf, {module: ./plugin.ts}]' });
  dir = written.dir;
  cleanup.push(dir);
  writeFileSync(path.join(dir, 'plugin.ts'), PLUGIN);
  whole = path.join(dir, 'whole.duckdb');
  const ran = await runCli(['run', written.suite, '--no-report', '--db', whole, '--workers', '1']);
  expect(ran.code, ran.stderr).toBe(0);
  shards = [0, 1, 2].map((i) => path.join(dir, `shard${i}.duckdb`));
  for (const [i, shard] of shards.entries()) {
    const result = await runCli(['run', written.suite, '--no-report', '--db', shard, '--shard', `${i}/3`]);
    expect(result.code, result.stderr).toBe(0);
  }
}, 120_000);
afterAll(() => loopback?.close());

/** Every per-sample score and corpus figure (with interval and n) of each model, in a fixed order. */
async function scores(file: string): Promise<{ sampleMetrics: unknown[]; metrics: unknown[] }> {
  const byModel = 'JOIN runs r ON r.id = t.run_id';
  return {
    sampleMetrics: await queryDb(file, `SELECT r.model_id, t.sample_id, t.name, t.value FROM sample_metrics t ${byModel} ORDER BY 1, 2, 3`),
    metrics: await queryDb(file, `SELECT r.model_id, t.name, t.value, t.ci_low, t.ci_high, t.n FROM metrics t ${byModel} ORDER BY 1, 2`),
  };
}

describe('logbench merge --workers', () => {
  it('writes the scores and figures of --workers 1 and of a single-process run, scored on worker threads', async () => {
    const threads = path.join(dir, 'threads.txt');
    const merged = { one: path.join(dir, 'merged-1.duckdb'), two: path.join(dir, 'merged-2.duckdb') };
    const one = await runCli(['merge', ...shards, '--db', merged.one, '--workers', '1'], { env: POOLED });
    expect(one.code, one.stderr).toBe(0);
    const two = await runCli(['merge', ...shards, '--db', merged.two, '--workers', '2'], { env: { ...POOLED, THREADS: threads } });
    expect(two.code, two.stderr).toBe(0);
    // The plugin scored on the main thread (0) and on a worker: the merge did use one.
    const seen = new Set(readFileSync(threads, 'utf8').trim().split('\n'));
    expect(seen.has('0')).toBe(true);
    expect([...seen].some((id) => id !== '0')).toBe(true);

    const [single, withOne, withTwo] = [await scores(whole), await scores(merged.one), await scores(merged.two)];
    expect(single.sampleMetrics.length).toBeGreaterThan(90 * 8);
    expect(single.metrics.some((m) => (m as { ci_low: unknown }).ci_low !== null)).toBe(true);
    for (const part of ['sampleMetrics', 'metrics'] as const) {
      expect(JSON.stringify(withOne[part]), part).toBe(JSON.stringify(single[part]));
      expect(JSON.stringify(withTwo[part]), part).toBe(JSON.stringify(single[part]));
    }

    // compare rescores both runs: on two threads it tests the same differences as on one.
    const compare = async (workers: string) => {
      const result = await runCli(['compare', 'latest:loopback/tuned', 'latest:loopback/base', '--db', merged.two, '--json', '--workers', workers], { env: POOLED });
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { metrics: { pValue: number | null }[] }).metrics;
    };
    const [compareOne, compareTwo] = [await compare('1'), await compare('2')];
    expect(compareOne.filter((m) => m.pValue !== null).length).toBeGreaterThan(3);
    expect(JSON.stringify(compareTwo)).toBe(JSON.stringify(compareOne));
    const gate = async (workers: string) => {
      const result = await runCli(['gate', '--candidate', 'latest:loopback/tuned', '--baseline', 'latest:loopback/base', '--db', merged.two, '--workers', workers], { env: POOLED });
      expect(result.stderr).not.toMatch(/error|failed/i);
      return result.stdout;
    };
    const gateOne = await gate('1');
    expect(gateOne).toMatch(/^rougeL\s/m);
    expect(await gate('2')).toBe(gateOne);
  });

  it.each([
    [{ LOGBENCH_WORKERS: '2x' }, 'LOGBENCH_WORKERS: expected a whole number ≥ 1 (digits only), got "2x"'],
    [{ LOGBENCH_WORKER_MIN_ITEMS: '-1' }, 'LOGBENCH_WORKER_MIN_ITEMS: expected a whole number ≥ 0 (digits only), got "-1"'],
  ])('refuses %o, naming the variable, before writing anything', async (env, message) => {
    const result = await runCli(['merge', ...shards, '--db', path.join(dir, 'never.duckdb')], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(`logbench merge: ${message}\n`);
    expect(existsSync(path.join(dir, 'never.duckdb'))).toBe(false);
  });

  it('gives the main thread\'s error when a plugin metric throws inside a worker, and leaves no partial target', async () => {
    const threads = path.join(dir, 'failing-threads.txt');
    const failing = { ...POOLED, FAIL_ANSWER_CHARS: '1' };
    mkdirSync(path.join(dir, 'failing'));
    const target = (name: string) => path.join(dir, 'failing', name);
    const [alone, pooled] = [
      await runCli(['merge', ...shards, '--db', target('one.duckdb'), '--workers', '1'], { env: failing }),
      await runCli(['merge', ...shards, '--db', target('two.duckdb'), '--workers', '2'], { env: { ...failing, THREADS: threads } }),
    ];
    expect(alone.code).toBe(3);
    expect(alone.stderr).toMatch(/^logbench merge: plugin metric answer_length: score failed: cannot count \d+ characters\n$/);
    expect(pooled.code).toBe(3);
    expect(pooled.stderr).toBe(alone.stderr);
    expect(readFileSync(threads, 'utf8').split('\n').some((id) => id !== '' && id !== '0')).toBe(true);
    // Neither the target nor its .partial-PID build file is left behind.
    expect(readdirSync(path.join(dir, 'failing'))).toEqual([]);
  });
});

describe('a resumed run --workers', () => {
  it('scores the samples an interrupted process stored on worker threads, with the figures of an uninterrupted run', async () => {
    const slow = await startLoopbackOpenAI({ latencyMs: 20 });
    try {
      const written = writeOpenAISuite({ url: slow.url, cases: 160, models: ['tuned'], batchSize: 8, concurrency: 2, metrics: '[json-analysis, fuzzy, bleu, rouge, chrf, {module: ./plugin.ts}]' });
      cleanup.push(written.dir);
      writeFileSync(path.join(written.dir, 'plugin.ts'), PLUGIN);
      const db = path.join(written.dir, 'resumed.duckdb');
      const child = spawn(process.execPath, [CLI, 'run', written.suite, '--db', db, '--no-report'], { cwd: REPO, stdio: 'ignore' });
      while (slow.stats().requests < 40) await sleep(5);
      child.kill('SIGINT');
      expect(await new Promise((resolve) => child.once('close', resolve))).toBe(130);
      const before = await queryDb<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM predictions');
      expect(before[0]?.n).toBeGreaterThan(0);
      expect(before[0]?.n).toBeLessThan(160);

      const threads = path.join(written.dir, 'resumed-threads.txt');
      const resumed = await runCli(['run', written.suite, '--db', db, '--no-report', '--workers', '2'], { env: { ...POOLED, THREADS: threads } });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('(resumed)');
      // This process scored its own samples on the main thread and the stored ones on a worker.
      const seen = new Set(readFileSync(threads, 'utf8').trim().split('\n'));
      expect(seen.has('0')).toBe(true);
      expect([...seen].some((id) => id !== '0')).toBe(true);

      const uninterrupted = path.join(written.dir, 'uninterrupted.duckdb');
      const clean = await runCli(['run', written.suite, '--db', uninterrupted, '--no-report', '--workers', '1']);
      expect(clean.code, clean.stderr).toBe(0);
      const [a, b] = [await scores(db), await scores(uninterrupted)];
      expect(a.metrics.length).toBeGreaterThan(5);
      expect(JSON.stringify(a.metrics)).toBe(JSON.stringify(b.metrics));
      expect(JSON.stringify(a.sampleMetrics)).toBe(JSON.stringify(b.sampleMetrics));
    } finally {
      await slow.close();
    }
  });
});
