/** Chat completions against any OpenAI-compatible endpoint (vLLM, llama.cpp, OpenAI itself). */
import { z } from 'zod';
import type { OpenAIChatDecoding } from '../runners/openai.js';
import { DEFAULT_MAX_RESPONSE_BYTES, SUITE_LIMITS } from '../suite/limits.js';
import { defineProvider } from './definition.js';
import { JsonObjectFormat, JsonSchemaFormat, resolveJsonSchemaFormat } from './responseFormat.js';
import { GpuMetricsUrl, GpuSelection } from '../telemetry/dcgmSpec.js';

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

const OpenAISpec = z
  .object({
    model: z.string().min(1),
    endpoint: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000/v1' }),
    /** The NAME of the environment variable holding the key; the value is never stored. */
    api_key_env: z.string().regex(ENV_VAR_NAME, 'an environment variable name, not a key').optional(),
    decoding: OpenAIDecoding.default({}),
    concurrency: z.number().int().positive().max(SUITE_LIMITS.concurrency).default(8),
    timeout_ms: z.number().int().positive().max(SUITE_LIMITS.timeoutMs).default(120_000),
    max_retries: z.number().int().min(0).max(SUITE_LIMITS.maxRetries).default(5),
    /** An answer (or error) body larger than this fails the sample, unretried. */
    max_response_bytes: z.number().int().min(1024).max(SUITE_LIMITS.maxResponseBytes).default(DEFAULT_MAX_RESPONSE_BYTES),
    /** Prometheus endpoint of the server (vLLM `/metrics`): its token and latency counters are recorded per batch. */
    metrics_url: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000/metrics' }).optional(),
    /** DCGM exporter of the GPUs this server runs on (default :9400/metrics): GPU time, memory and energy per batch. */
    gpu_metrics_url: GpuMetricsUrl.optional(),
    /** Which of that exporter's GPUs serve this model (gpu / uuid / pod); all by default. */
    gpus: GpuSelection.optional(),
  })
  .strict();

export const openaiProvider = defineProvider({
  name: 'openai',
  spec: OpenAISpec,
  async create(model, ctx) {
    const { OpenAIChatRunner } = await import('../runners/openai.js');
    return new OpenAIChatRunner({
      modelId: model.id,
      model: model.model,
      baseURL: model.endpoint,
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
  cacheIdentity: (model) => ({ endpoint: model.endpoint, model: model.model }),
  decoding(model, ctx) {
    const { response_format: format, ...rest } = model.decoding;
    if (format === undefined) return rest;
    const responseFormat = format.type === 'json_object' ? format : resolveJsonSchemaFormat(format, ctx);
    return { ...rest, response_format: responseFormat };
  },
  // Where GPUs are measured changes no answer: adding an exporter still resumes the stored run.
  notInRunIdentity: ['concurrency', 'timeout_ms', 'max_retries', 'max_response_bytes', 'decoding', 'gpu_metrics_url', 'gpus'],
  problem(model, ctx) {
    if (model.api_key_env !== undefined && !ctx.env[model.api_key_env]) {
      return { field: 'api_key_env', message: `environment variable ${model.api_key_env} is not set` };
    }
    return null;
  },
  serverMetrics: (model) => (model.metrics_url === undefined ? undefined : { url: model.metrics_url, modelName: model.model }),
  gpuMetrics: (model) => (model.gpu_metrics_url === undefined ? undefined : { url: model.gpu_metrics_url, ...(model.gpus && { select: model.gpus }) }),
  runRecord: (model) => ({ modelName: model.model, endpoint: model.endpoint }),
});
