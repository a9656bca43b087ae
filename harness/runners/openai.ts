import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { longestFirst, redactEndpoint, redactSecretsIn, redactUrlsIn, urlSecrets } from '../store/endpoint.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../suite/limits.js';
import { Semaphore } from './concurrency.js';
import { nodeHttpFetch, ResponseTooLargeError } from './nodeHttpFetch.js';
import { ReplicaPool, type ReplicaHealth, type ReplicaPolicy } from './replicas.js';
import type { Prediction, RenderedRequest, RunBatchOptions, Runner } from './runner.js';

/** Decoding parameters passed through to the chat-completions request as they are. */
export interface OpenAIChatDecoding {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string | string[];
  response_format?:
    | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean } }
    | { type: 'json_object' };
}

export interface OpenAIChatRunnerOptions {
  /** The harness's name for this model (suite key); defaults to `model`. */
  modelId?: string;
  /** The model name the endpoint serves. */
  model: string;
  /** The endpoint, or several replicas serving the same model (`harness/runners/replicas.ts` picks one per attempt). */
  baseURL: string | readonly string[];
  /** Name of the environment variable holding the API key; without it a dummy key is sent. */
  apiKeyEnv?: string;
  env?: NodeJS.ProcessEnv;
  decoding?: OpenAIChatDecoding;
  /** Requests in flight at once, across all batches of this runner. Default 8. */
  concurrency?: number;
  /** Per attempt, headers and body together. Default 120000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** Backoff ceiling for retry n is min(retryMaxMs, retryBaseMs * 2^n), full jitter. Defaults 500 / 8000. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A Retry-After longer than this fails the sample instead of stalling the run. Default 60000. */
  retryAfterMaxMs?: number;
  /** A larger answer (or error) body fails the sample, unretried. Default 4 MiB. */
  maxResponseBytes?: number;
  /** When and how long a failing replica sits out (several `baseURL`s only). */
  replicaPolicy?: ReplicaPolicy;
}

/** One endpoint serving the model: its client, and its URL as it may be stored (no credentials). */
interface Replica {
  client: OpenAI;
  label: string;
}

const completionSchema = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable() }), finish_reason: z.string().nullable() }))
    .min(1),
  // Read by `reportedCount`: an odd count (null, "12", {}) costs the count, never the answer.
  usage: z.unknown(),
});

// Local servers ignore the key, but the client refuses to start without one.
const dummyApiKey = 'logbench-no-key';

/** A shorter secret (vLLM's key "EMPTY", `?v=1`) is not searched for in answers: it would match ordinary words. */
const MIN_SECRET_LENGTH_REDACTED_IN_ANSWERS = 8;

export type AttemptOutcome =
  | { ok: true; text: string; tokensIn?: number; tokensOut?: number }
  | { ok: false; retryable: boolean; message: string; retryAfterMs?: number };

/** An attempt's outcome and what it says about the replica that served it. */
type AttemptResult = { outcome: AttemptOutcome; health: ReplicaHealth };

/**
 * Chat completions against any OpenAI-compatible endpoint, through the official client.
 *
 * Retries are ours, not the client's (`maxRetries: 0` on it): the client's backoff is fixed
 * (0.5 s base, 8 s cap, ≤25% jitter), it honours any Retry-After without bound, and it retries
 * nothing that fails after the headers (malformed 200 bodies, connections dropped mid-body).
 * Its timeout does cover the body here, because `nodeHttpFetch` resolves only once the body is
 * in. One loop here covers all of these: the same statuses
 * (408/409/429/5xx, x-should-retry), Retry-After / retry-after-ms, timeouts and connection
 * errors, malformed bodies; at most `maxRetries + 1` attempts of at most `timeoutMs` each,
 * with waits of at most max(retryMaxMs, retryAfterMaxMs + retryBaseMs) between them.
 *
 * With several replicas, each attempt goes where the {@link ReplicaPool} says. An attempt that
 * failed through the replica's fault (unreachable, 5xx, 429, malformed body) is tried again at once
 * on a replica this request has not failed on, where one takes requests now, without using a retry;
 * otherwise retries are counted and spaced as above. So a request gets up to `maxRetries + replicas`
 * attempts, and a replica that dies mid-run costs its requests in flight no retry.
 */
