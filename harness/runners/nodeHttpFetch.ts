import http from 'node:http';
import https from 'node:https';

/**
 * A `fetch` for the openai client built on node:http with keep-alive agents. Node 20's global
 * fetch (undici) costs ~1–1.5 ms of CPU per request on this kind of machine against ~0.3 ms for
 * node:http, and the harness must never be the bottleneck next to a fast local server.
 * Bodies are buffered whole (chat completions are small and non-streaming here), so a connection
 * dropped mid-body rejects the fetch itself, which the runner retries like any connection error.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('This operation was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, key) => (out[key] = value));
  return out;
}

async function bodyBytes(body: RequestInit['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(await new Response(body).arrayBuffer());
}

export async function nodeHttpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!transport) throw new TypeError(`unsupported protocol ${url.protocol}`);
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw abortError(signal);
  const payload = await bodyBytes(init.body);
  return new Promise<Response>((resolve, reject) => {
    const request = transport.request(url, {
      method: init.method ?? 'GET',
      headers: { ...headerRecord(init.headers), ...(payload && { 'content-length': String(payload.length) }) },
      agent: agents[url.protocol as 'http:' | 'https:'],
    });
    const onAbort = () => {
      request.destroy();
      reject(abortError(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    request.on('error', (err) => {
      done();
      reject(new TypeError('fetch failed', { cause: err }));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (err) => {
        done();
        reject(new TypeError('fetch failed', { cause: err }));
      });
      response.on('aborted', () => {
        done();
        reject(new TypeError('fetch failed', { cause: new Error('connection closed before the body ended') }));
      });
      response.on('end', () => {
        done();
        if (!response.complete) {
          reject(new TypeError('fetch failed', { cause: new Error('connection closed before the body ended') }));
          return;
        }
        const headers = new Headers();
        for (const [key, value] of Object.entries(response.headers)) {
          if (Array.isArray(value)) for (const v of value) headers.append(key, v);
          else if (value !== undefined) headers.set(key, value);
        }
        const status = response.statusCode ?? 0;
        // A 204/304 Response may not carry a body.
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, statusText: response.statusMessage ?? '', headers }));
      });
    });
    request.end(payload);
  });
}
