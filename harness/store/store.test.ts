import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../core/sample.js';
import { sha256 } from '../../core/hash.js';
import type { BatchRecord, NewRun, PredictionRecord, SampleMetricRecord } from './records.js';
import { CompletedRunError, RunStore, StoreLockedError } from './store.js';

let dir: string;
let dbPath: string;
const opened: RunStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logbench-store-'));
  dbPath = join(dir, 'nested', 'runs', 'logbench.duckdb');
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openStore(options?: Parameters<typeof RunStore.open>[1]): Promise<RunStore> {
  const store = await RunStore.open(dbPath, options);
  opened.push(store);
  return store;
}

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    runKey: 'key-a',
    suiteName: 'default',
    suitePath: 'suites/default.yaml',
    modelId: 'qwen3-0.6b',
    variant: 'q4',
    provider: 'openai',
    modelName: 'qwen3:0.6b',
    endpoint: 'http://localhost:11434/v1',
    task: 'fpt-json',
    startedAt: new Date('2025-01-02T03:04:05.678Z'),
    gitSha: 'abc123',
    gitDirty: true,
    harnessVersion: '0.1.0',
    nodeVersion: 'v20.20.2',
    host: 'ci-runner',
    gpuName: 'NVIDIA H100',
    configHash: 'config-hash',
    splitHash: 'split-hash',
    promptHash: 'prompt-hash',
    decoding: { temperature: 0, max_tokens: 256 },
    suite: { name: 'default', models: [{ id: 'qwen3-0.6b', api_key_env: 'OPENAI_API_KEY' }] },
    ...overrides,
  };
}

function batchOf(batchIndex: number, size: number, extra: Partial<BatchRecord> = {}): BatchRecord {
  return { batchIndex, size, startedAt: new Date(Date.UTC(2025, 0, 2, 3, 4, batchIndex)), wallMs: 100 + batchIndex, ...extra };
}

function predictionFor(sampleId: string, extra: Partial<PredictionRecord> = {}): PredictionRecord {
  return { sampleId, text: `output of ${sampleId}`, latencyMs: 12.5, tokensIn: 40, tokensOut: 8, ...extra };
}

function scoresFor(sampleIds: readonly string[]): SampleMetricRecord[] {
  return sampleIds.flatMap((sampleId) => [
    { sampleId, name: 'rougeL', value: 0.5 },
    { sampleId, name: 'bleu', value: 0.25 },
  ]);
}

