import { z } from 'zod';
import { listedFigures, METRIC_NAMES, metricsForTask, TASK_NAMES, TASKS, taskNamed } from '../../metrics/registry.js';
import { DatasetSpec } from '../../datasets/spec.js';
import type { ModelCommonFields, ProviderDefinition, ProviderSpec } from '../providers/definition.js';
import { PROVIDERS, providerEntrySpec } from '../providers/registry.js';
import { MIN_RESAMPLES, SUITE_LIMITS } from './limits.js';
import { GpuMetricsUrl, GpuSelection } from '../telemetry/dcgmSpec.js';

/** The task decides how outputs are parsed and which metrics apply by default. */
export const TaskKind = z.enum(TASK_NAMES as [string, ...string[]]);
export type TaskKind = z.infer<typeof TaskKind>;

/** Model ids, suite names and run ids: safe in file names, URLs and `latest:<suite>/<model>` (no `:` or `/`). */
export const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const ModelCommon = {
  id: z.string().regex(PLAIN_ID, 'a model id is letters, digits, ".", "_" or "-"'),
  /** Free-form tag stored with the run (e.g. "base", "fine-tuned", a checkpoint name). */
  variant: z.string().optional(),
  batch_size: z.number().int().positive().max(SUITE_LIMITS.batchSize).default(16),
};

/** A model entry of a built-in provider: its spec's fields, the common ones, and `provider: <name>`. */
type BuiltInModelOf<Provider> = Provider extends ProviderDefinition<infer Spec, infer Name> ? z.output<Spec> & ModelCommonFields & { provider: Name } : never;
export type BuiltInModelSpec = BuiltInModelOf<(typeof PROVIDERS)[number]>;

// A spec's JSON Schema metadata (openai's "endpoint or endpoints") does not survive extending: carried over.
const builtInEntries: ProviderSpec[] = PROVIDERS.map((provider) => {
  const entry = providerEntrySpec(provider).safeExtend(ModelCommon);
  const meta = provider.spec.meta();
  return meta === undefined ? entry : entry.meta(meta);
});
const BuiltInModelSpec = z.discriminatedUnion('provider', builtInEntries as [ProviderSpec, ...ProviderSpec[]]);

/** Where a plugin provider's module is: a path relative to the suite file (or a package name). */
export const ProviderModule = z.object({ module: z.string().min(1) }).strict();

/** A model entry whose provider is a user's module: its other fields are checked by that module's spec when the run resolves it. */
export type PluginModelSpec = ModelCommonFields & { provider: z.infer<typeof ProviderModule> } & Record<string, unknown>;
const PluginModelSpec = z.looseObject({ ...ModelCommon, provider: ProviderModule });

export type ModelSpec = BuiltInModelSpec | PluginModelSpec;
export const ModelSpec: z.ZodType<ModelSpec> = z.union([BuiltInModelSpec, PluginModelSpec]) as z.ZodType<ModelSpec>;

/**
 * zod reports a model entry that fits neither kind as one bare `invalid_union`; these are the issues
 * of the kind its `provider` chose instead (`{module: …}` a plugin, anything else a built-in), so
 * each still names its field.
 */
export function modelEntryIssues(issues: readonly z.core.$ZodIssue[], document: unknown): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    const [key, index] = issue.path;
    if (issue.code !== 'invalid_union' || issue.path.length !== 2 || key !== 'models' || typeof index !== 'number' || issue.errors.length !== 2) return [issue];
    const entry = (document as { models?: { provider?: unknown }[] }).models?.[index];
    const branch = typeof entry?.provider === 'object' && entry.provider !== null ? 1 : 0;
    return (issue.errors[branch] ?? []).map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
  });
}

/** A registered metric, or a task's name for that task's own figures. */
export const MetricName = z.enum([...METRIC_NAMES, ...TASKS.filter((task) => task.figures.length > 0).map((task) => task.name)] as [string, ...string[]]);
export type MetricName = z.infer<typeof MetricName>;
/** A metric from a local module (a plugin): its default or `metric` export is a MetricDefinition. */
export const MetricModule = z.object({ module: z.string().min(1) }).strict();
export type MetricModule = z.infer<typeof MetricModule>;
export const MetricEntry = z.union([MetricName, MetricModule]);
export type MetricEntry = z.infer<typeof MetricEntry>;

export const Suite = z
  .object({
    name: z.string().regex(PLAIN_ID, 'a suite name is letters, digits, ".", "_" or "-"'),
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
    /** The figure the end-of-run verdict and the reports' headline speak of (reports/verdict.ts); not part of a run's identity. */
    verdict_metric: z.string().optional(),
    metrics: z.array(MetricEntry).optional(),
    /** Most failed samples a run may have: `logbench gate` treats a run above it as an infrastructure error (exit 3). */
    max_error_rate: z.number().min(0).max(1).default(0.05),
    /** Bootstrap intervals stored with every corpus figure; compare/gate reuse the seed. */
    statistics: z
      .object({
        resamples: z
          .number()
          .int()
          .min(0)
          .max(SUITE_LIMITS.resamples)
          .refine((n) => n === 0 || n >= MIN_RESAMPLES, `0 (no stored intervals) or at least ${MIN_RESAMPLES}`)
          .default(1000),
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
        /** A DCGM exporter serving the models' GPUs (scraped every gpu_sample_ms during each batch, instead of nvidia-smi); a model's own wins. */
        gpu_metrics_url: GpuMetricsUrl.optional(),
        /** Which of the exporter's GPUs a run measures (all by default); a model's own wins. */
        gpus: GpuSelection.optional(),
      })
      .strict()
      .default({ enabled: true, gpu: true, gpu_sample_ms: 200 }),
  })
  .strict()
  .superRefine((s, ctx) => {
    // A metric the task does not score would be silently left out of every figure.
    s.metrics?.forEach((metric, i) => {
      const allowed = metricsForTask(taskNamed(s.task));
      if (typeof metric === 'string' && !allowed.includes(metric)) {
        ctx.addIssue({ code: 'custom', path: ['metrics', i], message: `metric ${metric} does not apply to task ${s.task} (it takes: ${allowed.join(', ')})` });
      }
    });
    // A plugin's figures are known only once its module is loaded: a verdict_metric beside one is checked then.
    const listed = s.metrics ?? taskNamed(s.task).defaultMetrics;
    if (s.verdict_metric !== undefined && listed.every((entry) => typeof entry === 'string')) {
      const figures = listedFigures(s.task, listed as readonly string[]);
      if (!figures.includes(s.verdict_metric)) {
        ctx.addIssue({ code: 'custom', path: ['verdict_metric'], message: `verdict_metric ${s.verdict_metric} is not a figure of this suite's metrics (they give: ${figures.join(', ')})` });
      }
    }
  })
  .refine((s) => s.baseline === undefined || s.models.some((m) => m.id === s.baseline), {
    message: 'baseline must name one of the models',
    path: ['baseline'],
  });
export type Suite = z.infer<typeof Suite>;

/** Metrics each task gets when the suite does not list them. */
export const DEFAULT_METRICS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(TASKS.map((task) => [task.name, task.defaultMetrics]));
