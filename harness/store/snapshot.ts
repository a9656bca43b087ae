/**
 * A read-only view of a store that a writer may hold open: `logbench view` reads a private copy of
 * the file (and its WAL), never the file through DuckDB. DuckDB locks a file per process (fcntl): a
 * read-only handle shares the lock, so while one is open a `logbench run` cannot open the file (it
 * waits, then gives up), and while a run holds it no reader can open it at all. Plain reads of the
 * bytes take no lock, so the writer never waits on the viewer, and the copy is retaken whenever the
 * file or its WAL changed, so new runs appear on the next request.
 */
import { constants, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { RunStore } from './store.js';
import { ViewQueries } from './viewQueries.js';
import { processAlive } from '../../core/process.js';

/** Size and modification time of one file ('-' when absent): a writer's commit or checkpoint changes it. */
function fingerprintOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return '-';
  }
}

/** The main file's and the WAL's fingerprints: any difference from a copy's means it may be stale. */
function fingerprint(path: string): string {
  return `${fingerprintOf(path)}|${fingerprintOf(`${path}.wal`)}`;
}

const COPY_CHUNK_BYTES = 1 << 20;

export interface BoundedCopyOptions {
  chunkBytes?: number;
  /** Called after each chunk is written (tests use it to shrink the source mid-copy). */
  afterChunk?: (copiedBytes: number) => void | Promise<void>;
}

/**
 * Copies `source` to `target` up to the size the source had when opened, or to its end if it shrinks
 * first (DuckDB truncates the file on checkpoint): `copyFileSync` spins forever on a shrinking source,
 * synchronously, so not even SIGTERM got through. Async reads keep the event loop, and signals, alive.
 * O_NONBLOCK keeps the open itself from waiting on a FIFO, which is then refused as no regular file.
 */
