import { z } from 'zod';
import { nodeHttpFetch } from '../runners/nodeHttpFetch.js';
import { redactEndpoint, redactUrlsIn } from '../store/endpoint.js';
import type { ServerBatchFigures } from './batchTelemetry.js';

/** One sample line of the Prometheus text exposition format (version 0.0.4). */
export interface PrometheusSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  timestampMs: number | null;
}

export type PrometheusMetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PrometheusPage {
  samples: PrometheusSample[];
  /** `# TYPE` per metric family name. */
  types: Map<string, PrometheusMetricType>;
  /** `# HELP` per metric family name, unescaped. */
  help: Map<string, string>;
}

export class PrometheusParseError extends Error {
  constructor(
    readonly lineNumber: number,
    reason: string,
  ) {
    super(`line ${lineNumber}: ${reason}`);
    this.name = 'PrometheusParseError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^-?\d+$/;
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** How much of an offending token an error quotes: a page may hold a 15 MB "number", and the error ends up in notes. */
const QUOTED_CHARS = 40;

/** `token` as an error message shows it: JSON-quoted, cut to `QUOTED_CHARS` with the length it had. */
function quoted(token: string): string {
  return token.length <= QUOTED_CHARS ? JSON.stringify(token) : `${JSON.stringify(token.slice(0, QUOTED_CHARS))}… (${token.length} characters)`;
}

/** A sample value: Go-style floats, plus `NaN`, `+Inf`, `-Inf` (which `Number()` alone would not read). */
function parseValue(token: string, lineNumber: number): number {
  if (token === 'NaN') return Number.NaN;
  if (token === '+Inf' || token === 'Inf') return Number.POSITIVE_INFINITY;
  if (token === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!FLOAT.test(token)) throw new PrometheusParseError(lineNumber, `not a number: ${quoted(token)}`);
  return Number(token);
}

/** `\\`, `\"` and `\n` are the only escapes in label values; `quoted` says whether `\"` is one. */
function unescape(text: string, quoted: boolean, lineNumber: number): string {
  return text.replace(/\\(.)/g, (whole, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quoted) return '"';
    if (quoted) throw new PrometheusParseError(lineNumber, `unknown escape ${whole}`);
    return whole;
  });
}

/** Reads `{name="value",…}` starting at `text[0] === '{'`; returns the labels and the rest of the line. */
function parseLabels(text: string, lineNumber: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let rest = text.slice(1).trimStart();
  while (!rest.startsWith('}')) {
    const name = LABEL_NAME.exec(rest)?.[0];
    if (!name) throw new PrometheusParseError(lineNumber, 'expected a label name');
    rest = rest.slice(name.length).trimStart();
    const equals = /^=\s*"/.exec(rest);
    if (!equals) throw new PrometheusParseError(lineNumber, `expected ="…" after ${quoted(name)}`);
    rest = rest.slice(equals[0].length);
    // The value ends at the first quote not preceded by an odd run of backslashes.
    const end = /^(?:[^"\\]|\\.)*"/.exec(rest);
    if (!end) throw new PrometheusParseError(lineNumber, `unterminated value of label ${quoted(name)}`);
    if (Object.hasOwn(labels, name)) throw new PrometheusParseError(lineNumber, `label ${quoted(name)} repeated`);
    labels[name] = unescape(end[0].slice(0, -1), true, lineNumber);
    rest = rest.slice(end[0].length).trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (!rest.startsWith('}')) throw new PrometheusParseError(lineNumber, 'expected , or } after a label');
  }
  return { labels, rest: rest.slice(1) };
}

/**
 * Parses a Prometheus text-format page (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * `# HELP` / `# TYPE` lines, other comments skipped, samples `name{labels} value [timestamp]`.
 * Throws `PrometheusParseError` naming the line for anything else. With `keep`, only the samples and
 * families it accepts are read; the rest of a line after an unwanted name is not looked at.
 */
export function parsePrometheusText(text: string, keep?: (name: string) => boolean): PrometheusPage {
  const page: PrometheusPage = { samples: [], types: new Map(), help: new Map() };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = (lines[i] as string).trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const comment = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!comment) continue;
      const family = comment[2] as string;
      const body = comment[3] ?? '';
      if (keep && !keep(family)) continue;
      if (!METRIC_NAME.test(family)) throw new PrometheusParseError(lineNumber, `bad metric name ${quoted(family)}`);
      if (comment[1] === 'HELP') page.help.set(family, unescape(body, false, lineNumber));
      else if (TYPES.has(body)) page.types.set(family, body as PrometheusMetricType);
      else throw new PrometheusParseError(lineNumber, `unknown metric type ${quoted(body)}`);
      continue;
    }
    const name = METRIC_NAME.exec(line)?.[0];
    if (!name) throw new PrometheusParseError(lineNumber, 'expected a metric name');
    if (keep && !keep(name)) continue;
    let rest = line.slice(name.length).trimStart();
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, lineNumber));
    const tokens = rest.trim().split(/\s+/).filter(Boolean);
    if (tokens.length < 1 || tokens.length > 2) {
      throw new PrometheusParseError(lineNumber, 'expected a value and an optional timestamp');
    }
    const [valueToken, timestampToken] = tokens as [string, string | undefined];
    if (timestampToken !== undefined && !TIMESTAMP.test(timestampToken)) {
      throw new PrometheusParseError(lineNumber, `bad timestamp ${quoted(timestampToken)}`);
    }
    page.samples.push({
      name,
      labels,
      value: parseValue(valueToken, lineNumber),
      timestampMs: timestampToken === undefined ? null : Number(timestampToken),
    });
  }
  return page;
}