export class OpenAIChatRunner implements Runner {
  readonly provider = 'openai';
  readonly modelId: string;
  readonly #replicas: Replica[];
  /** Null for one endpoint: with nowhere else to send a request, the retry delays alone space attempts. */
  readonly #pool: ReplicaPool | null;
  readonly #apiKey: string | undefined;
  /** Redacted from answers: the key and the endpoint's credential parts, where long enough to be told apart from text. */
  readonly #answerSecrets: string[];
  /** Redacted from error messages: the key and the endpoint's credential parts (servers echo both). */
  readonly #errorSecrets: string[];
  readonly #model: string;
  readonly #decoding: OpenAIChatDecoding;
  readonly #slots: Semaphore;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #retryAfterMaxMs: number;

  constructor(options: OpenAIChatRunnerOptions) {
    const env = options.env ?? process.env;
    if (options.apiKeyEnv !== undefined) {
      const key = env[options.apiKeyEnv];
      if (key === undefined || key === '') {
        throw new Error(`environment variable ${options.apiKeyEnv} (API key for model ${options.model}) is not set`);
      }
      this.#apiKey = key;
    }
    this.modelId = options.modelId ?? options.model;
    this.#model = options.model;
    this.#decoding = options.decoding ?? {};
    this.#slots = new Semaphore(options.concurrency ?? 8);
    this.#timeoutMs = integerAtLeast('timeoutMs', options.timeoutMs ?? 120_000, 1);
    this.#maxRetries = integerAtLeast('maxRetries', options.maxRetries ?? 5, 0);
    this.#retryBaseMs = options.retryBaseMs ?? 500;
    this.#retryMaxMs = options.retryMaxMs ?? 8_000;
    this.#retryAfterMaxMs = options.retryAfterMaxMs ?? 60_000;
    const maxResponseBytes = integerAtLeast('maxResponseBytes', options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, 1);
    const key = this.#apiKey ?? '';
    const urls = typeof options.baseURL === 'string' ? [options.baseURL] : [...options.baseURL];
    if (urls.length === 0) throw new Error(`model ${options.model} has no endpoint`);
    this.#errorSecrets = longestFirst([...(key === '' ? [] : [key]), ...urls.flatMap(urlSecrets)]);
    this.#answerSecrets = this.#errorSecrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH_REDACTED_IN_ANSWERS);
    this.#replicas = urls.map((url) => ({ client: this.#clientFor(url, maxResponseBytes), label: redactEndpoint(url) }));
    this.#pool = urls.length > 1 ? new ReplicaPool(urls.length, options.replicaPolicy) : null;
  }

