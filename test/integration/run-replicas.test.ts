import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { HARNESS_PROMPT_HEAD } from '../../bench/harnessCases.js';
import { runCli } from '../support/cli.js';
import { logAnalysisAnswer } from '../support/loopback-openai.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { caseLogs, everyOutputOf, queryDb, writeOpenAISuite } from '../support/run-fixtures.js';

const { server, replicas, dirs } = loopbackScope();

type PredictionRow = { sample_id: string; output: string | null; error: string | null };
const predictionsOf = (db: string) => queryDb<PredictionRow>(db, 'SELECT sample_id, output, error FROM predictions ORDER BY sample_id');
const batchReplicasOf = async (db: string) => (await queryDb<{ replicas: string | null }>(db, 'SELECT replicas FROM batches ORDER BY batch_index')).map((b) => b.replicas);

/** A suite at `urls` (one: `endpoint`; more: `endpoints`) in a fresh folder. */
function suiteAt(urls: string[], options: { cases: number; batchSize?: number; concurrency?: number; maxRetries?: number }) {
  const written = writeOpenAISuite({ url: urls[0]!, ...(urls.length > 1 && { urls }), models: ['tuned'], ...options });
  dirs.push(written.dir);
  return written;
}

describe('logbench run against several replicas of one model', () => {
  it('shares the load: each request goes to the replica with the fewest in flight, and every batch records both', async () => {
    const [a, b] = await replicas(2, { latencyMs: 5 });
    const { suite, db } = suiteAt([a!.url, b!.url], { cases: 200, batchSize: 50, concurrency: 8 });
    const result = await runCli(['run', suite, '--db', db]);
    expect(result.code, result.stderr).toBe(0);

    const [statsA, statsB] = [a!.stats(), b!.stats()];
    expect(statsA.requests + statsB.requests).toBe(200); // each sample asked once
    for (const stats of [statsA, statsB]) {
      expect(stats.requests).toBeGreaterThan(60);
      // 8 in flight over 2 replicas, the least busy first: never more than 4 on one.
      expect(stats.maxInFlight).toBeLessThanOrEqual(4);
    }
    expect(await batchReplicasOf(db)).toEqual(Array(4).fill([a!.url, b!.url].sort().join(', ')));
    expect((await predictionsOf(db)).filter((p) => p.error !== null)).toEqual([]);
  });

  it('loses and repeats no sample when a replica dies mid-run: the rest go to the other, the answers as with one endpoint (another run: another set of endpoints)', async () => {
    const [a, b] = await replicas(2, { latencyMs: 3 });
    // No retries at all: failing over from a dead replica must not need one.
    const { suite, db } = suiteAt([a!.url, b!.url], { cases: 400, batchSize: 50, concurrency: 8, maxRetries: 0 });
    const run = runCli(['run', suite, '--db', db]);
    while (a!.stats().requests + b!.stats().requests < 150) await sleep(2);
    const servedByB = b!.stats().requests;
    await b!.close();
    const result = await run;
    expect(result.code, result.stderr).toBe(0);

    const predictions = await predictionsOf(db);
    expect(predictions).toHaveLength(400);
    expect(new Set(predictions.map((p) => p.sample_id)).size).toBe(400);
    expect(predictions.filter((p) => p.error !== null)).toEqual([]);
    // Every sample B did not answer was asked of A once: at most the ones in flight on B when it died are asked twice.
    expect(a!.stats().requests).toBeGreaterThanOrEqual(400 - servedByB);
    expect(a!.stats().requests).toBeLessThanOrEqual(400 - servedByB + 8);
    const batches = await batchReplicasOf(db);
    expect(batches[0]).toBe([a!.url, b!.url].sort().join(', '));
    expect(batches.at(-1)).toBe(a!.url);

    // The same suite at one endpoint: the same answers, byte for byte, but not the same run (where a
    // model is served is part of its identity: another endpoint may serve other weights).
    const single = await server({ latencyMs: 0 });
    const alone = suiteAt([single.url], { cases: 400, batchSize: 50, concurrency: 8, maxRetries: 0 });
    expect((await runCli(['run', alone.suite, '--db', alone.db])).code).toBe(0);
    expect((await predictionsOf(alone.db)).map((p) => p.output)).toEqual(predictions.map((p) => p.output));
    const cases = caseLogs(400);
    for (const p of predictions) expect(p.output).toBe(logAnalysisAnswer(HARNESS_PROMPT_HEAD + cases[Number(p.sample_id.slice('case-'.length))]!));
    const keyOf = async (file: string) => (await queryDb<{ run_key: string; config_hash: string }>(file, 'SELECT run_key, config_hash FROM runs'))[0];
    const [replicated, oneEndpoint] = [await keyOf(db), await keyOf(alone.db)];
    expect(replicated?.run_key).not.toBe(oneEndpoint?.run_key);
    expect(replicated?.config_hash).not.toBe(oneEndpoint?.config_hash);
  });

  it('takes the same replicas listed in another order for the same run: a rerun finds it complete and queries nothing', async () => {
    const [a, b] = await replicas(2);
    const { suite, db } = suiteAt([a!.url, b!.url], { cases: 20, batchSize: 10 });
    expect((await runCli(['run', suite, '--db', db, '--no-report'])).code).toBe(0);
    const asked = a!.stats().requests + b!.stats().requests;
    const reordered = suiteAt([b!.url, a!.url], { cases: 20, batchSize: 10 });
    const rerun = await runCli(['run', reordered.suite, '--db', db, '--no-report']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(a!.stats().requests + b!.stats().requests).toBe(asked);
    expect(await queryDb(db, 'SELECT count(*)::INTEGER AS n FROM runs')).toEqual([{ n: 1 }]);
  });

  it('backs off a replica that answers 5xx three times in a row: it gets a probe per back-off, the others its requests, no retry spent', async () => {
    const [good, failing] = await replicas(2, { latencyMs: 2 });
    failing!.setFaults([{ fault: { kind: 'status', status: 503 } }]);
    const { suite, db } = suiteAt([good!.url, failing!.url], { cases: 300, batchSize: 50, concurrency: 8, maxRetries: 0 });
    const result = await runCli(['run', suite, '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    expect((await predictionsOf(db)).filter((p) => p.error !== null)).toEqual([]);
    expect(good!.stats().requests).toBe(300);
    // Without the back-off it would get half of the 300; with it, the requests sent before its third
    // 503 came back (at most 8 in flight) and one probe per back-off (1 s, 2 s, 4 s, …).
    expect(failing!.stats().requests).toBeGreaterThanOrEqual(3);
    expect(failing!.stats().requests).toBeLessThan(20);
    expect(await batchReplicasOf(db)).toEqual(Array(6).fill(good!.url));
  });

  it('fails cleanly when every replica is down: each sample stored with its error, exit 4 above max_error_rate', async () => {
    const [a, b] = await replicas(2);
    const urls = [a!.url, b!.url];
    await Promise.all([a!.close(), b!.close()]);
    const { suite, db } = suiteAt(urls, { cases: 8, batchSize: 4, concurrency: 4, maxRetries: 1 });
    const result = await runCli(['run', suite, '--db', db]);
    expect(result.code, result.stderr).toBe(4);
    const predictions = await predictionsOf(db);
    expect(predictions).toHaveLength(8);
    for (const p of predictions) {
      expect(p.output).toBeNull();
      // A free failover where the other replica was still open when this one failed, and the one retry.
      expect(p.error).toMatch(/^connection error: .* \(gave up after [23] attempts( on 2 replicas)?\)$/);
    }
    expect(await batchReplicasOf(db)).toEqual([null, null]);
    expect((await queryDb<{ status: string }>(db, 'SELECT status FROM runs'))[0]?.status).toBe('completed');
  });

  it('stores its replicas without their credentials, anywhere', async () => {
    const [a, b] = await replicas(2);
    const withSecret = (url: string) => url.replace('http://', 'http://user:pw-REPLICA-SECRET@') + '?token=tok-REPLICA-SECRET';
    const { suite, db, dir } = suiteAt([withSecret(a!.url), withSecret(b!.url)], { cases: 10 });
    const result = await runCli(['run', suite, '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('REPLICA-SECRET');
    expect(readFileSync(db).includes('REPLICA-SECRET')).toBe(false);
    const [run] = await queryDb<{ endpoint: string }>(db, 'SELECT endpoint FROM runs');
    expect(run?.endpoint).toBe(`${a!.url}, ${b!.url}`);
    const served = [a!.url, b!.url].sort().join(', ');
    expect(await batchReplicasOf(db)).toEqual([served]);
    const [{ id } = { id: '' }] = await queryDb<{ id: string }>(db, 'SELECT id FROM runs');
    const outputs = await everyOutputOf(db, id, dir);
    for (const output of outputs) expect(output).not.toContain('REPLICA-SECRET');

    // The batch's replicas travel with an exported run, and are read back by import-run.
    const other = suiteAt([a!.url], { cases: 10 });
    expect((await runCli(['run', other.suite, '--db', other.db])).code).toBe(0);
    const imported = await runCli(['import-run', path.join(dir, 'export.json'), '--db', other.db]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(await queryDb<{ replicas: string | null }>(other.db, `SELECT replicas FROM batches WHERE run_id = '${id}'`)).toEqual([{ replicas: served }]);
  });
});
