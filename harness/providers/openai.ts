/** Chat completions against any OpenAI-compatible endpoint (vLLM, llama.cpp, OpenAI itself). */
import { z } from 'zod';
import type { OpenAIChatDecoding } from '../runners/openai.js';
import { DEFAULT_MAX_RESPONSE_BYTES, SUITE_LIMITS } from '../suite/limits.js';
import { defineProvider } from './definition.js';
import { JsonObjectFormat, JsonSchemaFormat, resolveJsonSchemaFormat } from './responseFormat.js';
import { GpuMetricsUrl, GpuSelection } from '../telemetry/dcgmSpec.js';
import { ENDPOINT_LIST_SEPARATOR, redactEndpoint } from '../store/endpoint.js';

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const OpenAIDecoding = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    stop: z.array(z.string()).optional(),
    response_format: z.union([JsonObjectFormat, JsonSchemaFormat]).optional(),
  })
  .strict();

const MetricsUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000/metrics' });
const EndpointUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000/v1' });

const OpenAISpec = z
  .object({
    model: z.string().min(1),
    endpoint: EndpointUrl.optional(),
    /** Replicas serving the same model (instead of `endpoint`): each request goes to the least busy one that is up. */
    endpoints: z.array(EndpointUrl).min(1).max(SUITE_LIMITS.replicas).optional(),
    /** The NAME of the environment variable holding the key; the value is never stored. */
    api_key_env: z.string().regex(ENV_VAR_NAME, 'an environment variable name, not a key').optional(),
    decoding: OpenAIDecoding.default({}),
    concurrency: z.number().int().positive().max(SUITE_LIMITS.concurrency).default(8),
    timeout_ms: z.number().int().positive().max(SUITE_LIMITS.timeoutMs).default(120_000),
    max_retries: z.number().int().min(0).max(SUITE_LIMITS.maxRetries).default(5),
    /** An answer (or error) body larger than this fails the sample, unretried. */
    max_response_bytes: z.number().int().min(1024).max(SUITE_LIMITS.maxResponseBytes).default(DEFAULT_MAX_RESPONSE_BYTES),
    /**
     * Prometheus endpoint of the server (vLLM `/metrics`): its token and latency counters are recorded per batch.
     * With `endpoints`, one per replica: a batch's server figures are their sums (KV-cache usage their mean).
     */
    metrics_url: z.union([MetricsUrl, z.array(MetricsUrl).min(1).max(SUITE_LIMITS.replicas)]).optional(),
    /** DCGM exporter of the GPUs this server runs on (default :9400/metrics): GPU time, memory and energy per batch. */
    gpu_metrics_url: GpuMetricsUrl.optional(),
    /** Which of that exporter's GPUs serve this model (gpu / uuid / pod); all by default. */
    gpus: GpuSelection.optional(),
  })
  .strict()
  // The JSON Schema (editor completion) says what the refinement below checks.
  .meta({ oneOf: [{ required: ['endpoint'] }, { required: ['endpoints'] }] })
  .superRefine((model, ctx) => {
    if ((model.endpoint === undefined) === (model.endpoints === undefined)) {
      ctx.addIssue({ code: 'custom', path: [model.endpoint === undefined ? 'endpoint' : 'endpoints'], message: 'give either endpoint (one server) or endpoints (replicas of one model), not both or neither' });
    }
    const seen = new Set<string>();
    for (const [i, url] of (model.endpoints ?? []).entries()) {
      if (!URL.canParse(url)) continue; // refused above as not a URL
      const same = new URL(url).href;
      if (seen.has(same)) ctx.addIssue({ code: 'custom', path: ['endpoints', i], message: `${redactEndpoint(url)} is listed twice` });
      seen.add(same);
    }
  });

/** The model's endpoints: its replicas, or its one endpoint. */
export function endpointsOf(model: { endpoint?: string | undefined; endpoints?: string[] | undefined }): string[] {
  return model.endpoints ?? (model.endpoint === undefined ? [] : [model.endpoint]);
}

/** One URL as written, or a list as a set: de-duplicated and sorted, so the order of replicas does not matter. */
function asSet(urls: string | readonly string[]): string | string[] {
  if (typeof urls === 'string') return urls;
  const set = [...new Set(urls)].sort();
  return set.length === 1 ? (set[0] as string) : set;
}

/**
 * Where the model is served, as its run identity and cache key hold it: the set of its endpoints as
 * written (credentials included, as `endpoint` always was: hashed, never stored). A set of one is
 * `endpoint`, whichever field listed it, so keys from before replicas stay; which replica answers
 * a request never matters.
 */
function servedAt(model: { endpoint?: string | undefined; endpoints?: string[] | undefined }): { endpoint: string } | { endpoints: string[] } {
  const set = asSet(endpointsOf(model));
  return typeof set === 'string' ? { endpoint: set } : { endpoints: set };
}

export const openaiProvider = defineProvider({
  name: 'openai',
  spec: OpenAISpec,
  async create(model, ctx) {
    const { OpenAIChatRunner } = await import('../runners/openai.js');
    return new OpenAIChatRunner({
      modelId: model.id,
      model: model.model,
      baseURL: endpointsOf(model),
      ...(model.api_key_env !== undefined && { apiKeyEnv: model.api_key_env }),
      env: ctx.env,
      // The suite's decoding with any `json_schema_file` read in (what `decoding` below returned).
      decoding: ctx.decoding as OpenAIChatDecoding,
      concurrency: model.concurrency,
      timeoutMs: model.timeout_ms,
      maxRetries: model.max_retries,
      maxResponseBytes: model.max_response_bytes,
    });
  },
  // Where it is served decides the answers too: a base and a fine-tune on two ports may share one `model` name.
  cacheIdentity: (model) => ({ ...servedAt(model), model: model.model }),
  decoding(model, ctx) {
    const { response_format: format, ...rest } = model.decoding;
    if (format === undefined) return rest;
    const responseFormat = format.type === 'json_object' ? format : resolveJsonSchemaFormat(format, ctx);
    return { ...rest, response_format: responseFormat };
  },
  // Where GPUs are measured changes no answer: adding an exporter still resumes the stored run.
  // `endpoint`/`endpoints` and `metrics_url` are held as sets, by `runIdentity` (docs/DECISIONS.md).
  notInRunIdentity: ['endpoint', 'endpoints', 'metrics_url', 'concurrency', 'timeout_ms', 'max_retries', 'max_response_bytes', 'decoding', 'gpu_metrics_url', 'gpus'],
  runIdentity: (model) => ({ ...servedAt(model), ...(model.metrics_url !== undefined && { metrics_url: asSet(model.metrics_url) }) }),
  problem(model, ctx) {
    if (model.api_key_env !== undefined && !ctx.env[model.api_key_env]) {
      return { field: 'api_key_env', message: `environment variable ${model.api_key_env} is not set` };
    }
    return null;
  },
  serverMetrics: (model) => (model.metrics_url === undefined ? undefined : { url: model.metrics_url, modelName: model.model }),
  gpuMetrics: (model) => (model.gpu_metrics_url === undefined ? undefined : { url: model.gpu_metrics_url, ...(model.gpus && { select: model.gpus }) }),
  // As parsed (`href`), so no URL holds the separator: its spaces are escaped.
  runRecord: (model) => ({ modelName: model.model, endpoint: endpointsOf(model).map((url) => new URL(url).href).join(ENDPOINT_LIST_SEPARATOR) }),
});
