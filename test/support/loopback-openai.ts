// Loopback OpenAI-compatible chat-completions server for tests and `bench:harness`.
// Answers deterministically from a hash of the prompt; faults are injected by rule.
// Standalone: `node dist/test/support/loopback-openai.js` (env PORT, default any; LATENCY_MS; API_KEY).
import http from 'node:http';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

/** What a matching request gets instead of (or before) its answer. */
export type Fault =
  /** An OpenAI-shaped error body with this status; Retry-After (seconds) / retry-after-ms when given. */
  | { kind: 'status'; status: number; retryAfterS?: number; retryAfterMs?: number; message?: string }
  /** The normal answer, late: before the headers, or after the headers with the body held back. */
  | { kind: 'slow'; delayMs: number; stage?: 'headers' | 'body' }
  /** Status 200 with a truncated JSON body. */
  | { kind: 'malformed' }
  /** socket.destroy(): before any response, or after the headers and half the body. */
  | { kind: 'drop'; stage?: 'headers' | 'body' }
  /** Status 200 with an answer of `bytes` characters, streamed chunk by chunk (never held whole); Content-Length only when asked. */
  | { kind: 'huge'; bytes: number; contentLength?: boolean };

/**
 * Injects `fault` into requests that match. Conditions combine with AND; counts are per rule,
 * over the requests it matches. The first rule that fires wins.
 */
export interface FaultRule {
  fault: Fault;
  /** Only requests whose prompt contains this text. */
  match?: string;
  /** Only the first N matching requests. */
  first?: number;
  /** Only every Nth matching request (the Nth, 2Nth, ...). */
  every?: number;
  /** Fires with this probability, decided by hash(seed, prompt, attempt of that prompt): stable under any arrival order. */
  probability?: number;
  seed?: number;
}

/** The fields of a chat request the server reads; the rest is accepted and ignored. */
const chatRequestSchema = z.looseObject({
  model: z.string(),
  messages: z
    .array(
      z.looseObject({
        role: z.string(),
        content: z.union([z.string(), z.array(z.looseObject({ text: z.string().optional() })), z.null()]),
      }),
    )
    .min(1),
  response_format: z.looseObject({ type: z.string() }).optional(),
});
export type ChatRequestBody = z.infer<typeof chatRequestSchema>;

/** Turns a prompt (message contents joined by newlines) into the assistant's text. */
export type AnswerFn = (prompt: string, request: ChatRequestBody) => string;

export interface LoopbackOptions {
  /** Default: {@link logAnalysisAnswer}. */
  answer?: AnswerFn;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Added to every answered request. */
  latencyMs?: number;
  /** Ids `GET /v1/models` lists. */
  models?: string[];
  faults?: FaultRule[];
  /** Replaces the computed `usage` object of an answer (servers have sent fractions, negatives, 1e308). */
  usage?: (prompt: string) => unknown;
}

/** One chat-completions request as the server saw it. */
export interface LoopbackRequestRecord {
  promptHash: string;
  /** performance.now() when the request body had arrived (ms, fractional). */
  receivedAt: number;
  fault?: Fault['kind'];
}

export interface LoopbackStats {
  /** Chat-completions requests received, faulted ones included. */
  requests: number;
  byPromptHash: Map<string, number>;
  faultsInjected: number;
  unauthorized: number;
  inFlight: number;
  maxInFlight: number;
  log: LoopbackRequestRecord[];
  lastRequest?: ChatRequestBody;
}

export interface LoopbackOpenAI {
  /** Base URL ending in `/v1`, for the client's `baseURL`. */
  url: string;
  port: number;
  stats(): LoopbackStats;
  /** Replaces the fault rules; their counters start again from zero. */
  setFaults(rules: FaultRule[]): void;
  close(): Promise<void>;
}

export function promptHash(prompt: string): string {
  return createHash('sha256').update(prompt).digest('hex').slice(0, 16);
}

const words =
  'failed login attempt brute force sshd root invalid user disk error kernel panic timeout denied connection reset'.split(' ');

