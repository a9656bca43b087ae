// OpenAIChatRunner over several replicas, through the real openai client against loopback servers.
import { describe, expect, it } from 'vitest';
import type { RenderedRequest } from '../../core/prediction.js';
import { OpenAIChatRunner } from '../../harness/runners/openai.js';
import { logAnalysisAnswer } from '../support/loopback-openai.js';
import { loopbackScope } from '../support/loopback-scope.js';

const { replicas } = loopbackScope();

const request = (i: number): RenderedRequest => ({ sample: { id: `s${i}`, input: `line ${i}`, meta: {} }, messages: [{ role: 'user', content: `line ${i}` }] });
const requests = (n: number) => Array.from({ length: n }, (_, i) => request(i));

describe('OpenAIChatRunner over replicas', () => {
  it('keeps sending to a replica whose 4xx (other than 429) are the request’s fault, and names the replica that answered', async () => {
    const [healthy, refusing] = await replicas(2);
    refusing!.setFaults([{ fault: { kind: 'status', status: 400, message: 'bad request' } }]);
    const runner = new OpenAIChatRunner({ model: 'loopback', baseURL: [healthy!.url, refusing!.url], concurrency: 4, maxRetries: 2, retryBaseMs: 1, retryMaxMs: 5 });
    const predictions = await runner.runBatch(requests(40));
    const refused = predictions.filter((p) => p.error !== undefined);
    // Not backed off: it goes on getting its share (three 5xx in a row would have stopped it at a handful).
    expect(refusing!.stats().requests).toBeGreaterThan(10);
    expect(refused).toHaveLength(refusing!.stats().requests);
    for (const p of refused) expect(p.error).toMatch(/^HTTP 400 .*\(not retryable, 1 attempt\)$/);
    for (const p of predictions.filter((p) => p.error === undefined)) {
      expect(p.replica).toBe(healthy!.url);
      expect(p.text).toBe(logAnalysisAnswer(`line ${p.sampleId.slice(1)}`));
    }
    expect(healthy!.stats().requests + refusing!.stats().requests).toBe(40);
  });

  it('stops waiting for a backed-off replica when the run is interrupted: the samples are stored as errors at once', async () => {
    const [a, b] = await replicas(2);
    const urls = [a!.url, b!.url];
    await Promise.all([a!.close(), b!.close()]);
    // A minute's back-off: without the interrupt, the batch would wait for it.
    const runner = new OpenAIChatRunner({ model: 'loopback', baseURL: urls, concurrency: 4, maxRetries: 3, retryBaseMs: 1, retryMaxMs: 5, replicaPolicy: { backoffBaseMs: 60_000 } });
    const interrupt = new AbortController();
    const batch = runner.runBatch(requests(6), undefined, { stopRetrying: interrupt.signal });
    setTimeout(() => interrupt.abort(), 300);
    const predictions = await batch;
    expect(predictions).toHaveLength(6);
    for (const p of predictions) expect(p.error).toMatch(/\(not retried: the run was interrupted.*; the next run retries it\)$/);
  });
});
