// scrapeVllmMetrics against a 127.0.0.1 server serving a recorded vLLM /metrics page.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_METRICS_PAGE_BYTES, scrapeVllmMetrics } from '../../harness/telemetry/prometheus.js';
import { startMetricsServer, type MetricsResponse, type MetricsServer } from '../../harness/telemetry/fixtures/metricsServer.js';

const v1Page = readFileSync(new URL('../../harness/telemetry/fixtures/vllm-v1-metrics-before.txt', import.meta.url), 'utf8');

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(respond: (n: number) => MetricsResponse | null): Promise<string> {
  server = await startMetricsServer(respond);
  return server.url;
}

describe('scrapeVllmMetrics', () => {
  it('fetches and reads a vLLM page, asking for the 0.0.4 text format', async () => {
    const url = await serve(() => ({ status: 200, body: v1Page }));
    expect(await scrapeVllmMetrics(url)).toEqual({
      ok: true,
      snapshot: {
        promptTokens: 987654,
        generationTokens: 412345,
        e2eLatencySumS: 3901.338000000001,
        e2eLatencyCount: 2048,
        kvCacheUsage: 0,
        requestsRunning: 0,
      },
    });
    expect(server?.accepts).toEqual(['text/plain;version=0.0.4']);
  });

  it('reports an HTTP error status without throwing', async () => {
    const url = await serve(() => ({ status: 503, body: 'Service Unavailable' }));
    const result = await scrapeVllmMetrics(url);
    expect(result).toEqual({ ok: false, reason: `${url} answered 503 Service Unavailable` });
  });

  it('reports a page that is not the exposition format, naming the line', async () => {
    const url = await serve(() => ({ status: 200, body: 'vllm:prompt_tokens_total 1.0\n<html>oops</html>\n' }));
    const result = await scrapeVllmMetrics(url);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('line 2: expected a metric name');
  });

  it('gives up on a server that never answers after the timeout', async () => {
    const url = await serve(() => null);
    const result = await scrapeVllmMetrics(url, { timeoutMs: 200 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/timeout|aborted/i);
  });

  it('reports a refused connection and a malformed URL', async () => {
    const url = await serve(() => ({ status: 200, body: v1Page }));
    await server?.close();
    server = undefined;
    expect((await scrapeVllmMetrics(url)).ok).toBe(false);
    expect(await scrapeVllmMetrics('localhost:8000/metrics')).toEqual({
      ok: false,
      reason: 'not an http(s) URL: localhost:8000/metrics',
    });
  });

  it('refuses a page over the size limit instead of holding it', async () => {
    const url = await serve(() => ({ status: 200, body: v1Page + '#'.repeat(MAX_METRICS_PAGE_BYTES) }));
    expect(await scrapeVllmMetrics(url)).toEqual({ ok: false, reason: `${url}: response body larger than ${MAX_METRICS_PAGE_BYTES} bytes` });
  });

  it('keeps the credentials of the URL out of its reasons', async () => {
    const url = await serve(() => ({ status: 503, body: 'Service Unavailable' }));
    const withSecrets = url.replace('http://', 'http://scraper:SCRAPE-PASS-1@') + '?token=SCRAPE-TOKEN-2';
    expect(await scrapeVllmMetrics(withSecrets)).toEqual({ ok: false, reason: `${url} answered 503 Service Unavailable` });
    await server?.close();
    server = undefined;
    const refused = await scrapeVllmMetrics(withSecrets);
    expect(!refused.ok && refused.reason).toMatch(new RegExp(`^${url}: fetch failed \\(`));
    expect(await scrapeVllmMetrics('localhost:8000/metrics?token=SCRAPE-TOKEN-2')).toEqual({ ok: false, reason: 'not an http(s) URL: localhost:8000/metrics' });
  });
});