describe('runs', () => {
  it('round-trips every column, strips credentials from the endpoint, and lists runs in start order', async () => {
    const store = await openStore();
    expect(existsSync(dbPath)).toBe(true);
    const first = await store.createRun(newRun({ endpoint: 'https://user:sk-secret@api.example.com/v1?api_key=sk-secret#frag' }));
    const second = await store.createRun(newRun({ id: 'chosen-id', runKey: 'key-b', startedAt: new Date('2025-01-03T00:00:00Z') }));
    expect(second).toBe('chosen-id');

    const run = await store.getRun(first);
    expect(run).toEqual({
      id: first,
      runKey: 'key-a',
      suiteName: 'default',
      suitePath: 'suites/default.yaml',
      modelId: 'qwen3-0.6b',
      variant: 'q4',
      provider: 'openai',
      modelName: 'qwen3:0.6b',
      endpoint: 'https://api.example.com/v1',
      task: 'fpt-json',
      status: 'running',
      startedAt: '2025-01-02T03:04:05.678Z',
      finishedAt: null,
      gitSha: 'abc123',
      gitDirty: true,
      harnessVersion: '0.1.0',
      nodeVersion: 'v20.20.2',
      host: 'ci-runner',
      gpuName: 'NVIDIA H100',
      configHash: 'config-hash',
      splitHash: 'split-hash',
      promptHash: 'prompt-hash',
      decoding: { temperature: 0, max_tokens: 256 },
      suite: { name: 'default', models: [{ id: 'qwen3-0.6b', api_key_env: 'OPENAI_API_KEY' }] },
      selection: null,
    });
    const subset = await store.createRun(newRun({ runKey: 'key-c', startedAt: new Date('2025-01-04T00:00:00Z'), selection: { limit: 5, samples: 5, splitSamples: 40 } }));
    expect((await store.getRun(subset))?.selection).toEqual({ limit: 5, samples: 5, splitSamples: 40 });
    expect(JSON.stringify(await store.listRuns())).not.toContain('sk-secret');
    expect((await store.listRuns()).map((r) => r.id)).toEqual([first, second, subset]);
    expect(await store.getRun('no-such-run')).toBeNull();
  });

  it('stores optional metadata as null', async () => {
    const store = await openStore();
    const id = await store.createRun(
      newRun({ suitePath: undefined, variant: undefined, modelName: undefined, endpoint: undefined, gitSha: undefined, gitDirty: undefined, gpuName: undefined, promptHash: undefined }),
    );
    expect(await store.getRun(id)).toMatchObject({ suitePath: null, variant: null, modelName: null, endpoint: null, gitSha: null, gitDirty: null, gpuName: null, promptHash: null });
  });

  it('finishes and resumes runs', async () => {
    const store = await openStore();
    const id = await store.createRun(newRun());
    await store.finishRun(id, 'interrupted');
    const interrupted = await store.getRun(id);
    expect(interrupted?.status).toBe('interrupted');
    expect(interrupted?.finishedAt).not.toBeNull();
    await store.resumeRun(id);
    expect(await store.getRun(id)).toMatchObject({ status: 'running', finishedAt: null });
  });

  it('finds the latest resumable run for a key: running, interrupted or completed, never failed', async () => {
    const store = await openStore();
    expect(await store.findResumableRun('key-a')).toBeNull();
    const failed = await store.createRun(newRun({ startedAt: new Date('2025-01-05T00:00:00Z') }));
    await store.finishRun(failed, 'failed');
    expect(await store.findResumableRun('key-a')).toBeNull();

    const interrupted = await store.createRun(newRun({ startedAt: new Date('2025-01-01T00:00:00Z') }));
    await store.finishRun(interrupted, 'interrupted');
    expect((await store.findResumableRun('key-a'))?.id).toBe(interrupted);

    const completed = await store.createRun(newRun({ startedAt: new Date('2025-01-02T00:00:00Z') }));
    await store.finishRun(completed, 'completed');
    expect((await store.findResumableRun('key-a'))?.id).toBe(completed);

    const running = await store.createRun(newRun({ startedAt: new Date('2025-01-03T00:00:00Z') }));
    expect((await store.findResumableRun('key-a'))?.id).toBe(running);
    expect(await store.findResumableRun('key-b')).toBeNull();
  });
});

describe('samples', () => {
  const samples: Sample[] = [
    { id: 's1', input: 'kernel: panic', reference: 'a panic', meta: { file: 'a.log', lines: [1, 4] } },
    { id: 's2', input: 'sshd: accepted', label: 'normal', meta: {} },
  ];

  it('round-trips and is idempotent per split hash', async () => {
    const store = await openStore();
    await store.upsertSamples('split-1', samples);
    await store.upsertSamples('split-1', samples);
    await store.upsertSamples('split-2', samples.slice(0, 1));
    expect(await store.samples('split-1')).toEqual([
      { splitHash: 'split-1', id: 's1', inputHash: sha256('kernel: panic'), input: 'kernel: panic', reference: 'a panic', label: null, meta: { file: 'a.log', lines: [1, 4] } },
      { splitHash: 'split-1', id: 's2', inputHash: sha256('sshd: accepted'), input: 'sshd: accepted', reference: null, label: 'normal', meta: {} },
    ]);
    expect(await store.samples('split-2')).toHaveLength(1);
  });

  it('stores a list longer than the appender takes at once (it hands rows on every 2,048) whole, or nothing of it', async () => {
    const many: Sample[] = Array.from({ length: 5000 }, (_, i) => ({ id: `m${String(i).padStart(4, '0')}`, input: `line ${i}`, meta: { i } }));
    const store = await openStore();
    await store.upsertSamples('split-1', many);
    expect((await store.samples('split-1')).map((sample) => [sample.id, sample.meta])).toEqual(many.map((sample) => [sample.id, sample.meta]));
    // Row 4,501 repeats row 11's key: rows already handed to the table must go with the transaction.
    const clashing = many.map((sample, i) => (i === 4500 ? { ...sample, id: 'm0010' } : sample));
    await expect(store.upsertSamples('split-2', clashing)).rejects.toThrow(/[Cc]onstraint|[Dd]uplicate key/);
    expect(await store.samples('split-2')).toEqual([]);
    expect(await store.samples('split-1')).toHaveLength(5000);
  });

  it('writes through a handle with its own row group size a file that a plain handle reads back', async () => {
    const many: Sample[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `m${i}`, input: `line ${i}`, meta: {} }));
    const store = await RunStore.open(dbPath, { rowGroupSize: 2048 });
    await store.upsertSamples('split-1', many);
    await store.createRun(newRun());
    await store.close();
    // No WAL left: closing the instance checkpoints the attached file as it does a plain one.
    expect(existsSync(`${dbPath}.wal`)).toBe(false);
    const plain = await openStore({ readOnly: true });
    expect((await plain.samples('split-1')).map((sample) => sample.id).sort()).toEqual(many.map((sample) => sample.id).sort());
    expect(await plain.listRuns()).toHaveLength(1);
    await expect(RunStore.open(join(dir, 'other.duckdb'), { rowGroupSize: 1000 })).rejects.toThrow(/row group size 1000: expected a positive multiple of 2048/);
  });
});

