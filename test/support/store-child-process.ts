import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const storeChildScript = fileURLToPath(new URL('./store-child.mjs', import.meta.url));
const plainReaderScript = fileURLToPath(new URL('./store-plain-reader.mjs', import.meta.url));

/** The child processes import the compiled store; `npm test` builds it first. */
export function requireBuiltStore(): void {
  if (!existsSync(new URL('../../dist/harness/store/index.js', import.meta.url))) {
    throw new Error('dist/harness/store/index.js is missing: run `npm run build` before the store integration tests');
  }
}

/** A running `store-child.mjs`, with its stdout split into lines as they arrive. */
export class StoreChild {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private readonly process: ChildProcessWithoutNullStreams;
  private listeners: (() => void)[] = [];

  constructor(mode: 'write-forever' | 'hold' | 'open-write', dbPath: string, lockWaitMs?: number) {
    const args = [storeChildScript, mode, dbPath, ...(lockWaitMs === undefined ? [] : [String(lockWaitMs)])];
    this.process = spawn(process.execPath, args, { cwd: repoRoot });
    let partial = '';
    this.process.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.notify();
    });
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((done) => {
      this.process.on('exit', (code, signal) => {
        done({ code, signal });
        this.notify();
      });
    });
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Resolves with the first line matching `predicate`; rejects if the child exits first or `guardMs` passes (a hang guard). */
  waitForLine(predicate: (line: string) => boolean, guardMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no matching line after ${guardMs} ms; stdout: ${this.lines.join(' | ')}; stderr: ${this.stderr}`)), guardMs);
      const check = (): void => {
        const line = this.lines.find(predicate);
        if (line !== undefined) finish(null, line);
        else if (this.process.exitCode !== null || this.process.signalCode !== null) {
          finish(new Error(`child exited (${this.process.exitCode ?? this.process.signalCode}) first; stdout: ${this.lines.join(' | ')}; stderr: ${this.stderr}`));
        }
      };
      const finish = (error: Error | null, line?: string): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        if (error) reject(error);
        else resolve(line as string);
      };
      this.listeners.push(check);
      check();
    });
  }

  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  kill(signal: NodeJS.Signals): void {
    this.process.kill(signal);
  }

  get errorOutput(): string {
    return this.stderr;
  }
}

export interface PlainReadResult {
  runs: { id: string; status: string; model_id: string }[];
  predictions: { run_id: string; n: number }[];
  metrics: { run_id: string; name: string; value: number }[];
}

/** Reads the file from another process with plain @duckdb/node-api, read-only. */
export function readWithPlainDuckDB(dbPath: string): { ok: true; result: PlainReadResult } | { ok: false; error: string } {
  const run = spawnSync(process.execPath, [plainReaderScript, dbPath], { cwd: repoRoot, encoding: 'utf8' });
  if (run.status !== 0) return { ok: false, error: run.stderr };
  return { ok: true, result: JSON.parse(run.stdout) as PlainReadResult };
}

/**
 * Per-test scratch for the store integration tests: a fresh folder and database path before each
 * test, and every child started through `start` killed and the folder removed after it.
 */
export function useStoreScratch(prefix: string): { readonly dbPath: string; start: (...args: ConstructorParameters<typeof StoreChild>) => StoreChild } {
  let dir = '';
  let dbPath = '';
  let children: StoreChild[] = [];
  beforeAll(requireBuiltStore);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    dbPath = join(dir, 'logbench.duckdb');
  });
  afterEach(async () => {
    for (const child of children) {
      child.kill('SIGKILL');
      await child.exited;
    }
    children = [];
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dbPath() {
      return dbPath;
    },
    start: (...args) => {
      const child = new StoreChild(...args);
      children.push(child);
      return child;
    },
  };
}