/** The same answer `shared/bench/loopback-openai.mjs` gives, so harness and peer runs see the same texts. */
export function logAnalysisAnswer(prompt: string): string {
  const h = createHash('sha1').update(prompt).digest();
  const byte = (i: number): number => h[i % h.length] ?? 0;
  const n = 1 + (byte(0) % 4);
  const summary = Array.from({ length: n }, (_, i) =>
    Array.from({ length: 3 + (byte(i + 1) % 5) }, (_, j) => words[byte(i * 7 + j) % words.length]).join(' '),
  );
  return JSON.stringify({
    risk_score: byte(5) % 101,
    should_alert_user: byte(6) % 2 === 1,
    messages: { critical: [byte(7) % 50], warning: [byte(8) % 50, byte(9) % 50] },
    summary,
  });
}

function promptOf(body: ChatRequestBody): string {
  return body.messages
    .map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('')))
    .join('\n');
}

/** response_format asks for JSON: pass JSON answers through, wrap anything else. */
function asJsonIfAsked(content: string, body: ChatRequestBody): string {
  if (body.response_format?.type !== 'json_object' && body.response_format?.type !== 'json_schema') return content;
  try {
    JSON.parse(content);
    return content;
  } catch {
    return JSON.stringify({ answer: content });
  }
}

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  429: 'requests',
};