describe('batches, predictions and scores', () => {
  it('round-trips a batch with and without GPU telemetry, its predictions, scores and cache entries', async () => {
    const store = await openStore();
    const runId = await store.createRun(newRun());
    const gpuBatch = batchOf(0, 2, {
      cpuMs: 80,
      rssPeakBytes: 3 * 2 ** 32,
      gpuUtilAvg: 55.5,
      gpuUtilMax: 99,
      gpuMemPeakMb: 2048,
      gpuMemDeltaMb: 512,
      gpuTimeMs: 90,
      tokensIn: 80,
      tokensOut: 16,
      latencyP50Ms: 10,
      latencyP95Ms: 14,
      latencyMaxMs: 15,
      server: { promptTokens: 800, generationTokens: 160, requestsFinished: 2, e2eLatencySumMs: 20, e2eLatencyMeanMs: 10, kvCacheUsageBefore: 0.1, kvCacheUsageAfter: null, requestsRunningBefore: 0, requestsRunningAfter: 0 },
      energyJ: 31.5,
      powerAvgW: 315,
      gpuSource: 'dcgm',
    });
    await store.writeBatch(
      runId,
      gpuBatch,
      [
        predictionFor('s1', { label: 'anomalous', score: { json_valid: true, fields: ['cause'] }, cached: true }),
        { sampleId: 's2', label: 'normal', probs: { normal: 0.875, anomalous: 0.125 }, latencyMs: 3 },
      ],
      [...scoresFor(['s1']), { sampleId: 's2', name: 'rougeL', value: null }],
      [{ requestHash: 'h1', provider: 'openai', model: 'qwen3', response: { choices: [{ text: 'hi' }] } }],
    );
    // Replicas are stored as endpoints are: without the userinfo and query that may carry credentials.
    const replicas = 'http://user:pw-7f3a@10.0.0.1:8000/v1?key=sk-abc123, http://10.0.0.2:8000/v1';
    await store.writeBatch(runId, batchOf(1, 1, { telemetryNote: 'no GPU visible (nvidia-smi not found on PATH)', replicas }), [predictionFor('s3', { text: undefined, error: 'HTTP 500 after 3 retries', tokensIn: undefined, tokensOut: undefined })], []);

    expect(await store.batches(runId)).toEqual([
      {
        runId,
        batchIndex: 0,
        size: 2,
        startedAt: '2025-01-02T03:04:00.000Z',
        wallMs: 100,
        cpuMs: 80,
        rssPeakBytes: 3 * 2 ** 32,
        gpuUtilAvg: 55.5,
        gpuUtilMax: 99,
        gpuMemPeakMb: 2048,
        gpuMemDeltaMb: 512,
        gpuTimeMs: 90,
        tokensIn: 80,
        tokensOut: 16,
        latencyP50Ms: 10,
        latencyP95Ms: 14,
        latencyMaxMs: 15,
        server: { promptTokens: 800, generationTokens: 160, requestsFinished: 2, e2eLatencySumMs: 20, e2eLatencyMeanMs: 10, kvCacheUsageBefore: 0.1, kvCacheUsageAfter: null, requestsRunningBefore: 0, requestsRunningAfter: 0 },
        energyJ: 31.5,
        powerAvgW: 315,
        gpuSource: 'dcgm',
        telemetryNote: null,
        replicas: null,
      },
      {
        runId,
        batchIndex: 1,
        size: 1,
        startedAt: '2025-01-02T03:04:01.000Z',
        wallMs: 101,
        cpuMs: null,
        rssPeakBytes: null,
        gpuUtilAvg: null,
        gpuUtilMax: null,
        gpuMemPeakMb: null,
        gpuMemDeltaMb: null,
        gpuTimeMs: null,
        tokensIn: null,
        tokensOut: null,
        latencyP50Ms: null,
        latencyP95Ms: null,
        latencyMaxMs: null,
        server: null,
        energyJ: null,
        powerAvgW: null,
        gpuSource: null,
        telemetryNote: 'no GPU visible (nvidia-smi not found on PATH)',
        replicas: 'http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1',
      },
    ]);

    const predictions = await store.predictions(runId);
    expect(predictions.every((p) => !Number.isNaN(Date.parse(p.createdAt)))).toBe(true);
    expect(predictions.map(({ createdAt: _createdAt, ...rest }) => rest)).toEqual([
      { runId, sampleId: 's1', batchIndex: 0, text: 'output of s1', label: 'anomalous', probs: null, score: { json_valid: true, fields: ['cause'] }, latencyMs: 12.5, tokensIn: 40, tokensOut: 8, error: null, cached: true },
      { runId, sampleId: 's2', batchIndex: 0, text: null, label: 'normal', probs: { normal: 0.875, anomalous: 0.125 }, score: null, latencyMs: 3, tokensIn: null, tokensOut: null, error: null, cached: false },
      { runId, sampleId: 's3', batchIndex: 1, text: null, label: null, probs: null, score: null, latencyMs: 12.5, tokensIn: null, tokensOut: null, error: 'HTTP 500 after 3 retries', cached: false },
    ]);

    expect(await store.sampleMetrics(runId)).toEqual([
      { runId, sampleId: 's1', name: 'bleu', value: 0.25 },
      { runId, sampleId: 's1', name: 'rougeL', value: 0.5 },
      { runId, sampleId: 's2', name: 'rougeL', value: null },
    ]);
    expect(await store.cacheGet('h1')).toMatchObject({ requestHash: 'h1', provider: 'openai', model: 'qwen3', response: { choices: [{ text: 'hi' }] } });
  });

  it('keeps runs apart', async () => {
    const store = await openStore();
    const a = await store.createRun(newRun());
    const b = await store.createRun(newRun({ modelId: 'other' }));
    await store.writeBatch(a, batchOf(0, 1), [predictionFor('s1')], scoresFor(['s1']));
    await store.writeBatch(b, batchOf(0, 1), [predictionFor('s1')], scoresFor(['s1']));
    expect((await store.predictions(a)).map((p) => p.runId)).toEqual([a]);
    expect(await store.sampleMetrics(b)).toHaveLength(2);
    expect(await store.batches(b)).toHaveLength(1);
  });

  it('serialises concurrent writers on one handle', async () => {
    const store = await openStore();
    const runId = await store.createRun(newRun());
    await Promise.all(
      [0, 1, 2, 3].map((i) => store.writeBatch(runId, batchOf(i, 2), [predictionFor(`a${i}`), predictionFor(`b${i}`)], scoresFor([`a${i}`, `b${i}`]))),
    );
    expect(await store.predictions(runId)).toHaveLength(8);
    expect(await store.sampleMetrics(runId)).toHaveLength(16);
  });

  it('rolls back a failing batch entirely and stays usable', async () => {
    const store = await openStore();
    const runId = await store.createRun(newRun());
    await store.writeBatch(runId, batchOf(0, 1), [predictionFor('s0')], scoresFor(['s0']));
    // The duplicated score violates the sample_metrics key after the batch row and predictions were appended.
    const duplicated = [...scoresFor(['s1']), { sampleId: 's1', name: 'bleu', value: 0.9 }];
    await expect(
      store.writeBatch(runId, batchOf(1, 2), [predictionFor('s1'), predictionFor('s2')], duplicated, [
        { requestHash: 'rolled-back', provider: 'openai', model: 'm', response: 'x' },
      ]),
    ).rejects.toThrow(/constraint/i);

    expect((await store.batches(runId)).map((b) => b.batchIndex)).toEqual([0]);
    expect((await store.predictions(runId)).map((p) => p.sampleId)).toEqual(['s0']);
    expect((await store.sampleMetrics(runId)).map((m) => m.sampleId)).toEqual(['s0', 's0']);
    expect(await store.cacheGet('rolled-back')).toBeNull();

    await store.writeBatch(runId, batchOf(1, 2), [predictionFor('s1'), predictionFor('s2')], scoresFor(['s1', 's2']));
    expect(await store.completedSampleIds(runId)).toEqual(new Set(['s0', 's1', 's2']));
  });
});