/** The vLLM figures read from one /metrics page (summed over engines; null where the server lacks them). */
export interface VllmMetricsSnapshot {
  promptTokens: number | null;
  generationTokens: number | null;
  e2eLatencySumS: number | null;
  e2eLatencyCount: number | null;
  /** Fraction 0–1, mean over engines: `vllm:kv_cache_usage_perc`, or `vllm:gpu_cache_usage_perc` before vLLM 0.10. */
  kvCacheUsage: number | null;
  requestsRunning: number | null;
}

function matching(page: PrometheusPage, name: string, modelName: string | undefined): number[] {
  return page.samples
    .filter((s) => s.name === name && (modelName === undefined || s.labels.model_name === modelName))
    .map((s) => s.value);
}

const sum = (values: number[]): number | null => (values.length ? values.reduce((a, b) => a + b, 0) : null);
const mean = (values: number[]): number | null => (values.length ? (sum(values) as number) / values.length : null);

/** The samples `vllmSnapshot` reads; a scrape parses only these. */
const VLLM_FIGURE_SAMPLES = new Set([
  'vllm:prompt_tokens_total',
  'vllm:generation_tokens_total',
  'vllm:e2e_request_latency_seconds_sum',
  'vllm:e2e_request_latency_seconds_count',
  'vllm:kv_cache_usage_perc',
  'vllm:gpu_cache_usage_perc',
  'vllm:num_requests_running',
]);

/** Reads the vLLM figures of a page; `modelName` keeps one served model (or LoRA adapter) only. */
export function vllmSnapshot(page: PrometheusPage, modelName?: string): VllmMetricsSnapshot {
  const kvCache = matching(page, 'vllm:kv_cache_usage_perc', modelName);
  return {
    promptTokens: sum(matching(page, 'vllm:prompt_tokens_total', modelName)),
    generationTokens: sum(matching(page, 'vllm:generation_tokens_total', modelName)),
    e2eLatencySumS: sum(matching(page, 'vllm:e2e_request_latency_seconds_sum', modelName)),
    e2eLatencyCount: sum(matching(page, 'vllm:e2e_request_latency_seconds_count', modelName)),
    kvCacheUsage: mean(kvCache.length ? kvCache : matching(page, 'vllm:gpu_cache_usage_perc', modelName)),
    requestsRunning: sum(matching(page, 'vllm:num_requests_running', modelName)),
  };
}

/** after − before of a counter; null when either is missing or it went backwards (a restarted server). */
function counterDelta(before: number | null, after: number | null): number | null {
  return before === null || after === null || after < before ? null : after - before;
}

