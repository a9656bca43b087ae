import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../core/hash.js';
import type { DatasetLoadContext } from '../../datasets/load.js';
import type { RemoteFile } from '../../datasets/remoteFiles.js';
import { DATASET_FIXTURES, loadFixtureDataset } from '../support/dataset-fixtures.js';

const REL_PATH = 'fpt-ai-studio-log-tracking/test_json.json';

/** Serves the ShareGPT fixture, a tampered copy, a cut-off transfer and a 404 on 127.0.0.1, counting requests. */
async function startFileServer(body: Buffer): Promise<{ server: Server; base: string; requests: Map<string, number> }> {
  const requests = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.set(url, (requests.get(url) ?? 0) + 1);
    if (url === '/test_json.json') return res.end(body);
    if (url === '/tampered.json') return res.end(Buffer.concat([body, Buffer.from(' ')]));
    if (url === '/cut-off.json') {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.subarray(0, 10));
      return setImmediate(() => res.destroy());
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

describe('remote dataset source', () => {
  let body: Buffer;
  let served: Awaited<ReturnType<typeof startFileServer>>;
  let tmp: string;
  let cacheDir: string;
  const pinned = (urlPath: string): RemoteFile => ({ url: `${served.base}${urlPath}`, sha256: sha256(body), relPath: REL_PATH, format: 'sharegpt' });
  const context = (urlPath: string, extra: Partial<DatasetLoadContext> = {}): Partial<DatasetLoadContext> => ({
    cacheDir,
    remoteFiles: { 'fpt-test': pinned(urlPath) },
    ...extra,
  });

  beforeAll(async () => {
    body = await readFile(path.join(DATASET_FIXTURES, 'sharegpt/records.json'));
    served = await startFileServer(body);
  });
  afterAll(async () => {
    await new Promise((resolve) => served.server.close(resolve));
  });
  beforeEach(async () => {
    served.requests.clear();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'logbench-remote-'));
    cacheDir = path.join(tmp, 'cache');
    return () => rm(tmp, { recursive: true, force: true });
  });

  it('downloads once, verifies, caches under the cache dir and loads the records as ShareGPT', async () => {
    const split = await loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/test_json.json'));
    expect(split.samples.map((s) => s.id)).toEqual(['fpt-test-0000', 'fpt-test-0001', 'fpt-test-0002']);
    expect(await readFile(path.join(cacheDir, REL_PATH))).toEqual(body);
    expect(await listFiles(cacheDir)).toEqual(['test_json.json']);

    const again = await loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/test_json.json'));
    expect(again.splitHash).toBe(split.splitHash);
    expect(served.requests.get('/test_json.json')).toBe(1);
  });

  it('fetches again over a corrupt cache entry', async () => {
    await mkdir(path.dirname(path.join(cacheDir, REL_PATH)), { recursive: true });
    await writeFile(path.join(cacheDir, REL_PATH), '[]');
    await loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/test_json.json'));
    expect(await readFile(path.join(cacheDir, REL_PATH))).toEqual(body);
    expect(served.requests.get('/test_json.json')).toBe(1);
  });

  it('rejects a download whose sha256 differs and caches nothing', async () => {
    await expect(loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/tampered.json'))).rejects.toThrow(
      `remote dataset fpt-test: the download from ${served.base}/tampered.json has sha256 ${sha256(Buffer.concat([body, Buffer.from(' ')]))}, expected ${sha256(body)}`,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('leaves no partial file when the transfer breaks off', async () => {
    await expect(loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/cut-off.json'))).rejects.toThrow(
      `remote dataset fpt-test: cannot download ${served.base}/cut-off.json`,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('reports an HTTP error with a hint for offline use', async () => {
    await expect(loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/gone.json'))).rejects.toThrow(
      /cannot download .*\/gone\.json \(HTTP 404 Not Found\); offline\? put a copy at <data-dir>\/fpt-ai-studio-log-tracking\/test_json\.json/,
    );
  });

  it('takes a verified copy from the data dir first, without a request', async () => {
    const dataDir = path.join(tmp, 'data');
    await mkdir(path.join(dataDir, path.dirname(REL_PATH)), { recursive: true });
    await writeFile(path.join(dataDir, REL_PATH), body);
    const fromContext = await loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/test_json.json', { dataDir }));
    const fromSpec = await loadFixtureDataset({ source: 'remote', name: 'fpt-test', data_dir: path.relative(DATASET_FIXTURES, dataDir) }, context('/test_json.json'));
    expect(fromSpec.splitHash).toBe(fromContext.splitHash);
    expect(served.requests.size).toBe(0);
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('refuses a data dir copy whose sha256 differs, naming it', async () => {
    const dataDir = path.join(tmp, 'data');
    await mkdir(path.join(dataDir, path.dirname(REL_PATH)), { recursive: true });
    await writeFile(path.join(dataDir, REL_PATH), '[]');
    await expect(loadFixtureDataset({ source: 'remote', name: 'fpt-test' }, context('/test_json.json', { dataDir }))).rejects.toThrow(
      `remote dataset fpt-test: ${path.join(dataDir, REL_PATH)} has sha256 ${sha256('[]')}`,
    );
    expect(served.requests.size).toBe(0);
  });
});