describe('resume', () => {
  it('reports completed samples after reopening, retries failed ones and keeps counting batches', async () => {
    const first = await RunStore.open(dbPath);
    const runId = await first.createRun(newRun());
    await first.writeBatch(runId, batchOf(0, 2), [predictionFor('s1'), predictionFor('s2')], scoresFor(['s1', 's2']));
    await first.writeBatch(runId, batchOf(1, 2), [predictionFor('s3'), predictionFor('s4', { text: undefined, error: 'timeout' })], scoresFor(['s3']));
    await first.writeBatch(runId, batchOf(2, 1), [predictionFor('s5')], scoresFor(['s5']));
    await first.close();

    const store = await openStore();
    expect((await store.findResumableRun('key-a'))?.id).toBe(runId);
    expect(await store.completedSampleIds(runId)).toEqual(new Set(['s1', 's2', 's3', 's5']));
    expect(await store.nextBatchIndex(runId)).toBe(3);
    expect(await store.nextBatchIndex('fresh-run')).toBe(0);
    expect(await store.errorSummary(runId)).toEqual({ failed: 1, total: 5, top: [{ error: 'timeout', count: 1 }] });

    await store.writeBatch(runId, batchOf(3, 1), [predictionFor('s4')], scoresFor(['s4']));
    expect(await store.completedSampleIds(runId)).toEqual(new Set(['s1', 's2', 's3', 's4', 's5']));
    const retried = (await store.predictions(runId)).filter((p) => p.sampleId === 's4');
    expect(retried).toMatchObject([{ batchIndex: 3, error: null, text: 'output of s4' }]);
    expect((await store.sampleMetrics(runId)).filter((m) => m.sampleId === 's4')).toHaveLength(2);
    expect(await store.predictionCounts(runId)).toEqual({ predictions: 5, errors: 0 });
  });
});

