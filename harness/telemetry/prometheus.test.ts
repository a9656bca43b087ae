import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parsePrometheusText,
  PrometheusParseError,
  serverFiguresBetween,
  vllmSnapshot,
  type PrometheusPage,
} from './prometheus.js';

const page = (name: string): PrometheusPage =>
  parsePrometheusText(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

const QWEN = { engine: '0', model_name: 'Qwen/Qwen3-0.6B' };

describe('parsePrometheusText', () => {
  it('reads a recorded vLLM V1 page: families, labels, Go-formatted floats, +Inf buckets', () => {
    const before = page('vllm-v1-metrics-before.txt');
    expect(before.types.get('vllm:e2e_request_latency_seconds')).toBe('histogram');
    expect(before.types.get('vllm:prompt_tokens_created')).toBe('gauge');
    expect(before.help.get('vllm:kv_cache_usage_perc')).toBe('KV-cache usage. 1 means 100 percent usage.');
    const find = (name: string, labels: Record<string, string> = {}) =>
      before.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(find('process_virtual_memory_bytes')?.value).toBe(11701968896);
    expect(find('process_max_fds')?.value).toBe(1048576);
    expect(find('vllm:e2e_request_latency_seconds_bucket', { le: '+Inf' })).toMatchObject({
      labels: { ...QWEN, le: '+Inf' },
      value: 2048,
      timestampMs: null,
    });
    expect(find('python_info')?.labels).toEqual({
      implementation: 'CPython',
      major: '3',
      minor: '12',
      patchlevel: '11',
      version: '3.12.11',
    });
    expect(find('vllm:cache_config_info')?.labels.num_gpu_blocks).toBe('9362');
    // Every non-comment line of the page is one sample.
    expect(before.samples).toHaveLength(81);
  });

  it('handles escapes, spacing, special values, timestamps and trailing commas of the format', () => {
    const parsed = parsePrometheusText(
      [
        '# HELP msdos_file_access_time_seconds Path with a \\\\ and a line\\nbreak.',
        '# TYPE msdos_file_access_time_seconds gauge',
        'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
        '  metric_without_labels\t12.47  ',
        'metric_with_ts{a="1",} -Inf 1395066363000',
        'nan_metric NaN',
        'plus_inf +Inf',
        '# a free comment, and a blank line:',
        '',
        '# EOF',
      ].join('\r\n'),
    );
    expect(parsed.help.get('msdos_file_access_time_seconds')).toBe('Path with a \\ and a line\nbreak.');
    expect(parsed.samples[0]?.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(parsed.samples[0]?.value).toBe(1458255915);
    expect(parsed.samples[1]).toEqual({ name: 'metric_without_labels', labels: {}, value: 12.47, timestampMs: null });
    expect(parsed.samples[2]).toEqual({
      name: 'metric_with_ts',
      labels: { a: '1' },
      value: Number.NEGATIVE_INFINITY,
      timestampMs: 1395066363000,
    });
    expect(parsed.samples[3]?.value).toBeNaN();
    expect(parsed.samples[4]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    ['a value that is not a number', 'metric{a="b"} 0x10', 'not a number'],
    ['an unterminated label value', 'metric{a="b} 1', 'unterminated'],
    ['a repeated label', 'metric{a="1",a="2"} 1', 'repeated'],
    ['a missing value', 'metric{a="1"}', 'expected a value'],
    ['an unknown escape', 'metric{a="\\t"} 1', 'unknown escape'],
    ['an unknown type', '# TYPE metric histogramm', 'unknown metric type'],
    ['a bad timestamp', 'metric 1 12.5', 'bad timestamp'],
  ])('rejects %s, naming the line', (_, line, reason) => {
    const text = `ok_metric 1\n${line}\n`;
    expect(() => parsePrometheusText(text)).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText(text)).toThrow(new RegExp(`^line 2: .*${reason}`));
  });
});

describe('vllmSnapshot and serverFiguresBetween', () => {
  it('reads the V1 counters, e2e histogram and gauges, and the deltas of a 32-request batch', () => {
    const before = vllmSnapshot(page('vllm-v1-metrics-before.txt'));
    const after = vllmSnapshot(page('vllm-v1-metrics-after.txt'));
    expect(before).toEqual({
      promptTokens: 987654,
      generationTokens: 412345,
      e2eLatencySumS: 3901.338000000001,
      e2eLatencyCount: 2048,
      kvCacheUsage: 0,
      requestsRunning: 0,
    });
    expect(after.promptTokens).toBe(1006598);
    const figures = serverFiguresBetween(before, after);
    expect(figures).toMatchObject({
      promptTokens: 18944,
      generationTokens: 8192,
      requestsFinished: 32,
      kvCacheUsageBefore: 0,
      kvCacheUsageAfter: 0,
      requestsRunningBefore: 0,
      requestsRunningAfter: 0,
    });
    expect(figures.e2eLatencySumMs).toBeCloseTo(61920, 6);
    expect(figures.e2eLatencyMeanMs).toBeCloseTo(1935, 6);
  });

  it('falls back to gpu_cache_usage_perc on V0 pages and filters by model name', () => {
    const v0 = page('vllm-v0-metrics.txt');
    expect(vllmSnapshot(v0)).toEqual({
      promptTokens: 1196,
      generationTokens: 218152,
      e2eLatencySumS: 21097.9501953125,
      e2eLatencyCount: 211,
      kvCacheUsage: 0.0023625224830188967,
      requestsRunning: 2,
    });
    expect(vllmSnapshot(v0, 'another-model')).toEqual({
      promptTokens: null,
      generationTokens: null,
      e2eLatencySumS: null,
      e2eLatencyCount: null,
      kvCacheUsage: null,
      requestsRunning: null,
    });
  });

  it('sums counters and averages KV-cache usage over data-parallel engines', () => {
    const twoEngines = parsePrometheusText(
      [
        'vllm:prompt_tokens_total{engine="0",model_name="m"} 100.0',
        'vllm:prompt_tokens_total{engine="1",model_name="m"} 50.0',
        'vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.2',
        'vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.4',
        'vllm:num_requests_running{engine="0",model_name="m"} 3.0',
        'vllm:num_requests_running{engine="1",model_name="m"} 1.0',
      ].join('\n'),
    );
    expect(vllmSnapshot(twoEngines)).toMatchObject({ promptTokens: 150, kvCacheUsage: 0.30000000000000004, requestsRunning: 4 });
  });

  it('gives no delta for a counter that went backwards (server restarted) or is missing', () => {
    const after = vllmSnapshot(page('vllm-v1-metrics-after.txt'));
    const restarted = { ...vllmSnapshot(page('vllm-v1-metrics-before.txt')), promptTokens: 5, e2eLatencyCount: 1 };
    const figures = serverFiguresBetween(after, restarted);
    expect(figures.promptTokens).toBeNull();
    expect(figures.requestsFinished).toBeNull();
    expect(figures.e2eLatencyMeanMs).toBeNull();
    expect(serverFiguresBetween(after, { ...after, generationTokens: null }).generationTokens).toBeNull();
  });
});
