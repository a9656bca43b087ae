import { z } from 'zod';
import { DatasetSpec } from '../../datasets/spec.js';
import { OnnxClassifierModelSpec, TransformersModelSpec } from '../runners/specs.js';

/** The task decides how outputs are parsed and which metrics apply by default. */
export const TaskKind = z.enum(['json-analysis', 'classification', 'cause-remediation', 'text']);
export type TaskKind = z.infer<typeof TaskKind>;

/** OpenAI `response_format` json_schema: inline, or a file holding the whole `json_schema` object ({name, schema, strict?}). */
const JsonSchemaObject = z
  .object({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()), strict: z.boolean().optional() })
  .strict();
const JsonSchemaFormat = z.union([
  z.object({ type: z.literal('json_schema'), json_schema: JsonSchemaObject }).strict(),
  z.object({ type: z.literal('json_schema'), json_schema_file: z.string().min(1) }).strict(),
]);
export { JsonSchemaObject };

export const Decoding = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    stop: z.array(z.string()).optional(),
    response_format: z.union([z.object({ type: z.literal('json_object') }).strict(), JsonSchemaFormat]).optional(),
  })
  .strict();
export type Decoding = z.infer<typeof Decoding>;

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Upper bounds of the suite's counts and durations. Node turns a timer delay above 2^31 − 1 ms into
 * 1 ms, so no duration may reach it; the counts are bounded so a typo (1e12) is refused, not run.
 */
export const SUITE_LIMITS = {
  timeoutMs: 86_400_000, // 24 h
  gpuSampleMs: 60_000,
  /** The keep-alive agents open at most 256 sockets per host (nodeHttpFetch). */
  concurrency: 256,
  batchSize: 100_000,
  maxRetries: 100,
  resamples: 100_000,
  maxResponseBytes: 1024 ** 3,
} as const;

/** An answer body larger than this fails its sample: 8 concurrent 50 MB answers must not cost gigabytes. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 ** 2;

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const ModelCommon = {
  id: z.string().regex(MODEL_ID, 'a model id is letters, digits, ".", "_" or "-"'),
  /** Free-form tag stored with the run (e.g. "base", "fine-tuned", a checkpoint name). */
  variant: z.string().optional(),
  batch_size: z.number().int().positive().max(SUITE_LIMITS.batchSize).default(16),
};

const OpenAIModel = z
  .object({
    ...ModelCommon,
    provider: z.literal('openai'),
    model: z.string().min(1),
    endpoint: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000/v1' }),
    /** The NAME of the environment variable holding the key; the value is never stored. */
    api_key_env: z.string().regex(ENV_VAR_NAME, 'an environment variable name, not a key').optional(),
    decoding: Decoding.default({}),
    concurrency: z.number().int().positive().max(SUITE_LIMITS.concurrency).default(8),
    timeout_ms: z.number().int().positive().max(SUITE_LIMITS.timeoutMs).default(120_000),
    max_retries: z.number().int().min(0).max(SUITE_LIMITS.maxRetries).default(5),
    /** An answer (or error) body larger than this fails the sample, unretried. */
    max_response_bytes: z.number().int().min(1024).max(SUITE_LIMITS.maxResponseBytes).default(DEFAULT_MAX_RESPONSE_BYTES),
    /** Prometheus endpoint of the server (vLLM `/metrics`): its token and latency counters are recorded per batch. */
    metrics_url: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000/metrics' }).optional(),
  })
  .strict();

const RulesModel = z.object({ ...ModelCommon, provider: z.literal('rules') }).strict();

const ReplayModel = z
  .object({
    ...ModelCommon,
    provider: z.literal('replay'),
    path: z.string().min(1),
    id_field: z.string().default('id'),
    output_field: z.string().default('output'),
  })
  .strict();

const OnnxClassifierModel = z.object({ ...ModelCommon, ...OnnxClassifierModelSpec.shape }).strict();

const TransformersModel = z
  .object({ ...ModelCommon, ...TransformersModelSpec.shape })
  .strict()
  .refine((spec) => (spec.path === undefined) !== (spec.hub_id === undefined), { message: 'give exactly one of path or hub_id' });

export const ModelSpec = z.discriminatedUnion('provider', [OpenAIModel, RulesModel, ReplayModel, OnnxClassifierModel, TransformersModel]);
export type ModelSpec = z.infer<typeof ModelSpec>;