/** What the server did between two snapshots (see `ServerBatchFigures`). */
export function serverFiguresBetween(before: VllmMetricsSnapshot, after: VllmMetricsSnapshot): ServerBatchFigures {
  const requestsFinished = counterDelta(before.e2eLatencyCount, after.e2eLatencyCount);
  const e2eLatencySumS = counterDelta(before.e2eLatencySumS, after.e2eLatencySumS);
  const e2eLatencySumMs = e2eLatencySumS === null ? null : e2eLatencySumS * 1000;
  return {
    promptTokens: counterDelta(before.promptTokens, after.promptTokens),
    generationTokens: counterDelta(before.generationTokens, after.generationTokens),
    requestsFinished,
    e2eLatencySumMs,
    e2eLatencyMeanMs: requestsFinished && e2eLatencySumMs !== null ? e2eLatencySumMs / requestsFinished : null,
    kvCacheUsageBefore: before.kvCacheUsage,
    kvCacheUsageAfter: after.kvCacheUsage,
    requestsRunningBefore: before.requestsRunning,
    requestsRunningAfter: after.requestsRunning,
  };
}

export type ScrapeResult = { ok: true; snapshot: VllmMetricsSnapshot } | { ok: false; reason: string };

/**
 * A fetched page, or why there is none; `fetchPrometheusPage` never throws. `answered` says whether the
 * server gave a whole answer (an HTTP error, a page that is not the exposition format) rather than none
 * (refused, reset, timed out, trickling, over the size cap): only the latter costs a scrape its timeout.
 */
export type PageResult = { ok: true; page: PrometheusPage } | { ok: false; reason: string; answered: boolean };

export interface ScrapeOptions {
  timeoutMs?: number;
  modelName?: string;
}

const metricsUrl = z.url({ protocol: /^https?$/ });

/** A vLLM page with many models and LoRA adapters is a few MB; a larger one is not a metrics page. */
export const MAX_METRICS_PAGE_BYTES = 16 * 1024 ** 2;

/**
 * GETs a Prometheus text page and parses the samples `keep` accepts. Refused connections, timeouts,
 * HTTP errors, pages over `MAX_METRICS_PAGE_BYTES` and text that is not the exposition format come
 * back as `{ ok: false, reason }`; reasons never show the URL's credentials (userinfo, ?token=).
 */
export async function fetchPrometheusPage(url: string, keep: (name: string) => boolean, timeoutMs = 5000, cancel?: AbortSignal): Promise<PageResult> {
  const shown = redactEndpoint(url);
  const checked = metricsUrl.safeParse(url);
  if (!checked.success) return { ok: false, reason: `not an http(s) URL: ${shown}`, answered: false };
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await nodeHttpFetch(
      checked.data,
      { headers: { accept: 'text/plain;version=0.0.4' }, signal: cancel ? AbortSignal.any([timeout, cancel]) : timeout },
      { maxResponseBytes: MAX_METRICS_PAGE_BYTES },
    );
    const body = await response.text();
    if (!response.ok) return { ok: false, reason: `${shown} answered ${response.status} ${response.statusText}`, answered: true };
    try {
      return { ok: true, page: parsePrometheusText(body, keep) };
    } catch (error) {
      return { ok: false, reason: `${shown}: ${(error as Error).message}`, answered: true };
    }
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { ok: false, reason: redactUrlsIn(`${shown}: ${(error as Error).message}${cause}`), answered: false };
  }
}

/**
 * GETs a vLLM /metrics page, or the pages of a model's replicas at once, and reads its figures;
 * failures come back as `{ ok: false, reason }`, never thrown. Replicas' pages are read as one
 * server's data-parallel engines: counters and running requests add up, KV-cache usage is their
 * mean. One page missing fails the whole scrape: a sum over some replicas would pass for all.
 */
export async function scrapeVllmMetrics(url: string | readonly string[], options: ScrapeOptions = {}): Promise<ScrapeResult> {
  const urls = typeof url === 'string' ? [url] : url;
  const results = await Promise.all(urls.map((one) => fetchPrometheusPage(one, (name) => VLLM_FIGURE_SAMPLES.has(name), options.timeoutMs)));
  const pages: PrometheusPage[] = [];
  for (const result of results) {
    if (!result.ok) return { ok: false, reason: result.reason };
    pages.push(result.page);
  }
  const page = pages.length === 1 ? (pages[0] as PrometheusPage) : { samples: pages.flatMap((p) => p.samples), types: new Map(), help: new Map() };
  return { ok: true, snapshot: vllmSnapshot(page, options.modelName) };
}
