/**
 * A read-only view of a store that a writer may hold open: `logbench view` reads a private copy of
 * the file (and its WAL), never the file through DuckDB. DuckDB locks a file per process (fcntl): a
 * read-only handle shares the lock, so while one is open a `logbench run` cannot open the file (it
 * waits, then gives up), and while a run holds it no reader can open it at all. Plain reads of the
 * bytes take no lock, so the writer never waits on the viewer, and the copy is retaken whenever the
 * file or its WAL changed, so new runs appear on the next request.
 */
import { constants, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { RunStore } from './store.js';
import { ViewQueries } from './viewQueries.js';

/** Size and modification time of the file and its WAL: a writer's commit changes one of them. */
function fingerprint(path: string): string {
  const part = (file: string) => (existsSync(file) ? `${statSync(file).size}:${statSync(file).mtimeMs}` : '-');
  return `${part(path)}|${part(`${path}.wal`)}`;
}

interface Snapshot {
  fingerprint: string;
  dir: string;
  store: RunStore;
  views: ViewQueries;
  /** Requests reading this snapshot; a replaced one closes when the last of them ends. */
  readers: number;
  retired: boolean;
  discarded: boolean;
}

/** Copies taken while the writer was mid-commit differ before and after; a few retries find a quiet moment. */
const COPY_ATTEMPTS = 5;

export class StoreSnapshots {
  private current: Snapshot | null = null;
  private refreshing: Promise<Snapshot> | null = null;
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
    if (!existsSync(this.path)) throw new Error(`${this.path}: no logbench store there`);
  }

  /** Runs `work` on a read-only store holding everything committed to the file when it was called. */
  async read<T>(work: (store: RunStore, views: ViewQueries) => Promise<T>): Promise<T> {
    const snapshot = await this.fresh();
    snapshot.readers++;
    try {
      return await work(snapshot.store, snapshot.views);
    } finally {
      snapshot.readers--;
      if (snapshot.retired && snapshot.readers === 0) await this.discard(snapshot);
    }
  }

  async close(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
    if (this.current) {
      this.current.retired = true;
      if (this.current.readers === 0) await this.discard(this.current);
      this.current = null;
    }
  }

  /** A copy at least as new as the file is now. */
  private async fresh(): Promise<Snapshot> {
    for (;;) {
      const now = fingerprint(this.path);
      if (this.current && this.current.fingerprint === now) return this.current;
      if (this.refreshing === null) {
        this.refreshing = this.take().finally(() => (this.refreshing = null));
        return this.refreshing;
      }
      // Concurrent requests share a copy in progress, unless it was begun before the file last changed.
      const shared = await this.refreshing;
      if (shared.fingerprint === now) return shared;
    }
  }

  private async take(): Promise<Snapshot> {
    let lastError: unknown;
    for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
      const before = fingerprint(this.path);
      const dir = mkdtempSync(join(tmpdir(), 'logbench-view-'));
      const copy = join(dir, basename(this.path));
      try {
        // A reflink where the file system has them (btrfs, XFS, APFS): no bytes copied; else a plain copy.
        copyFileSync(this.path, copy, constants.COPYFILE_FICLONE);
        if (existsSync(`${this.path}.wal`)) copyFileSync(`${this.path}.wal`, `${copy}.wal`, constants.COPYFILE_FICLONE);
        if (fingerprint(this.path) !== before) throw new Error(`${this.path} changed while it was copied`);
        const store = await RunStore.open(copy, { readOnly: true, lockWaitMs: 0 });
        let views: ViewQueries;
        try {
          views = await ViewQueries.open(store);
        } catch (error) {
          await store.close();
          throw error;
        }
        const snapshot: Snapshot = { fingerprint: before, dir, store, views, readers: 0, retired: false, discarded: false };
        const previous = this.current;
        this.current = snapshot;
        if (previous) {
          previous.retired = true;
          if (previous.readers === 0) await this.discard(previous);
        }
        return snapshot;
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        lastError = error;
      }
    }
    throw new Error(`${this.path}: could not take a consistent copy to read (${lastError instanceof Error ? lastError.message : String(lastError)})`);
  }

  private async discard(snapshot: Snapshot): Promise<void> {
    if (snapshot.discarded) return;
    snapshot.discarded = true;
    snapshot.views.close();
    await snapshot.store.close();
    rmSync(snapshot.dir, { recursive: true, force: true });
  }
}