  #clientFor(url: string, maxResponseBytes: number): OpenAI {
    // The client appends its paths to baseURL as a string: a query there (`?token=`) goes in defaultQuery
    // instead, and a fragment would swallow the paths (`/v1#x/chat/completions` asks for `/v1`).
    const baseURL = new URL(url);
    const defaultQuery = baseURL.search === '' ? undefined : Object.fromEntries(baseURL.searchParams);
    baseURL.search = '';
    baseURL.hash = '';
    return new OpenAI({
      baseURL: baseURL.href,
      ...(defaultQuery && { defaultQuery }),
      apiKey: this.#apiKey ?? dummyApiKey,
      // Never send ambient OpenAI credentials or ids from this process's env to a suite's endpoint.
      adminAPIKey: null,
      organization: null,
      project: null,
      timeout: this.#timeoutMs,
      maxRetries: 0,
      logLevel: 'off',
      // Buffers the body before it resolves, so the client's timeout covers the body too.
      fetch: (input, init) => nodeHttpFetch(input, init, { maxResponseBytes }),
    });
  }

  async runBatch(batch: RenderedRequest[], signal?: AbortSignal, options: RunBatchOptions = {}): Promise<Prediction[]> {
    signal?.throwIfAborted();
    const predictAll = (requestSignal: AbortSignal | undefined) =>
      Promise.all(batch.map((request) => this.#slots.run(() => this.#predict(request, requestSignal, options.stopRetrying))));
    if (!signal) return predictAll(undefined);
    // The client adds an abort listener to the signal of every request and never removes it: one
    // signal per batch keeps that to the batch, instead of thousands piling up on the run's signal.
    const batchAbort = new AbortController();
    setMaxListeners(0, batchAbort.signal);
    const forward = () => batchAbort.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      return await predictAll(batchAbort.signal);
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  /** Never rejects except when `signal` aborts; after `stopRetrying` aborts, a failure is final. */
  async #predict(request: RenderedRequest, signal: AbortSignal | undefined, stopRetrying: AbortSignal | undefined): Promise<Prediction> {
    signal?.throwIfAborted();
    const started = performance.now();
    const body: ChatCompletionCreateParamsNonStreaming = {
      ...this.#decoding,
      model: this.#model,
      messages: request.messages,
    };
    const failed = (message: string): Prediction => ({
      sampleId: request.sample.id,
      latencyMs: performance.now() - started,
      error: this.#scrub(message),
    });
    /** Replicas whose fault failed this request: the next attempt goes elsewhere while it can. */
    const failedOn = new Set<number>();
    let lastFailure = 'not sent';
    // Waiting for a replica to come back ends at an interrupt too: the sample is stored as an error, not held up to a back-off.
    // Made on the first wait only: most requests never wait, and AbortSignal.any is not free.
    let waitSignal: AbortSignal | undefined;
    const waitOn = (): AbortSignal | undefined => {
      const waits = [signal, stopRetrying].filter((s): s is AbortSignal => s !== undefined);
      if (waitSignal === undefined && waits.length > 0) waitSignal = AbortSignal.any(waits);
      return waitSignal;
    };
    for (let attempt = 0, retry = 0; ; attempt++) {
      let lease = null;
      try {
        lease = this.#pool ? (this.#pool.tryAcquire(failedOn) ?? (await this.#pool.acquire(failedOn, waitOn()))) : null;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (stopRetrying?.aborted) return failed(`${lastFailure} (not retried: the run was interrupted while every replica was backing off; the next run retries it)`);
        throw error;
      }
      const replica = this.#replicas[lease?.replica ?? 0] as Replica;
      let result: AttemptResult | undefined;
      try {
        result = await this.#attempt(replica.client, body, signal);
      } finally {
        // An abort says nothing about the replica: it is handed back as it was.
        if (lease) this.#pool?.release(lease, result?.health ?? 'cancelled');
      }
      const { outcome, health } = result;
      if (outcome.ok) {
        const { ok: _, ...answer } = outcome;
        // A server may echo the Authorization header or the URL it was asked into the answer: neither reaches the store.
        const text = redactSecretsIn(answer.text, this.#answerSecrets);
        return { sampleId: request.sample.id, ...answer, text, latencyMs: performance.now() - started, replica: replica.label };
      }
      lastFailure = outcome.message;
      const attempts = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
      if (!outcome.retryable) return failed(`${outcome.message} (not retryable, ${attempts})`);
      const firstFailureHere = lease !== null && health !== 'answered' && !failedOn.has(lease.replica);
      if (lease && health !== 'answered') failedOn.add(lease.replica);
      // Failing over to a replica this request has not failed on, and that takes requests now, is free and immediate.
      const failover = firstFailureHere && this.#pool !== null && this.#pool.hasFreeReplicaBesides(failedOn);
      if (!failover && retry >= this.#maxRetries) return failed(`${outcome.message} (gave up after ${attempts}${failedOn.size > 1 ? ` on ${failedOn.size} replicas` : ''})`);
      if (stopRetrying?.aborted) return failed(`${outcome.message} (not retried: the run was interrupted; the next run retries it)`);
      if (failover) continue;
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.#retryAfterMaxMs) {
        return failed(`${outcome.message} (server asked to retry after ${outcome.retryAfterMs} ms, over the ${this.#retryAfterMaxMs} ms limit)`);
      }
      const interrupted = await sleep(this.#retryDelayMs(retry++, outcome.retryAfterMs), false, { signal: waitOn() }).catch(
        (error: unknown) => {
          if (signal?.aborted) throw signal.reason;
          if (stopRetrying?.aborted) return true;
          throw error;
        },
      );
      if (interrupted) return failed(`${outcome.message} (not retried: the run was interrupted; the next run retries it)`);
    }
  }

  async #attempt(client: OpenAI, body: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal | undefined): Promise<AttemptResult> {
    try {
      const response = await client.chat.completions.create(body, signal && { signal }).asResponse();
      const outcome = parseCompletion(await response.text());
      // A malformed body is the server's fault; an answer without content is the question's.
      return { outcome, health: !outcome.ok && outcome.retryable ? 'failing' : 'answered' };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return this.#describeFailure(error);
    }
  }

  #describeFailure(error: unknown): AttemptResult {
    if (error instanceof Error && error.cause instanceof ResponseTooLargeError) {
      // Not retried: the same question would get the same oversized answer.
      return { outcome: { ok: false, retryable: false, message: `answer larger than max_response_bytes (${error.cause.limitBytes})` }, health: 'answered' };
    }
    if (error instanceof APIConnectionTimeoutError) {
      return { outcome: { ok: false, retryable: true, message: `timed out after ${this.#timeoutMs} ms` }, health: 'unreachable' };
    }
    if (error instanceof APIConnectionError) {
      return { outcome: { ok: false, retryable: true, message: `connection error: ${error.message}${causeOf(error)}` }, health: 'unreachable' };
    }
    if (error instanceof APIError && error.status !== undefined) {
      const wait = retryAfterMs(error.headers);
      const outcome: AttemptOutcome = {
        ok: false,
        retryable: isRetryableStatus(error.status, error.headers?.get('x-should-retry')),
        message: `HTTP ${error.message}`,
        ...(wait !== undefined && { retryAfterMs: wait }),
      };
      // Other 4xx are the request's fault, not the replica's.
      return { outcome, health: error.status === 429 || error.status >= 500 ? 'failing' : 'answered' };
    }
    // Anything else was thrown while reading the body: the connection dropped mid-answer.
    const message = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
    return { outcome: { ok: false, retryable: true, message: `response body failed: ${message}` }, health: 'unreachable' };
  }

  /** Full jitter (AWS "Exponential Backoff and Jitter"); a Retry-After is a floor, spread by up to one base step. */
  #retryDelayMs(attempt: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return retryAfter + Math.random() * this.#retryBaseMs;
    return Math.random() * Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** attempt);
  }

  /** Server messages may echo the key (OpenAI's 401 does, partly) or the URL asked: never let them into a Prediction. */
  #scrub(message: string): string {
    return redactSecretsIn(redactUrlsIn(message), this.#errorSecrets);
  }
}