function errorBody(status: number, message: string): string {
  const type = errorTypes[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
  const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** A completion whose content is `bytes` x's, written as the client reads it: memory stays at one chunk. */
function streamHugeAnswer(res: http.ServerResponse, bytes: number, contentLength: boolean): void {
  const head = Buffer.from('{"choices":[{"index":0,"message":{"role":"assistant","content":"');
  const tail = Buffer.from('"},"finish_reason":"stop"}]}');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.writeHead(200, { 'content-type': 'application/json', ...(contentLength && { 'content-length': head.length + bytes + tail.length }) });
  res.write(head);
  let left = bytes;
  const pump = (): void => {
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      if (!res.write(part)) return void res.once('drain', pump);
    }
    res.end(tail);
  };
  // The client may hang up once it has seen enough: stop writing then.
  res.once('close', () => (left = 0));
  pump();
}

/** Deterministic fraction in [0, 1) for probability rules. */
function unitHash(seed: number, hash: string, attempt: number): number {
  return createHash('sha256').update(`${seed}:${hash}:${attempt}`).digest().readUInt32BE(0) / 2 ** 32;
}

export async function startLoopbackOpenAI(options: LoopbackOptions = {}): Promise<LoopbackOpenAI> {
  const answer = options.answer ?? ((prompt: string) => logAnalysisAnswer(prompt));
  const latencyMs = options.latencyMs ?? 0;
  const models = options.models ?? ['loopback'];
  let rules: { rule: FaultRule; matched: number }[] = [];
  const setFaults = (next: FaultRule[]): void => {
    rules = next.map((rule) => ({ rule, matched: 0 }));
  };
  setFaults(options.faults ?? []);
  const stats: LoopbackStats = {
    requests: 0,
    byPromptHash: new Map(),
    faultsInjected: 0,
    unauthorized: 0,
    inFlight: 0,
    maxInFlight: 0,
    log: [],
  };
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const pickFault = (prompt: string, hash: string, attempt: number): Fault | undefined => {
    for (const entry of rules) {
      const { rule } = entry;
      if (rule.match !== undefined && !prompt.includes(rule.match)) continue;
      const n = ++entry.matched;
      if (rule.first !== undefined && n > rule.first) continue;
      if (rule.every !== undefined && n % rule.every !== 0) continue;
      if (rule.probability !== undefined && unitHash(rule.seed ?? 0, hash, attempt) >= rule.probability) continue;
      return rule.fault;
    }
    return undefined;
  };

  const sendJson = (res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const completion = (body: ChatRequestBody, prompt: string): string => {
    const content = asJsonIfAsked(answer(prompt, body), body);
    const promptTokens = Math.ceil(prompt.length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    return JSON.stringify({
      id: `chatcmpl-${stats.requests}`,
      object: 'chat.completion',
      created: 0,
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
      usage: options.usage?.(prompt) ?? { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  };

  const handleChat = (req: http.IncomingMessage, res: http.ServerResponse, raw: string): void => {
    const auth = req.headers.authorization;
    if (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`) {
      stats.unauthorized++;
      // Like the real API, the message echoes the key it got: the runner must scrub it.
      return sendJson(res, 401, errorBody(401, `Incorrect API key provided: ${auth?.replace(/^Bearer /, '') ?? ''}`));
    }
    let parsed: ChatRequestBody;
    try {
      parsed = chatRequestSchema.parse(JSON.parse(raw));
    } catch (error) {
      return sendJson(res, 400, errorBody(400, `invalid request body: ${error instanceof Error ? error.message : ''}`));
    }
    const prompt = promptOf(parsed);
    const hash = promptHash(prompt);
    const attempt = (stats.byPromptHash.get(hash) ?? 0) + 1;
    stats.requests++;
    stats.byPromptHash.set(hash, attempt);
    stats.lastRequest = parsed;
    const fault = pickFault(prompt, hash, attempt);
    stats.log.push({ promptHash: hash, receivedAt: performance.now(), ...(fault && { fault: fault.kind }) });
    if (fault) stats.faultsInjected++;
    if (fault?.kind === undefined) return later(latencyMs, () => sendJson(res, 200, completion(parsed, prompt)));
    if (fault.kind === 'status') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterS !== undefined) headers['retry-after'] = String(fault.retryAfterS);
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      return sendJson(res, fault.status, errorBody(fault.status, fault.message ?? `injected status ${fault.status}`), headers);
    }
    const out = completion(parsed, prompt);
    switch (fault.kind) {
      case 'slow':
        if (fault.stage === 'body') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
          res.flushHeaders();
          return later(fault.delayMs, () => res.end(out));
        }
        return later(fault.delayMs, () => sendJson(res, 200, out));
      case 'malformed':
        return sendJson(res, 200, out.slice(0, Math.floor(out.length / 2)));
      case 'huge':
        return streamHugeAnswer(res, fault.bytes, fault.contentLength ?? false);
      case 'drop':
        if (fault.stage === 'headers') {
          req.socket.destroy();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
        res.write(out.slice(0, Math.floor(out.length / 2)), () => res.destroy());
        return;
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/stats') {
        const { byPromptHash, log: _log, lastRequest: _last, ...counts } = stats;
        return sendJson(res, 200, JSON.stringify({ ...counts, distinctPrompts: byPromptHash.size }));
      }
      if (req.method === 'GET' && path === '/v1/models') {
        const data = models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'loopback' }));
        return sendJson(res, 200, JSON.stringify({ object: 'list', data }));
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        stats.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
        res.on('close', () => stats.inFlight--);
        return handleChat(req, res, Buffer.concat(chunks).toString('utf8'));
      }
      sendJson(res, 404, errorBody(404, `no route ${req.method ?? ''} ${path ?? ''}`));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('loopback server has no TCP address');
  const port = address.port;

  // Once: a test that kills a replica mid-run closes it again when it cleans up.
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    stats: () => ({ ...stats, byPromptHash: new Map(stats.byPromptHash), log: [...stats.log] }),
    setFaults,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Requests in flight see their connection reset, as when a server process dies.
        server.closeAllConnections();
      })),
  };
}

/**
 * `count` servers that answer alike (each with its own fault counters): the replicas of one model,
 * for `endpoints: [server.url, …]`. Closing one is killing that replica: its requests in flight get
 * their connections reset and new ones are refused.
 */
export async function startLoopbackReplicas(count: number, options: LoopbackOptions = {}): Promise<LoopbackOpenAI[]> {
  if (options.port !== undefined && options.port !== 0) throw new Error('replicas need a port each: leave port unset');
  return Promise.all(Array.from({ length: count }, () => startLoopbackOpenAI(options)));
}

/** Standalone server for `bench:harness` and manual checks. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<LoopbackOpenAI> {
  const server = await startLoopbackOpenAI({
    port: Number(env.PORT ?? 0),
    latencyMs: Number(env.LATENCY_MS ?? 0),
    ...(env.API_KEY !== undefined && { apiKey: env.API_KEY }),
  });
  console.log(`listening ${server.port} ${server.url}`);
  return server;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