describe('completed runs', () => {
  it('refuse every write: no batch, no metrics, no resume, no change of status', async () => {
    const store = await openStore();
    const runId = await store.createRun(newRun());
    await store.writeBatch(runId, batchOf(0, 1), [predictionFor('s1')], scoresFor(['s1']));
    await store.writeMetrics(runId, [{ name: 'bleu', value: 0.5, n: 1 }]);
    await store.finishRun(runId, 'completed');
    await expect(store.writeBatch(runId, batchOf(1, 1), [predictionFor('s2')], scoresFor(['s2']))).rejects.toThrow(CompletedRunError);
    await expect(store.writeMetrics(runId, [{ name: 'bleu', value: 1, n: 5 }])).rejects.toThrow(CompletedRunError);
    await expect(store.resumeRun(runId)).rejects.toThrow(CompletedRunError);
    await expect(store.finishRun(runId, 'interrupted')).rejects.toThrow(CompletedRunError);
    await store.close();

    // A second handle (a later process) reads the status from the file and refuses just the same.
    const later = await openStore();
    await expect(later.resumeRun(runId)).rejects.toThrow(/run .* is completed and never changes/);
    expect(await later.metrics(runId)).toEqual([{ runId, name: 'bleu', value: 0.5, ciLow: null, ciHigh: null, n: 1 }]);
    expect((await later.getRun(runId))?.status).toBe('completed');
    expect(await later.predictions(runId)).toHaveLength(1);
  });

  it('stores counts outside INTEGER as null instead of failing the batch', async () => {
    const store = await openStore();
    const runId = await store.createRun(newRun());
    await store.writeBatch(runId, batchOf(0, 2, { tokensIn: 1e308, tokensOut: 2 ** 31 }), [predictionFor('s1', { tokensIn: 1.5, tokensOut: -1 }), predictionFor('s2')], []);
    const [p1, p2] = await store.predictions(runId);
    expect([p1?.tokensIn, p1?.tokensOut]).toEqual([null, null]);
    expect(p2?.tokensIn).toBe(predictionFor('s2').tokensIn ?? null);
    const [batch] = await store.batches(runId);
    expect([batch?.tokensIn, batch?.tokensOut]).toEqual([null, null]);
  });
});

