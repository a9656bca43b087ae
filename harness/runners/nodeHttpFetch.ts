import http from 'node:http';
import https from 'node:https';

/**
 * A `fetch` for the openai client built on node:http with keep-alive agents. Node 20's global
 * fetch (undici) costs ~1–1.5 ms of CPU per request on this kind of machine against ~0.3 ms for
 * node:http, and the harness must never be the bottleneck next to a fast local server.
 * Bodies are buffered whole (chat completions are small and non-streaming here), so a connection
 * dropped mid-body rejects the fetch itself, which the runner retries like any connection error.
 * A body larger than `maxResponseBytes` (by its Content-Length, or as it streams in) rejects with
 * {@link ResponseTooLargeError} and closes the connection at once, so a huge answer never sits in memory.
 * The answer is a {@link BufferedResponse}, not undici's `Response`: building undici's Headers,
 * Response and body stream was a third of the CPU of a request in a cold process.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

export interface NodeHttpFetchOptions {
  /** Largest body kept; a larger one rejects the fetch with {@link ResponseTooLargeError}. Default: no limit. */
  maxResponseBytes?: number;
}

export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`response body larger than ${limitBytes} bytes`);
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('This operation was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  // The openai client passes a Headers: copied as it is, without re-validating every header.
  (headers instanceof Headers ? headers : new Headers(headers)).forEach((value, key) => (out[key] = value));
  return out;
}

/** Read-only response headers over node's parsed header object: what `Headers` offers for reading. */
export class ResponseHeaders {
  readonly #values = new Map<string, string>();

  constructor(raw: http.IncomingHttpHeaders) {
    // Node lower-cases names and joins repeats, except set-cookie (an array), which fetch joins too.
    for (const name in raw) {
      const value = raw[name];
      if (value !== undefined) this.#values.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }
  forEach(callback: (value: string, name: string, headers: ResponseHeaders) => void): void {
    this.#values.forEach((value, name) => callback(value, name, this));
  }
  entries(): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
  keys(): IterableIterator<string> {
    return this.#values.keys();
  }
  values(): IterableIterator<string> {
    return this.#values.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
}

/** A fetch `Response` over a body already read whole: the members the openai client reads. */
export class BufferedResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  #bytes: Buffer | null;
  #used = false;

  constructor(
    bytes: Buffer | null,
    readonly status: number,
    readonly statusText: string,
    readonly headers: ResponseHeaders,
    readonly url: string,
  ) {
    this.#bytes = bytes;
    this.ok = status >= 200 && status <= 299;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }
  /** Made on first use only: the client reads it just to cancel it (retries) or to stream. */
  get body(): ReadableStream<Uint8Array> | null {
    return this.#bytes === null ? null : new Response(this.#bytes).body;
  }
  async text(): Promise<string> {
    return this.#consume().toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#consume();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()]);
  }

  #consume(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? Buffer.alloc(0);
  }
}

async function bodyBytes(body: RequestInit['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(await new Response(body).arrayBuffer());
}

export async function nodeHttpFetch(input: string | URL | Request, init: RequestInit = {}, options: NodeHttpFetchOptions = {}): Promise<Response> {
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
      const limit = options.maxResponseBytes ?? Infinity;
      const tooLarge = () => {
        done();
        request.destroy();
        reject(new ResponseTooLargeError(limit));
      };
      if (Number(response.headers['content-length']) > limit) return tooLarge();
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limit) return tooLarge();
        chunks.push(chunk);
      });
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
        const status = response.statusCode ?? 0;
        // A 204/304 Response may not carry a body.
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        const answer = new BufferedResponse(body, status, response.statusMessage ?? '', new ResponseHeaders(response.headers), url.href);
        // The openai client reads only what BufferedResponse has (tests run it against a real server).
        resolve(answer as unknown as Response);
      });
    });
    request.end(payload);
  });
}