export const MetricName = z.enum(['fuzzy', 'levenshtein', 'bleu', 'sacrebleu', 'rouge', 'json-analysis', 'classification', 'cause-remediation']);
export type MetricName = z.infer<typeof MetricName>;

export const Suite = z
  .object({
    name: z.string().regex(MODEL_ID, 'a suite name is letters, digits, ".", "_" or "-"'),
    description: z.string().optional(),
    /** Bump when the suite's meaning changes; part of every run's config hash. */
    version: z.number().int().positive().default(1),
    task: TaskKind,
    dataset: DatasetSpec,
    prompt: z
      .object({
        system: z.string().min(1).optional(),
        user: z.string().min(1),
      })
      .strict(),
    models: z
      .array(ModelSpec)
      .min(1)
      .refine((ms) => new Set(ms.map((m) => m.id)).size === ms.length, { message: 'model ids must be unique' }),
    /**
     * Query every model at once instead of one after another: the wall time of the slowest model
     * rather than the sum (two endpoints, or one server with both models). Off by default, because
     * models sharing a local GPU then share its per-batch telemetry too.
     */
    concurrent_models: z.boolean().default(false),
    /** Model whose scores the others are compared against in tables; defaults to the first. */
    baseline: z.string().optional(),
    metrics: z.array(MetricName).optional(),
    /** Most failed samples a run may have: `logbench gate` treats a run above it as an infrastructure error (exit 3). */
    max_error_rate: z.number().min(0).max(1).default(0.05),
    /** Bootstrap intervals stored with every corpus figure; compare/gate reuse the seed. */
    statistics: z
      .object({
        resamples: z.number().int().min(0).max(SUITE_LIMITS.resamples).default(1000),
        seed: z.number().int().default(42),
        confidence: z.number().gt(0).lt(1).default(0.95),
      })
      .strict()
      .default({ resamples: 1000, seed: 42, confidence: 0.95 }),
    telemetry: z
      .object({
        /** Off: no GPU sampling and no server scrapes (wall time, CPU, RSS, tokens and latency are always kept). */
        enabled: z.boolean().default(true),
        /** Sample GPUs with nvidia-smi beside every batch (null figures where none is visible). */
        gpu: z.boolean().default(true),
        gpu_sample_ms: z.number().int().min(20).max(SUITE_LIMITS.gpuSampleMs).default(200),
      })
      .strict()
      .default({ enabled: true, gpu: true, gpu_sample_ms: 200 }),
  })
  .strict()
  .superRefine((s, ctx) => {
    // A metric the task does not score would be silently left out of every figure.
    s.metrics?.forEach((metric, i) => {
      if (!METRICS_FOR_TASK[s.task].includes(metric)) {
        ctx.addIssue({ code: 'custom', path: ['metrics', i], message: `metric ${metric} does not apply to task ${s.task} (it takes: ${METRICS_FOR_TASK[s.task].join(', ')})` });
      }
    });
  })
  .refine((s) => s.baseline === undefined || s.models.some((m) => m.id === s.baseline), {
    message: 'baseline must name one of the models',
    path: ['baseline'],
  });
export type Suite = z.infer<typeof Suite>;

const TEXT_METRICS: MetricName[] = ['fuzzy', 'levenshtein', 'bleu', 'sacrebleu', 'rouge'];
/** Metrics a suite may list for each task: the text metrics need a reference text, the task metrics their task. */
const METRICS_FOR_TASK: Record<TaskKind, MetricName[]> = {
  'json-analysis': ['json-analysis', ...TEXT_METRICS],
  classification: ['classification'],
  'cause-remediation': ['cause-remediation', ...TEXT_METRICS],
  text: TEXT_METRICS,
};

/** Metrics each task gets when the suite does not list them. */
export const DEFAULT_METRICS: Record<TaskKind, MetricName[]> = {
  'json-analysis': ['json-analysis', 'fuzzy', 'bleu', 'sacrebleu', 'rouge'],
  classification: ['classification'],
  'cause-remediation': ['cause-remediation', 'rouge', 'bleu', 'fuzzy'],
  text: ['fuzzy', 'bleu', 'sacrebleu', 'rouge'],
};
