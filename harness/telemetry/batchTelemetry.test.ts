import { describe, expect, it } from 'vitest';
import { BatchMeter, percentile } from './batchTelemetry.js';

describe('percentile', () => {
  it('uses nearest rank', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 95)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('BatchMeter', () => {
  it('records size, tokens, latency spread and CPU of the batch, leaving GPU null without a GPU', () => {
    const meter = new BatchMeter(3);
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    const t = meter.finish([
      { sampleId: 'a', text: 'x', latencyMs: 10, tokensIn: 5, tokensOut: 2 },
      { sampleId: 'b', text: 'y', latencyMs: 30, tokensIn: 7, tokensOut: 3 },
      { sampleId: 'c', text: 'z', latencyMs: 0, cached: true },
    ]);
    expect(t.batchIndex).toBe(3);
    expect(t.size).toBe(3);
    expect(t.tokensIn).toBe(12);
    expect(t.tokensOut).toBe(5);
    expect(t.latencyP50Ms).toBe(10);
    expect(t.latencyMaxMs).toBe(30);
    expect(t.cpuMs).toBeGreaterThan(0);
    expect(t.rssPeakBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(t.gpuTimeMs).toBeNull();
  });
});

describe('BatchMeter peak RSS', () => {
  it('sees a spike that is freed again before the batch ends', () => {
    const before = process.memoryUsage.rss();
    const meter = new BatchMeter(0);
    let spike: Buffer | null = Buffer.alloc(256 * 1024 * 1024, 1); // touched pages: resident
    expect(spike[spike.length - 1]).toBe(1);
    spike = null;
    const t = meter.finish([]);
    expect(t.rssPeakBytes).toBeGreaterThan(before + 200 * 1024 * 1024);
  });
});