describe('metrics', () => {
  it('replaces a run’s metrics on every write', async () => {
    const store = await openStore();
    const runId = await store.createRun(newRun());
    await store.writeMetrics(runId, [
      { name: 'bleu', value: 0.3, ciLow: 0.25, ciHigh: 0.35, n: 100 },
      { name: 'stale', value: 1, n: 100 },
    ]);
    await store.writeMetrics(runId, [
      { name: 'bleu', value: 0.31, ciLow: 0.26, ciHigh: 0.36, n: 120 },
      { name: 'rougeL', value: null, n: 0 },
    ]);
    expect(await store.metrics(runId)).toEqual([
      { runId, name: 'bleu', value: 0.31, ciLow: 0.26, ciHigh: 0.36, n: 120 },
      { runId, name: 'rougeL', value: null, ciLow: null, ciHigh: null, n: 0 },
    ]);
    expect(await store.metrics('other-run')).toEqual([]);
  });
});

describe('cache', () => {
  it('misses, stores, and overwrites by request hash', async () => {
    const store = await openStore();
    expect(await store.cacheGet('h')).toBeNull();
    await store.cachePut('h', 'openai', 'gpt', { text: 'first' });
    await store.cachePut('h', 'openai', 'gpt', { text: 'second' });
    const entry = await store.cacheGet('h');
    expect(entry).toMatchObject({ requestHash: 'h', provider: 'openai', model: 'gpt', response: { text: 'second' } });
    expect(Number.isNaN(Date.parse(entry?.createdAt ?? ''))).toBe(false);
  });

  it('takes repeated hashes within one batch, the last one winning', async () => {
    const store = await openStore();
    const runId = await store.createRun(newRun());
    await store.writeBatch(runId, batchOf(0, 2), [predictionFor('s1'), predictionFor('s2')], [], [
      { requestHash: 'same', provider: 'openai', model: 'gpt', response: 1 },
      { requestHash: 'same', provider: 'openai', model: 'gpt', response: 2 },
    ]);
    expect((await store.cacheGet('same'))?.response).toBe(2);
  });
});

describe('opening', () => {
  it('reads through a read-only handle and refuses writes there', async () => {
    const writer = await RunStore.open(dbPath);
    const runId = await writer.createRun(newRun());
    await writer.writeMetrics(runId, [{ name: 'bleu', value: 0.5, n: 3 }]);
    await writer.close();

    const reader = await openStore({ readOnly: true });
    expect(reader.readOnly).toBe(true);
    expect((await reader.getRun(runId))?.id).toBe(runId);
    expect(await reader.metrics(runId)).toHaveLength(1);
    await expect(reader.createRun(newRun())).rejects.toThrow(/open read-only/);
    await expect(reader.finishRun(runId, 'failed')).rejects.toThrow(/open read-only/);
  });

  it('refuses a read-only open of a missing file without creating it', async () => {
    await expect(RunStore.open(dbPath, { readOnly: true })).rejects.toThrow(/no logbench store/);
    expect(existsSync(dbPath)).toBe(false);
  });

  // DuckDB's file lock does not stop a second handle inside the same process; the store does, as it would another process.
  it('makes a second handle in the same process wait for the first, then gives up with StoreLockedError', async () => {
    const store = await openStore();
    const second = RunStore.open(dbPath, { lockWaitMs: 200 });
    await expect(second).rejects.toBeInstanceOf(StoreLockedError);
    await expect(second).rejects.toThrow(dbPath);
    const readOnly = RunStore.open(dbPath, { readOnly: true, lockWaitMs: 200 });
    await expect(readOnly).rejects.toBeInstanceOf(StoreLockedError);

    const waiting = RunStore.open(dbPath, { lockWaitMs: 30_000 });
    await store.close();
    const reopened = await waiting;
    opened.push(reopened);
    expect(await reopened.listRuns()).toEqual([]);
  });

  it('gives one handle, not two, to opens racing in the same process', async () => {
    const results = await Promise.allSettled([RunStore.open(dbPath, { lockWaitMs: 300 }), RunStore.open(dbPath, { lockWaitMs: 300 })]);
    const stores = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    opened.push(...stores);
    expect(stores).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(StoreLockedError) });
  });

  it('rejects calls after close', async () => {
    const store = await RunStore.open(dbPath);
    await store.close();
    await store.close();
    await expect(store.listRuns()).rejects.toThrow(/closed/);
  });
});

