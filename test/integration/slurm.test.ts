// Acceptance of `logbench slurm`: a real single-node SLURM cluster runs a 4-shard job array against two
// loopback OpenAI replicas of one model, one of them killed mid-run; the merged database must equal a
// single-process run of the same suite.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_PROMPT_HEAD } from '../../bench/harnessCases.js';
import { runCli } from '../support/cli.js';
import { promptHash, type LoopbackOpenAI } from '../support/loopback-openai.js';
import { loopbackScope } from '../support/loopback-scope.js';
import { caseLogs, queryDb, writeOpenAISuite } from '../support/run-fixtures.js';
import { slurmUnavailable, startSlurmCluster, type SlurmCluster } from '../support/slurm-cluster.js';

const unavailable = slurmUnavailable();
const { server, replicas, dirs } = loopbackScope();
let cluster: SlurmCluster | undefined;
beforeAll(async () => {
  if (!unavailable) cluster = await startSlurmCluster();
});
afterAll(async () => cluster?.stop());

const CASES = 40;
const SHARDS = 4;

/**
 * The rows that make the whole-split run's result, without run ids, timings or batch numbering. (A
 * merged database also keeps the shard runs that were retried, as they were.)
 */
async function resultOf(db: string) {
  const whole = await queryDb<{ id: string }>(db, 'SELECT id FROM runs WHERE selection IS NULL');
  expect(whole).toHaveLength(1);
  const id = whole[0]!.id;
  const of = (table: string, columns: string, order: string) => queryDb(db, `SELECT ${columns} FROM ${table} WHERE run_id = '${id}' ORDER BY ${order}`);
  return {
    predictions: await of('predictions', 'sample_id, output, label, probs::VARCHAR AS probs, score::VARCHAR AS score, tokens_in, tokens_out, error, cached', 'sample_id'),
    sampleMetrics: await of('sample_metrics', 'sample_id, name, value', 'sample_id, name'),
    metrics: await of('metrics', 'name, value, ci_low, ci_high, n', 'name'),
  };
}

