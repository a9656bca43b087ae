import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore } from './store.js';
import { StoreSnapshots, copyBounded, removeDeadViewerCopies, viewerCopyFolder } from './snapshot.js';

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

const snapshotDirs = () => readdirSync(viewerCopyFolder());

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logbench-snapshot-test-'));
  dirs.push(dir);
  return dir;
}

describe('copyBounded', () => {
  it('stops at the end of a source that shrinks during the copy (DuckDB truncating on checkpoint)', { timeout: 20_000 }, async () => {
    const dir = scratch();
    const source = join(dir, 'shrinking.duckdb');
    writeFileSync(source, Buffer.alloc(64 * 1024, 7));
    let truncated = false;
    const copied = await copyBounded(source, join(dir, 'copy'), {
      chunkBytes: 4096,
      afterChunk: (bytes) => {
        if (bytes >= 8192 && !truncated) {
          truncateSync(source, 10_000);
          truncated = true;
        }
      },
    });
    expect(copied).toBe(10_000);
    expect(readFileSync(join(dir, 'copy'))).toEqual(Buffer.alloc(10_000, 7));
  });

  it('copies no more than the size the source had when opened, though it grows', async () => {
    const dir = scratch();
    const source = join(dir, 'growing.duckdb');
    writeFileSync(source, Buffer.alloc(8192, 1));
    const copied = await copyBounded(source, join(dir, 'copy'), { chunkBytes: 1024, afterChunk: () => writeFileSync(source, Buffer.alloc(1024, 2), { flag: 'a' }) });
    expect(copied).toBe(8192);
    expect(readFileSync(join(dir, 'copy'))).toEqual(Buffer.alloc(8192, 1));
  });

  it('refuses a FIFO without waiting for a writer to open it', { timeout: 20_000 }, async () => {
    const dir = scratch();
    const fifo = join(dir, 'fifo.duckdb');
    execFileSync('mkfifo', [fifo]);
    await expect(copyBounded(fifo, join(dir, 'copy'))).rejects.toThrow(`${fifo}: not a regular file`);
  });
});

describe('viewer copy folders', () => {
  it('keeps copies under one folder per process and removes those of dead processes', () => {
    const parent = scratch();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(join(parent, `logbench-view-${dead}-abc123`, 'copy-1'), { recursive: true });
    mkdirSync(join(parent, `logbench-view-${process.pid}-def456`));
    mkdirSync(join(parent, 'logbench-view-unrelated'));
    expect(removeDeadViewerCopies(parent)).toEqual([`logbench-view-${dead}-abc123`]);
    expect(readdirSync(parent).sort()).toEqual([`logbench-view-${process.pid}-def456`, 'logbench-view-unrelated']);
    expect(viewerCopyFolder()).toContain(`logbench-view-${process.pid}-`);
  });
});

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

  it('takes a copy while a commit lands between the main file and its WAL (the WAL is copied last)', async () => {
    const path = join(scratch(), 'runs.duckdb');
    const writer = await RunStore.open(path);
    let commits = 0;
    const snapshots = new StoreSnapshots(path, {
      copy: async (source, target) => {
        const copied = await copyBounded(source, target);
        // A run committing right after the main file was copied: it only appends to the WAL.
        if (source === path) await writer.createRun(newRun(`during-${++commits}`));
        return copied;
      },
    });
    try {
      await writer.createRun(newRun('first'));
      const models = await snapshots.read(async (store) => (await store.listRuns()).map((run) => run.modelId));
      expect(models).toEqual(['model-first', 'model-during-1']);
      expect(snapshots.notice).toBeNull();
    } finally {
      await snapshots.close();
      await writer.close();
    }
  });

  it('serves the previous copy with a note when the main file changes during every copy', async () => {
    const path = join(scratch(), 'runs.duckdb');
    const writer = await RunStore.open(path);
    let busy = false;
    const snapshots = new StoreSnapshots(path, {
      copy: async (source, target) => {
        const copied = await copyBounded(source, target);
        // A checkpoint in the middle of every copy: the main file's mtime moves on.
        if (busy && source === path) utimesSync(path, new Date(), new Date(Date.now() + Math.random() * 1e6));
        return copied;
      },
    });
    try {
      await writer.createRun(newRun('first'));
      expect(await snapshots.read(async (store) => (await store.listRuns()).length)).toBe(1);
      busy = true;
      await writer.createRun(newRun('second'));
      expect(await snapshots.read(async (store) => (await store.listRuns()).length)).toBe(1);
      expect(snapshots.notice).toMatch(new RegExp(`^${path}: showing the store as of \\d\\d:\\d\\d:\\d\\d UTC; it is being written$`));
      busy = false;
      expect(await snapshots.read(async (store) => (await store.listRuns()).length)).toBe(2);
      expect(snapshots.notice).toBeNull();
    } finally {
      await snapshots.close();
      await writer.close();
    }
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