describe('merging in parts', () => {
  /** DuckDB's memory limit as the store's own connection sees it (the store has no public SQL). */
  const memoryLimitOf = async (store: RunStore) => (await (store as unknown as { rows(sql: string): Promise<Record<string, unknown>[]> }).rows("SELECT current_setting('memory_limit') AS m"))[0]?.['m'];
  const setMemoryLimit = (store: RunStore, limit: string) => (store as unknown as { rows(sql: string): Promise<unknown> }).rows(`SET memory_limit = '${limit}'`);

  async function sources(count: number): Promise<string[]> {
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const path = join(dir, `source-${i}.duckdb`);
      const source = await RunStore.open(path);
      await source.upsertSamples('split-hash', [{ id: `s${i}`, input: `log window ${i}`, label: 'normal', meta: {} }]);
      await source.createRun(newRun({ id: `run-${i}`, runKey: `key-${i}` }));
      await source.close();
      paths.push(path);
    }
    return paths;
  }

  /** "18.8 GiB" in bytes, and one step of its decimal. */
  function bytesOf(shown: unknown): { bytes: number; step: number } {
    const [, value, unit] = /^([\d.]+) (KiB|MiB|GiB|TiB)$/.exec(String(shown)) ?? [];
    const scale = 1024 ** (['KiB', 'MiB', 'GiB', 'TiB'].indexOf(unit as string) + 1);
    return { bytes: Number(value) * scale, step: 0.1 * scale };
  }

  it("keeps DuckDB's memory limit (never below where it was, not creeping) after evicting between parts", async () => {
    const files = await sources(6);
    const target = await openStore({ rowGroupSize: 8192 });
    const before = bytesOf(await memoryLimitOf(target));
    const merged = await target.mergeFrom(files.slice(0, 3), [], { inParts: true });
    expect(merged.map((m) => m.runs)).toEqual([1, 1, 1]);
    const after = await memoryLimitOf(target);
    // Set back from the text DuckDB shows (rounded down), the limit crept down a step per part.
    expect(bytesOf(after).bytes).toBeGreaterThanOrEqual(before.bytes);
    expect(bytesOf(after).bytes).toBeLessThanOrEqual(before.bytes + 2 * before.step);
    await target.mergeFrom(files.slice(3), [], { inParts: true });
    expect(await memoryLimitOf(target)).toBe(after);
    expect((await target.listRuns()).map((run) => run.id).sort()).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4', 'run-5']);
  });

  it('merges, lowering nothing, when the limit cannot be written back (no limit shows as PiB, which DuckDB does not parse)', async () => {
    const files = await sources(3);
    const target = await openStore({ rowGroupSize: 8192 });
    await setMemoryLimit(target, '-1');
    const unlimited = await memoryLimitOf(target);
    expect(unlimited).toMatch(/PiB$/);
    await target.mergeFrom(files, [], { inParts: true });
    expect(await target.listRuns()).toHaveLength(3);
    expect(await memoryLimitOf(target)).toBe(unlimited);
  });

  it('names both inputs when the same run is in two of them, not the new database', async () => {
    const files = await sources(2);
    const twin = join(dir, 'twin.duckdb');
    const copy = await RunStore.open(twin);
    await copy.createRun(newRun({ id: 'run-0', runKey: 'key-0' }));
    await copy.close();
    const target = await openStore({ rowGroupSize: 8192 });
    await expect(target.mergeFrom([...files, twin], [], { inParts: true })).rejects.toThrow(/twin\.duckdb: run run-0 is also in .*source-0\.duckdb, merged before it here/);
  });
});