describe('logbench slurm on a real SLURM cluster', () => {
  it.skipIf(unavailable !== undefined)(`a 4-shard job array on 2 replicas, one killed mid-run, merges into the single-process result; a failed shard is rerun by resubmitting, finished shards are not queried again${unavailable ? ` (skipped: ${unavailable})` : ''}`, { timeout: 240_000 }, async () => {
    const [replicaA, replicaB] = (await replicas(2, { latencyMs: 40 })) as [LoopbackOpenAI, LoopbackOpenAI];
    const { dir, suite, db: whole } = writeOpenAISuite({ url: replicaA.url, urls: [replicaA.url, replicaB.url], cases: CASES, models: ['tuned'], batchSize: 2, concurrency: 2 });
    dirs.push(dir);
    const single = await runCli(['run', suite, '--db', whole, '--no-report']);
    expect(single.code, single.stderr).toBe(0);
    expect(replicaB.stats().requests).toBeGreaterThan(0);

    // Shard 2 (samples 2, 6, 10, …) gets 400s the first time: its task fails (error rate over the suite's limit).
    const shard2 = Array.from({ length: CASES }, (_, i) => i).filter((i) => i % SHARDS === 2);
    for (const replica of [replicaA, replicaB]) replica.setFaults(shard2.map((i) => ({ match: `# case-${i}\n`, fault: { kind: 'status', status: 400 } })));
    const outDir = path.join(dir, 'slurm out'); // a space: every path in the scripts must be quoted
    mkdirSync(outDir);
    const out = path.join(outDir, 'merged.duckdb');
    const command = ['slurm', suite, '--shards', String(SHARDS), '--db', out, '--submit', '--wait', '--poll', '1'];
    const [aBefore, bBefore] = [replicaA.stats().requests, replicaB.stats().requests];
    let finished = false;
    const submitted = runCli(command, { env: cluster!.env }).finally(() => (finished = true));
    // Replica B dies once the shards are sending it requests: in flight ones are reset, new ones refused.
    while (!finished && replicaB.stats().requests < bBefore + 3) await sleep(5);
    expect(finished).toBe(false);
    await replicaB.close();
    const aAtKill = replicaA.stats().requests;
    const failed = await submitted;
    expect(failed.code, failed.stderr).toBe(1);
    // After the kill, A answered the other shards' remaining samples (not only shard 2's refused ones).
    const logs = caseLogs(CASES);
    const shard2Hashes = new Set(shard2.map((i) => promptHash(HARNESS_PROMPT_HEAD + logs[i]!)));
    expect(replicaA.stats().log.slice(aAtKill).filter((r) => !shard2Hashes.has(r.promptHash)).length).toBeGreaterThan(0);
    expect(aAtKill).toBeGreaterThan(aBefore);
    expect(failed.stderr).toMatch(/shard task\(s\) 2 of array \d+ failed \(.*merged\.shard-2-of-4\.log\); merge job \d+ was cancelled/);
    expect(failed.stderr).toMatch(/^shards: .* · merge: pending \(Dependency\)$/m);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(path.join(outDir, 'merged.shard-2-of-4.log'), 'utf8')).toContain('shard 2/4 (from the SLURM job array)');

    // The cause is fixed; the same command again (B still down): shards 0, 1, 3 are reported as they
    // are, shard 2 queries only its failed samples.
    replicaA.setFaults([]);
    const before = new Map(replicaA.stats().byPromptHash);
    const rerun = await runCli(command, { env: cluster!.env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/^shards: 4 completed · merge: completed$/m);
    expect(rerun.stdout).toContain(`merged ${SHARDS} shards into`);
    const queriedAgain = [...replicaA.stats().byPromptHash].filter(([hash, n]) => n > (before.get(hash) ?? 0)).map(([hash]) => hash);
    expect(queriedAgain.sort()).toEqual([...shard2Hashes].sort());
    for (const i of [0, 1, 3]) expect(readFileSync(path.join(outDir, `merged.shard-${i}-of-4.log`), 'utf8')).toContain('(completed before: nothing queried or written)');

    // The merged database holds exactly what one process stored, and the merge job wrote its report.
    expect(await resultOf(out)).toEqual(await resultOf(whole));
    expect((await resultOf(out)).predictions).toHaveLength(CASES);
    // merge --report: the merged run's report, no `run` of the suite (which would query failed samples again).
    expect(readFileSync(path.join(outDir, 'merged.merge.log'), 'utf8')).toMatch(/merged 4 shards of loopback\/tuned into run \S+[\s\S]*reports: .*merged-loopback-tuned\.html/);
    expect(existsSync(path.join(outDir, 'merged-loopback-tuned.html'))).toBe(true);
    // Every batch of the merged run says which replicas answered it (telemetry survives the merge).
    const answeredBy = await queryDb<{ replicas: string | null }>(out, 'SELECT replicas FROM batches WHERE run_id = (SELECT id FROM runs WHERE selection IS NULL)');
    const named = new Set(answeredBy.flatMap((b) => b.replicas?.split(', ') ?? ['(none)']));
    expect(named.has(replicaA.url)).toBe(true);
    expect([...named].every((url) => url === replicaA.url || url === replicaB.url)).toBe(true);
  });

  it.skipIf(unavailable !== undefined)(`--wait exits with the merge job's exit code when the merge job fails${unavailable ? ` (skipped: ${unavailable})` : ''}`, { timeout: 120_000 }, async () => {
    const loopback = await server();
    const { dir, suite } = writeOpenAISuite({ url: loopback.url, cases: 8, models: ['tuned'] });
    dirs.push(dir);
    const out = path.join(dir, 'blocked.duckdb');
    // The merge job cannot write its report where a folder stands: `merge --report` exits 3.
    mkdirSync(path.join(dir, 'blocked-loopback-tuned.html'));
    const result = await runCli(['slurm', suite, '--shards', '2', '--db', out, '--submit', '--wait', '--poll', '1'], { env: cluster!.env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^logbench slurm: merge job \d+ ended FAILED \(exit 3\); see .*blocked\.merge\.log$/m);
    expect(readFileSync(path.join(dir, 'blocked.merge.log'), 'utf8')).toContain('blocked-loopback-tuned.html');
  });
});
