import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpFetch, ResponseTooLargeError } from './nodeHttpFetch.js';

let server: http.Server;
let base: string;
const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ ...(req.method !== undefined && { method: req.method }), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/empty') return res.writeHead(204).end();
      if (req.url === '/half') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"partial":');
        return setTimeout(() => res.socket?.destroy(), 20);
      }
      res.writeHead(req.url === '/limited' ? 429 : 200, 'Custom Reason', [
        ['Content-Type', 'application/json'],
        ['Retry-After', '3'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
      ]);
      res.end(JSON.stringify({ echo: Buffer.concat(chunks).toString('utf8'), word: 'héllo 😀' }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('nodeHttpFetch', () => {
  it('sends method, headers and body, and answers with what a fetch Response offers for reading', async () => {
    const response = await nodeHttpFetch(`${base}/chat`, {
      method: 'POST',
      headers: new Headers({ 'Content-Type': 'application/json', Authorization: 'Bearer k' }),
      body: '{"q":"é"}',
    });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"q":"é"}' });
    expect(seen.at(-1)?.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer k', 'content-length': '10' });
    expect([response.status, response.statusText, response.ok, response.url]).toEqual([200, 'Custom Reason', true, `${base}/chat`]);
    expect(response.headers.get('Retry-After')).toBe('3');
    expect(response.headers.get('x-missing')).toBeNull();
    expect(response.headers.has('CONTENT-TYPE')).toBe(true);
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect([...response.headers.entries()]).toContainEqual(['content-type', 'application/json']);
    expect(await response.json()).toEqual({ echo: '{"q":"é"}', word: 'héllo 😀' });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(/already been read/);
  });

  it('reports error statuses as not ok, keeps a 204 without a body, and streams the body on request', async () => {
    const limited = await nodeHttpFetch(`${base}/limited`, { method: 'POST', body: new TextEncoder().encode('x') });
    expect([limited.status, limited.ok]).toEqual([429, false]);
    const streamed = await new Response(limited.body).json();
    expect(streamed).toEqual({ echo: 'x', word: 'héllo 😀' });
    const empty = await nodeHttpFetch(`${base}/empty`);
    expect([empty.status, empty.body, await empty.text()]).toEqual([204, null, '']);
  });

  it('rejects when the connection drops before the body ends, and when aborted', async () => {
    await expect(nodeHttpFetch(`${base}/half`)).rejects.toThrow('fetch failed');
    const controller = new AbortController();
    controller.abort();
    await expect(nodeHttpFetch(`${base}/chat`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('nodeHttpFetch with maxResponseBytes', () => {
  const limit = 1024 * 1024;
  let capped: http.Server;
  let cappedBase: string;
  /** Bytes of body each /stream request got written before the client hung up. */
  const written: number[] = [];

  beforeAll(async () => {
    capped = http.createServer((req, res) => {
      if (req.url === '/declared') {
        // Headers only: the body never comes, so only the Content-Length can end this fetch.
        res.writeHead(200, { 'content-length': String(limit + 1) });
        return res.flushHeaders();
      }
      if (req.url === '/exact') return res.writeHead(200).end(Buffer.alloc(limit, 'x'));
      // /stream: 64 MiB without Content-Length, written as fast as the client reads.
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.once('close', () => written.push(sent));
      res.writeHead(200);
      pump();
    });
    await new Promise<void>((done) => capped.listen(0, '127.0.0.1', done));
    cappedBase = `http://127.0.0.1:${(capped.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => capped.close(() => done())));

  it('rejects a body that streams past the limit and hangs up at once', async () => {
    const fetching = nodeHttpFetch(`${cappedBase}/stream`, {}, { maxResponseBytes: limit });
    await expect(fetching).rejects.toBeInstanceOf(ResponseTooLargeError);
    await expect(fetching).rejects.toThrow(`response body larger than ${limit} bytes`);
    while (written.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // What the server got out before the hang-up is the limit plus what the socket buffers held, not the 64 MiB.
    expect(written[0]).toBeLessThan(32 * 1024 * 1024);
  });

  it('rejects a declared Content-Length over the limit before any of the body, and keeps a body of exactly the limit', async () => {
    await expect(nodeHttpFetch(`${cappedBase}/declared`, {}, { maxResponseBytes: limit })).rejects.toBeInstanceOf(ResponseTooLargeError);
    const exact = await nodeHttpFetch(`${cappedBase}/exact`, {}, { maxResponseBytes: limit });
    expect((await exact.text()).length).toBe(limit);
  });
});