describe('releasing memory', () => {
  const memoryLimitOf = async (store: RunStore) => (await (store as unknown as { rows(sql: string): Promise<Record<string, unknown>[]> }).rows("SELECT current_setting('memory_limit') AS m"))[0]?.['m'];
  const walBytes = () => (existsSync(`${dbPath}.wal`) ? statSync(`${dbPath}.wal`).size : 0);
  const many: Sample[] = Array.from({ length: 3000 }, (_, i) => ({ id: `r${i}`, input: `window ${i} `.repeat(20), label: 'normal', meta: {} }));

  it('checkpoints a write-ahead log that is due (16 MiB) or a final one, then evicts without spilling, and keeps the memory limit where it was', async () => {
    const store = await openStore();
    const before = await memoryLimitOf(store);
    await store.upsertSamples('split-1', many.slice(0, 100));
    await store.createRun(newRun());
    const small = walBytes();
    expect(small).toBeGreaterThan(0);
    await store.releaseMemory();
    // Not due: nothing done (a checkpoint needs free disk), the log stays as it was.
    expect(walBytes()).toBe(small);
    expect(await memoryLimitOf(store)).toBe(before);
    // 3,000 samples of ≈ 6 KB: past DuckDB's checkpoint threshold.
    await store.upsertSamples('split-2', many.map((sample) => ({ ...sample, input: sample.input.repeat(24) })));
    expect(walBytes()).toBeGreaterThanOrEqual(16 * 1024 ** 2);
    await store.releaseMemory();
    expect(walBytes()).toBe(0);
    // Evicted after the checkpoint: every block is in the file, none goes to DuckDB's temporary files.
    expect(existsSync(`${dbPath}.tmp`)).toBe(false);
    const after = await memoryLimitOf(store);
    await store.upsertSamples('split-3', many.slice(0, 10));
    await store.releaseMemory({ final: true });
    expect(walBytes()).toBe(0);
    for (let i = 0; i < 3; i++) await store.releaseMemory({ final: true });
    // Set back one display step above what DuckDB shows (memoryLimit.ts), once: never lower, never creeping.
    expect(await memoryLimitOf(store)).toBe(after);
    expect(String(after)).toMatch(/^[\d.]+ (MiB|GiB|TiB)$/);
    expect(Number.parseFloat(String(after))).toBeGreaterThanOrEqual(Number.parseFloat(String(before)));
    expect(await store.samples('split-1')).toHaveLength(100);
    expect(await store.listRuns()).toHaveLength(1);
    await store.close();
    const reopened = await openStore({ readOnly: true });
    const byId = (a: Sample, b: Sample) => (a.id < b.id ? -1 : 1);
    expect((await reopened.samples('split-2')).map((sample) => sample.input)).toEqual([...many].sort(byId).map((sample) => sample.input.repeat(24)));
    expect(await reopened.samples('split-3')).toHaveLength(10);
  });

  it('finds the log beside the target of a store opened through a symbolic link, as DuckDB keeps it', async () => {
    await (await openStore()).close();
    const link = join(dir, 'link.duckdb');
    symlinkSync(dbPath, link);
    const store = await RunStore.open(link);
    await store.upsertSamples('split-1', many.map((sample) => ({ ...sample, input: sample.input.repeat(24) })));
    expect(walBytes()).toBeGreaterThanOrEqual(16 * 1024 ** 2);
    expect(existsSync(`${link}.wal`)).toBe(false);
    await store.releaseMemory();
    expect(walBytes()).toBe(0);
    await store.close();
  });

  it('leaves a read-only handle as it is', async () => {
    const writer = await openStore();
    await writer.upsertSamples('split-1', many.slice(0, 10));
    await writer.close();
    const reader = await openStore({ readOnly: true });
    const limit = await memoryLimitOf(reader);
    await reader.releaseMemory({ final: true });
    expect(await memoryLimitOf(reader)).toBe(limit);
    expect(await reader.samples('split-1')).toHaveLength(10);
  });
});
