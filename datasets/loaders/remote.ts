import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '../../core/hash.js';
import { writeFileAtomic } from '../../core/io/atomicWrite.js';
import { InputFileError, MAX_DATA_FILE_BYTES, readInputBytes } from '../../core/io/readInput.js';
import type { RemoteFile } from '../remoteFiles.js';

export interface RemoteFetchOptions {
  /** Checked first: a folder holding `relPath` (CLI `--data-dir`). */
  dataDir?: string;
  /** Where downloads are kept (default `~/.cache/logbench/data`). */
  cacheDir?: string;
  fetchImpl?: typeof fetch;
}

export const DEFAULT_CACHE_DIR = path.join(os.homedir(), '.cache', 'logbench', 'data');

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readInputBytes(file, MAX_DATA_FILE_BYTES);
  } catch (err) {
    if (err instanceof InputFileError && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The local path of a pinned remote file: from the data dir if it holds it, else from the cache, else
 * downloaded into the cache. Its sha256 is checked whatever the origin.
 */
export async function resolveRemoteFile(name: string, remote: RemoteFile, options: RemoteFetchOptions): Promise<string> {
  const mismatch = (where: string, actual: string): Error =>
    new Error(`remote dataset ${name}: ${where} has sha256 ${actual}, expected ${remote.sha256} (pinned copy of ${remote.url})`);

  if (options.dataDir) {
    const local = path.join(options.dataDir, remote.relPath);
    const bytes = readIfPresent(local);
    if (bytes) {
      const actual = sha256(bytes);
      if (actual !== remote.sha256) throw mismatch(local, actual);
      return local;
    }
  }

  const cached = path.join(options.cacheDir ?? DEFAULT_CACHE_DIR, remote.relPath);
  const cachedBytes = readIfPresent(cached);
  // A corrupt cache entry is simply fetched again.
  if (cachedBytes && sha256(cachedBytes) === remote.sha256) return cached;

  const fetchImpl = options.fetchImpl ?? fetch;
  const offlineHint = `; offline? put a copy at <data-dir>/${remote.relPath} and pass --data-dir`;
  let bytes: Uint8Array;
  try {
    const response = await fetchImpl(remote.url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    // undici reports "fetch failed" and puts the reason (ECONNREFUSED, ...) in `cause`.
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new Error(`remote dataset ${name}: cannot download ${remote.url} (${(err as Error).message}${cause})${offlineHint}`);
  }
  const actual = sha256(bytes);
  if (actual !== remote.sha256) throw mismatch(`the download from ${remote.url}`, actual);
  // Whole or not at all: a crash or a concurrent run never leaves a half-written file under the final name.
  await mkdir(path.dirname(cached), { recursive: true });
  writeFileAtomic(cached, bytes);
  return cached;
}