/** One response body to an attempt's outcome (exported for its unit test). */
export function parseCompletion(text: string): AttemptOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, retryable: true, message: `malformed response body (not JSON, ${text.length} chars)` };
  }
  const parsed = isPlainCompletion(json) ? { success: true as const, data: json } : completionSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, retryable: true, message: `malformed response body: ${z.prettifyError(parsed.error)}` };
  }
  const choice = parsed.data.choices[0];
  if (choice === undefined || choice.message.content === null) {
    return { ok: false, retryable: false, message: `response has no content (finish_reason ${choice?.finish_reason ?? 'none'})` };
  }
  const { usage } = parsed.data;
  const counts = typeof usage === 'object' && usage !== null ? (usage as { prompt_tokens?: unknown; completion_tokens?: unknown }) : {};
  const tokensIn = reportedCount(counts.prompt_tokens);
  const tokensOut = reportedCount(counts.completion_tokens);
  return {
    ok: true,
    text: choice.message.content,
    ...(tokensIn !== undefined && { tokensIn }),
    ...(tokensOut !== undefined && { tokensOut }),
  };
}

/**
 * A token count as the server reported it. Not reported (absent, null) is undefined; anything else
 * that is not a number ("12", {}) is NaN, which the run stores as unknown with its one warning.
 */
function reportedCount(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' ? value : Number.NaN;
}

/**
 * The shape nearly every answer has, checked by hand: zod's safeParse cost ~25 µs a response in a
 * cold process, on the hot path. Anything else goes through `completionSchema`, for its message.
 */
function isPlainCompletion(json: unknown): json is z.infer<typeof completionSchema> {
  if (typeof json !== 'object' || json === null) return false;
  const { choices } = json as { choices?: unknown };
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const choice of choices as unknown[]) {
    if (typeof choice !== 'object' || choice === null) return false;
    const { message, finish_reason } = choice as { message?: unknown; finish_reason?: unknown };
    if (typeof message !== 'object' || message === null) return false;
    const content = (message as { content?: unknown }).content;
    if (!(typeof content === 'string' || content === null)) return false;
    if (!(typeof finish_reason === 'string' || finish_reason === null)) return false;
  }
  return true;
}

/** The statuses the openai client itself retries, and its x-should-retry override. */
function isRetryableStatus(status: number, shouldRetry: string | null | undefined): boolean {
  if (shouldRetry === 'true') return true;
  if (shouldRetry === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** retry-after-ms wins over Retry-After (seconds or an HTTP date), as in the openai client. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Undici nests the useful part ("other side closed") a level or two down. */
function causeOf(error: Error): string {
  const causes: string[] = [];
  for (let cause = error.cause; cause instanceof Error && causes.length < 3; cause = cause.cause) {
    causes.push(cause.message);
  }
  return causes.length === 0 ? '' : ` (${causes.join(': ')})`;
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}
