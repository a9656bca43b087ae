import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpFetch } from './nodeHttpFetch.js';

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
