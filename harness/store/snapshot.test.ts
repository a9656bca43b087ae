import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore } from './store.js';
import { StoreSnapshots } from './snapshot.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newRun(runKey: string) {
  return {
    runKey,
    suiteName: 'snapshot-suite',
    modelId: `model-${runKey}`,
    provider: 'replay',
    task: 'fpt-json',
    harnessVersion: '0.0.0-test',
    nodeVersion: process.version,
    host: 'test',
    configHash: 'config',
    splitHash: 'split',
    decoding: {},
    suite: { name: 'snapshot-suite' },
  };
}

const snapshotDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('logbench-view-'));

describe('StoreSnapshots', () => {
  it('reads a file a writer holds open, sees each new commit on the next read, and removes the copies it no longer reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logbench-snapshot-test-'));
    dirs.push(dir);
    const path = join(dir, 'runs.duckdb');
    const writer = await RunStore.open(path);
    const before = new Set(snapshotDirs());
    const snapshots = new StoreSnapshots(path);
    try {
      await writer.createRun(newRun('first'));
      expect(await snapshots.read(async (store) => (await store.listRuns()).map((run) => run.modelId))).toEqual(['model-first']);
      // The writer never closed: a plain read-only open of the file itself would be refused now.
      await expect(RunStore.open(path, { readOnly: true, lockWaitMs: 0 })).rejects.toThrow(/already open in this process|locked/);

      await writer.createRun(newRun('second'));
      expect(await snapshots.read(async (store) => (await store.listRuns()).map((run) => run.modelId))).toEqual(['model-first', 'model-second']);
      // Unchanged file: the same copy answers.
      const copies = snapshotDirs().filter((name) => !before.has(name));
      expect(copies).toHaveLength(1);
      await snapshots.read(async () => undefined);
      expect(snapshotDirs().filter((name) => !before.has(name))).toEqual(copies);
    } finally {
      await snapshots.close();
      await writer.close();
    }
    expect(snapshotDirs().filter((name) => !before.has(name))).toEqual([]);
  });

  it('refuses a path with no store', () => {
    expect(() => new StoreSnapshots('/nonexistent/runs.duckdb')).toThrow('/nonexistent/runs.duckdb: no logbench store there');
  });

  it('keeps a copy a slow reader still uses until it is done, then removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logbench-snapshot-test-'));
    dirs.push(dir);
    const path = join(dir, 'runs.duckdb');
    const writer = await RunStore.open(path);
    const snapshots = new StoreSnapshots(path);
    try {
      await writer.createRun(newRun('first'));
      let release: () => void = () => undefined;
      let copyPath = '';
      const slow = snapshots.read(async (store) => {
        copyPath = store.path;
        await new Promise<void>((done) => (release = done));
        return (await store.listRuns()).length;
      });
      while (copyPath === '') await new Promise((done) => setTimeout(done, 10));
      await writer.createRun(newRun('second'));
      expect(await snapshots.read(async (store) => (await store.listRuns()).length)).toBe(2);
      expect(existsSync(copyPath)).toBe(true);
      release();
      expect(await slow).toBe(1);
      expect(existsSync(copyPath)).toBe(false);
    } finally {
      await snapshots.close();
      await writer.close();
    }
  });
});
