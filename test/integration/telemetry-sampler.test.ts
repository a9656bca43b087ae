// TelemetrySampler end to end: a fake nvidia-smi on PATH and a 127.0.0.1 vLLM /metrics page, around one batch.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Prediction } from '../../core/prediction.js';
import { TelemetrySampler } from '../../harness/telemetry/sampler.js';
import { installFakeNvidiaSmi, type FakeNvidiaSmi } from '../../harness/telemetry/fixtures/fakeNvidiaSmi.js';
import { startMetricsServer, type MetricsServer } from '../../harness/telemetry/fixtures/metricsServer.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../harness/telemetry/fixtures/${name}`, import.meta.url), 'utf8');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const predictions: Prediction[] = [
  { sampleId: 'a', text: 'anomalous', latencyMs: 120, tokensIn: 600, tokensOut: 250 },
  { sampleId: 'b', text: 'normal', latencyMs: 80, tokensIn: 580, tokensOut: 262 },
];

let fake: FakeNvidiaSmi | undefined;
let server: MetricsServer | undefined;
let sampler: TelemetrySampler | undefined;
afterEach(async () => {
  await sampler?.stop();
  await fake?.remove();
  await server?.close();
  sampler = fake = server = undefined;
});

describe('TelemetrySampler', () => {
  it('joins wall/CPU/RSS, GPU figures over the batch window and the server deltas into one record', async () => {
    fake = await installFakeNvidiaSmi('nvidia-smi-geforce-mixed.csv');
    const pages = [fixture('vllm-v1-metrics-before.txt'), fixture('vllm-v1-metrics-after.txt')];
    // The server did the fixture's 32 requests during the first batch and nothing during the second.
    server = await startMetricsServer((n) => ({ status: 200, body: pages[Math.min(n, 1)] as string }));
    sampler = new TelemetrySampler({
      gpu: { intervalMs: 50, env: fake.env },
      prometheusUrl: server.url,
    });

    expect(await sampler.start()).toEqual({ available: true, gpuName: 'GeForce GTX 1080 Ti + GeForce GTX 1060 6GB' });
    expect(sampler.gpuName).toBe('GeForce GTX 1080 Ti + GeForce GTX 1060 6GB');

    const window = await sampler.batchWindow(4);
    await sleep(300);
    const telemetry = await window.finish(predictions);

    expect(server.accepts).toHaveLength(2);
    expect(telemetry).toMatchObject({ batchIndex: 4, size: 2, tokensIn: 1180, tokensOut: 512, latencyMaxMs: 120 });
    expect(telemetry.wallMs).toBeGreaterThan(0);
    expect(telemetry.rssPeakBytes).toBeGreaterThan(0);
    expect(telemetry.gpuMemPeakMb).toBe(2856 + 4);
    expect(telemetry.gpuMemDeltaMb).toBe(0);
    expect(telemetry.gpuUtilMax).toBeGreaterThanOrEqual(36);
    expect(telemetry.gpuTimeMs).toBeGreaterThan(0);
    expect(telemetry.server).toMatchObject({ promptTokens: 18944, generationTokens: 8192, requestsFinished: 32 });
    expect(telemetry.server?.e2eLatencyMeanMs).toBeCloseTo(1935, 6);
    await expect(window.finish(predictions)).rejects.toThrow('called twice');

    // The next batch starts from the page read when this one closed: one more scrape, not two.
    const next = await (await sampler.batchWindow(5)).finish(predictions);
    expect(server.accepts).toHaveLength(3);
    expect(next.server).toMatchObject({ promptTokens: 0, requestsFinished: 0, e2eLatencyMeanMs: null });
  });

  it('scrapes every replica of a model: their counters add up, and one page missing leaves the batch without server figures', async () => {
    const pages = [fixture('vllm-v1-metrics-before.txt'), fixture('vllm-v1-metrics-after.txt')];
    server = await startMetricsServer((n) => ({ status: 200, body: pages[Math.min(n, 1)] as string }));
    let second = 0;
    const replica = await startMetricsServer((n) => (second++ < 2 ? { status: 200, body: pages[Math.min(n, 1)] as string } : { status: 503, body: 'down' }));
    try {
      const warnings: string[] = [];
      sampler = new TelemetrySampler({ gpu: false, prometheusUrl: [server.url, replica.url], onWarning: (w) => warnings.push(w) });
      await sampler.start();
      // Each replica did the fixture's 32 requests during the batch.
      const both = await (await sampler.batchWindow(0)).finish(predictions);
      expect(both.server).toMatchObject({ promptTokens: 2 * 18944, generationTokens: 2 * 8192, requestsFinished: 64 });
      expect(both.server?.e2eLatencyMeanMs).toBeCloseTo(1935, 6);
      expect(warnings).toEqual([]);
      // The second replica stops answering: a sum over the first alone would pass for both.
      const next = await (await sampler.batchWindow(1)).finish(predictions);
      expect(next.server).toBeNull();
      expect(warnings).toEqual([`vLLM metrics scrape failed: ${replica.url} answered 503 Service Unavailable`]);
    } finally {
      await replica.close();
    }
  });

  it('still records the batch when there is no GPU and the server fails, and says why', async () => {
    server = await startMetricsServer(() => ({ status: 500, body: 'Internal Server Error' }));
    const warnings: string[] = [];
    sampler = new TelemetrySampler({ gpu: false, prometheusUrl: server.url, onWarning: (w) => warnings.push(w) });

    expect(await sampler.start()).toEqual({ available: false, reason: 'GPU sampling is off for this run' });
    const telemetry = await (await sampler.batchWindow(0)).finish(predictions);

    expect(telemetry.size).toBe(2);
    expect(telemetry.gpuTimeMs).toBeNull();
    expect(telemetry.gpuMemPeakMb).toBeNull();
    expect(telemetry.server).toBeNull();
    expect(warnings).toEqual([
      `vLLM metrics scrape failed: ${server.url} answered 500 Internal Server Error`,
      `vLLM metrics scrape failed: ${server.url} answered 500 Internal Server Error`,
    ]);
  });

  it('leaves `server` out when no metrics URL is configured, and says why the GPU columns are null', async () => {
    sampler = new TelemetrySampler({ gpu: { env: { PATH: '/nonexistent' } } });
    expect((await sampler.start()).available).toBe(false);
    const telemetry = await (await sampler.batchWindow(1)).finish([]);
    expect(telemetry).not.toHaveProperty('server');
    expect(telemetry.gpuUtilAvg).toBeNull();
    expect(telemetry.energyJ).toBeNull();
    expect(telemetry.gpuSource).toBeNull();
    expect(telemetry.telemetryNote).toBe('no GPU visible (nvidia-smi not found on PATH)');
  });

  it('integrates nvidia-smi power.draw into the batch energy (recorded H100: 69.85 W idle, 631.95 W loaded)', async () => {
    fake = await installFakeNvidiaSmi('nvidia-smi-h100-power.csv');
    sampler = new TelemetrySampler({ gpu: { intervalMs: 50, env: fake.env } });
    expect(await sampler.start()).toEqual({ available: true, gpuName: 'NVIDIA H100 80GB HBM3' });
    const window = await sampler.batchWindow(0);
    await sleep(400);
    const telemetry = await window.finish(predictions);
    expect(telemetry.gpuSource).toBe('nvidia-smi');
    expect(telemetry.telemetryNote).toBeNull();
    // Whatever rounds the window saw, its power lay between the idle and the loaded reading.
    expect(telemetry.powerAvgW).toBeGreaterThanOrEqual(69.85);
    expect(telemetry.powerAvgW).toBeLessThanOrEqual(631.95);
    // To within the sub-µs rounding of epoch-ms window edges.
    expect(telemetry.energyJ).toBeCloseTo(((telemetry.powerAvgW as number) * telemetry.wallMs) / 1000, 3);
  });
});
