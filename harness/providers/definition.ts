/**
 * What a provider is, as data: one definition per file (harness/providers/<name>.ts), listed in
 * harness/providers/registry.ts, or a user's module named by a suite (`provider: {module: ./x.ts}`).
 * The suite schema, the run's identity, the response cache and the pre-flight checks all go through
 * these fields, so adding a provider is one definition and one registry line (docs/DESIGN.md §7).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { Runner } from '../runners/runner.js';
import { missingSuitePath } from '../suite/files.js';
import type { GpuSelection } from '../telemetry/dcgmSpec.js';

/** The fields the suite adds to every model entry, whatever its provider. */
export interface ModelCommonFields {
  id: string;
  /** Free-form tag stored with the run (e.g. "base", "fine-tuned", a checkpoint name). */
  variant?: string | undefined;
  batch_size: number;
}

/** The shape a provider's spec must have: a zod object of the provider's own fields. */
export type ProviderSpec = z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;

/** A model entry as the definition's functions see it: the spec's fields (defaults applied) and the suite's common ones. */
export type ProviderModel<Spec extends ProviderSpec = ProviderSpec> = z.output<Spec> & ModelCommonFields;

export interface ProviderContext {
  /** Folder of the suite file: relative paths in a model entry resolve against it. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
}

export interface RunnerContext extends ProviderContext {
  /** The suite's task (the rules baseline answers per task). */
  task: string;
  /** What the definition's `decoding` returned for this model. */
  decoding: Record<string, unknown>;
}

export interface DecodingContext {
  baseDir: string;
  suiteFile: string;
  /** Where the model sits in the suite, for messages: `models[<id>]`. */
  where: string;
}

/** A pre-flight problem: the model entry's field and what is wrong with it. */
export interface ProviderProblem {
  field: string;
  message: string;
}

export interface ProviderDefinition<Spec extends ProviderSpec = ProviderSpec, Name extends string = string> {
  /** What the suite's `provider:` says, and what runs store as their provider. */
  readonly name: Name;
  /** The provider's own fields of a model entry (the suite adds `id`, `variant`, `batch_size` and `provider`). */
  readonly spec: Spec;
  /** Builds the runner. Heavy runtimes (onnxruntime, transformers.js) are imported in here, so loading a suite never loads them. */
  create(model: ProviderModel<Spec>, ctx: RunnerContext): Promise<Runner>;
  /**
   * What decides an answer besides the messages and `decoding` (an endpoint and model name, a model
   * file): the response cache keys on it. Null, or no function, when answers are not worth caching
   * (cheap or replayed). A plugin's is keyed beside its module, code and fields, which it cannot override.
   */
  cacheIdentity?(model: ProviderModel<Spec>, ctx: ProviderContext): Record<string, unknown> | null;
  /** The decoding parameters stored with a run: gates compare them, the cache keys on them. Default: none. */
  decoding?(model: ProviderModel<Spec>, ctx: DecodingContext): Record<string, unknown>;
  /**
   * Spec fields left out of the run's identity: operational knobs (changing a timeout still resumes
   * the stored run) and fields already stored through `decoding`.
   */
  readonly notInRunIdentity?: readonly string[];
  /**
   * Fields left out by `notInRunIdentity` that the run's identity holds in another form: a list that is
   * a set (replicas, in any order). A field the entry still holds wins over what it returns.
   */
  runIdentity?(model: ProviderModel<Spec>): Record<string, unknown>;
  /** What would stop `create`, found before a run writes anything (an unset key, a missing file). */
  problem?(model: ProviderModel<Spec>, ctx: ProviderContext): ProviderProblem | null;
  /** A Prometheus endpoint whose token and latency counters are recorded per batch (vLLM's `/metrics`). */
  serverMetrics?(model: ProviderModel<Spec>): { url: string | readonly string[]; modelName: string } | undefined;
  /** A DCGM exporter serving the model's GPUs, and which of them (`harness/telemetry/dcgm.ts`); it wins over the suite's. */
  gpuMetrics?(model: ProviderModel<Spec>): { url: string; select?: GpuSelection } | undefined;
  /** The served model's name and endpoint, shown with the run in reports. */
  runRecord?(model: ProviderModel<Spec>): { modelName?: string; endpoint?: string };
}

/** Types a definition (names its spec's fields in every function); a plugin module's default export may use it. */
export function defineProvider<Spec extends ProviderSpec, const Name extends string>(definition: ProviderDefinition<Spec, Name>): ProviderDefinition<Spec, Name> {
  return definition;
}

/** The `path` problem of providers reading a local file or folder: null when it is there (or not given). */
export function missingPathProblem(file: string | undefined, ctx: ProviderContext): ProviderProblem | null {
  if (file === undefined) return null;
  return existsSync(path.resolve(ctx.baseDir, file)) ? null : { field: 'path', message: missingSuitePath(ctx.baseDir, file) };
}