export async function copyBounded(source: string, target: string, options: BoundedCopyOptions = {}): Promise<number> {
  const input = await open(source, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await input.stat();
    if (!stat.isFile()) throw new Error(`${source}: not a regular file`);
    const output = await open(target, 'wx');
    try {
      const buffer = Buffer.alloc(options.chunkBytes ?? COPY_CHUNK_BYTES);
      let copied = 0;
      while (copied < stat.size) {
        const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, stat.size - copied), copied);
        if (bytesRead === 0) break;
        await output.write(buffer, 0, bytesRead, copied);
        copied += bytesRead;
        await options.afterChunk?.(copied);
      }
      return copied;
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

const COPY_FOLDER_PREFIX = 'logbench-view-';


/**
 * Removes the copy folders of viewers that died without cleaning up (kill -9): each process keeps its
 * copies under one `logbench-view-<pid>-…` folder, so a folder whose pid is gone is garbage.
 */
export function removeDeadViewerCopies(parent: string = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(parent)) {
    const pid = Number(new RegExp(`^${COPY_FOLDER_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

let processCopyFolder: string | null = null;

/** This process's folder of copies, made on first use. */
export function viewerCopyFolder(): string {
  if (processCopyFolder === null || !existsSync(processCopyFolder)) {
    processCopyFolder = mkdtempSync(join(tmpdir(), `${COPY_FOLDER_PREFIX}${process.pid}-`));
  }
  return processCopyFolder;
}

/** Removes this process's (by then empty) folder of copies, once every store is closed. */
export function removeViewerCopyFolder(): void {
  if (processCopyFolder !== null) rmSync(processCopyFolder, { recursive: true, force: true });
  processCopyFolder = null;
}

interface Snapshot {
  fingerprint: string;
  takenAt: Date;
  dir: string;
  store: RunStore;
  views: ViewQueries;
  /** Requests reading this snapshot; a replaced one closes when the last of them ends. */
  readers: number;
  retired: boolean;
  discarded: boolean;
}

/** Copies whose main file changed while it was copied are retaken; a checkpoint rarely lands twice running. */
const COPY_ATTEMPTS = 5;

class ChangedWhileCopied extends Error {}

export class StoreSnapshots {
  private current: Snapshot | null = null;
  private refreshing: Promise<Snapshot> | null = null;
  /** Why the last refresh failed, while no newer copy was taken since, and whether the previous copy stands in. */
  private lastFailure: { message: string; stale: boolean } | null = null;
  readonly path: string;
  private readonly copy: typeof copyBounded;

  /** `options.copy` wraps the byte copy (tests write to the store between the main file and its WAL). */
  constructor(path: string, options: { copy?: typeof copyBounded } = {}) {
    this.path = resolve(path);
    this.copy = options.copy ?? copyBounded;
    if (!existsSync(this.path)) throw new Error(`${this.path}: no logbench store there`);
  }

  /**
   * What a page over this store should say: a stale copy is being served, or the store cannot be
   * read at all; null when the copy is current.
   */
  get notice(): string | null {
    if (this.lastFailure === null) return null;
    if (!this.lastFailure.stale || this.current === null) return `${this.path}: cannot be read (${this.lastFailure.message})`;
    return `${this.path}: showing the store as of ${this.current.takenAt.toISOString().slice(11, 19)} UTC; it is being written`;
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

  /** A copy at least as new as the file is now, or the last one when no consistent copy can be taken. */
  private async fresh(): Promise<Snapshot> {
    for (;;) {
      const now = fingerprint(this.path);
      if (this.current && this.current.fingerprint === now) return this.current;
      if (this.refreshing === null) {
        this.refreshing = this.refresh().finally(() => (this.refreshing = null));
        return this.refreshing;
      }
      // Concurrent requests share a copy in progress, unless it was begun before the file last changed.
      const shared = await this.refreshing;
      if (shared.fingerprint === now || shared !== this.current || this.lastFailure !== null) return shared;
    }
  }

  private async refresh(): Promise<Snapshot> {
    try {
      const snapshot = await this.take();
      this.lastFailure = null;
      return snapshot;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A writer committing faster than a copy takes: the previous copy is still a consistent store.
      const stale = this.current !== null && error instanceof ChangedWhileCopied;
      this.lastFailure = { message, stale };
      if (stale && this.current !== null) return this.current;
      throw new Error(`${this.path}: could not take a consistent copy to read (${message})`);
    }
  }

  private async take(): Promise<Snapshot> {
    let lastError: unknown;
    for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
      const dir = mkdtempSync(join(viewerCopyFolder(), 'copy-'));
      const copy = join(dir, basename(this.path));
      try {
        // Only the main file's fingerprint guards its copy: commits append to the WAL and leave the
        // main file alone until a checkpoint, which changes it (and then the copy is retaken).
        const mainBefore = fingerprintOf(this.path);
        await this.copy(this.path, copy);
        if (fingerprintOf(this.path) !== mainBefore) throw new ChangedWhileCopied(`${this.path} was checkpointed while it was copied`);
        // The WAL last: what it gained since the main file was copied are whole commits after it (a
        // torn last one is dropped on replay). Its fingerprint from before the copy marks the copy's age.
        const walBefore = fingerprintOf(`${this.path}.wal`);
        if (walBefore !== '-') await this.copy(`${this.path}.wal`, `${copy}.wal`);
        if (fingerprintOf(this.path) !== mainBefore) throw new ChangedWhileCopied(`${this.path} was checkpointed while its WAL was copied`);
        const store = await RunStore.open(copy, { readOnly: true, lockWaitMs: 0 });
        let views: ViewQueries;
        try {
          views = await ViewQueries.open(store);
        } catch (error) {
          await store.close();
          throw error;
        }
        const snapshot: Snapshot = { fingerprint: `${mainBefore}|${walBefore}`, takenAt: new Date(), dir, store, views, readers: 0, retired: false, discarded: false };
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
    throw lastError;
  }

  private async discard(snapshot: Snapshot): Promise<void> {
    if (snapshot.discarded) return;
    snapshot.discarded = true;
    snapshot.views.close();
    await snapshot.store.close();
    rmSync(snapshot.dir, { recursive: true, force: true });
  }
}
