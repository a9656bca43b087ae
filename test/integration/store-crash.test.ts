import { describe, expect, it } from 'vitest';
import { RunStore } from '../../harness/store/index.js';
import { readWithPlainDuckDB, useStoreScratch } from '../support/store-child-process.js';

const scratch = useStoreScratch('logbench-store-crash-');

const committedIndex = (line: string): number => Number(line.replace('committed ', ''));

describe('a writer killed with SIGKILL', () => {
  it('leaves only whole batches behind, and the next writer resumes after them', async () => {
    let lastAcknowledged = -1;
    // Several kill/resume rounds, so the kill lands at different points of the write loop.
    for (let round = 0; round < 4; round++) {
      const child = scratch.start('write-forever', scratch.dbPath);
      await child.waitForLine((line) => line.startsWith('committed ') && committedIndex(line) >= lastAcknowledged + 5);
      child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      lastAcknowledged = Math.max(...child.lines.filter((l) => l.startsWith('committed ')).map(committedIndex));
    }

    const store = await RunStore.open(scratch.dbPath, { lockWaitMs: 10_000 });
    try {
      const run = await store.findResumableRun('crash');
      expect(run?.status).toBe('running');
      const runId = run?.id ?? '';
      const batches = await store.batches(runId);
      const predictions = await store.predictions(runId);
      const scores = await store.sampleMetrics(runId);

      // Every acknowledged batch survived; at most the one in flight may be beyond it.
      const indexes = batches.map((b) => b.batchIndex);
      expect(indexes).toEqual(indexes.map((_, i) => i));
      expect(indexes.length).toBeGreaterThanOrEqual(lastAcknowledged + 1);
      expect(indexes.length).toBeLessThanOrEqual(lastAcknowledged + 2);

      // Nothing partial: each batch has exactly its size in predictions, each prediction its three scores and its cache entry.
      expect(predictions).toHaveLength(batches.reduce((sum, b) => sum + b.size, 0));
      for (const batch of batches) {
        expect(batch.size).toBe((batch.batchIndex % 7) + 1);
        expect(predictions.filter((p) => p.batchIndex === batch.batchIndex)).toHaveLength(batch.size);
      }
      expect(scores).toHaveLength(predictions.length * 3);
      expect(new Set(scores.map((s) => s.sampleId))).toEqual(new Set(predictions.map((p) => p.sampleId)));
      for (const prediction of [predictions[0], predictions.at(-1)]) {
        expect(await store.cacheGet(`${runId}:${prediction?.sampleId}`)).not.toBeNull();
      }
      expect(await store.completedSampleIds(runId)).toEqual(new Set(predictions.map((p) => p.sampleId)));
    } finally {
      await store.close();
    }

    const plain = readWithPlainDuckDB(scratch.dbPath);
    expect(plain.ok).toBe(true);
  });
});

describe('the file is a plain DuckDB database', () => {
  it('reads runs, predictions and metrics with @duckdb/node-api alone, read-only', async () => {
    const store = await RunStore.open(scratch.dbPath);
    const runId = await store.createRun({
      id: 'plain-run',
      runKey: 'plain',
      suiteName: 'plain',
      modelId: 'baseline',
      provider: 'rules',
      task: 'anomaly',
      harnessVersion: '0.0.0-test',
      nodeVersion: process.version,
      host: 'test',
      configHash: 'c',
      splitHash: 's',
      decoding: {},
      suite: {},
    });
    await store.writeBatch(runId, { batchIndex: 0, size: 2, startedAt: new Date(), wallMs: 1 }, [
      { sampleId: 'a', label: 'normal', latencyMs: 1 },
      { sampleId: 'b', label: 'anomalous', latencyMs: 1 },
    ], []);
    await store.writeMetrics(runId, [{ name: 'accuracy', value: 0.5, n: 2 }]);
    await store.finishRun(runId, 'completed');

    // DuckDB lets no other process in, not even to read, while a writer holds the file.
    const whileOpen = readWithPlainDuckDB(scratch.dbPath);
    expect(whileOpen).toMatchObject({ ok: false });
    expect(whileOpen.ok ? '' : whileOpen.error).toMatch(/lock/i);

    await store.close();
    expect(readWithPlainDuckDB(scratch.dbPath)).toEqual({
      ok: true,
      result: {
        runs: [{ id: 'plain-run', status: 'completed', model_id: 'baseline' }],
        predictions: [{ run_id: 'plain-run', n: 2 }],
        metrics: [{ run_id: 'plain-run', name: 'accuracy', value: 0.5 }],
      },
    });
  });
});
