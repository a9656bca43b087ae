import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TaskKind, ModelSpec } from '../suite/schema.js';
import { OpenAIChatRunner, type OpenAIChatDecoding } from './openai.js';
import { ReplayRunner } from './replay.js';
import { RulesBaselineRunner } from './rules.js';
import type { Runner } from './runner.js';

export type { Prediction, RenderedRequest, Runner } from './runner.js';

export interface RunnerContext {
  task: TaskKind;
  /** Folder of the suite file: relative paths in a model spec resolve against it. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  /** Decoding with any `response_format.schema_file` already read in. */
  decoding: Record<string, unknown>;
}

/** The registry of providers: one small constructor each, chosen by the suite's `provider`. */
export async function createRunner(model: ModelSpec, ctx: RunnerContext): Promise<Runner> {
  switch (model.provider) {
    case 'openai':
      return new OpenAIChatRunner({
        modelId: model.id,
        model: model.model,
        baseURL: model.endpoint,
        ...(model.api_key_env !== undefined && { apiKeyEnv: model.api_key_env }),
        env: ctx.env,
        decoding: ctx.decoding as OpenAIChatDecoding,
        concurrency: model.concurrency,
        timeoutMs: model.timeout_ms,
        maxRetries: model.max_retries,
        maxResponseBytes: model.max_response_bytes,
      });
    case 'rules':
      return new RulesBaselineRunner({ task: ctx.task });
    case 'replay':
      return ReplayRunner.load({
        file: path.resolve(ctx.baseDir, model.path),
        fields: { id: model.id_field, output: model.output_field },
      });
    case 'onnx-classifier': {
      // Loaded on demand: onnxruntime and transformers.js are heavy, and most suites never need them.
      const { OnnxClassifierRunner } = await import('./onnxClassifier.js');
      return OnnxClassifierRunner.create({
        path: path.resolve(ctx.baseDir, model.path),
        executionProvider: model.execution_provider,
        ...(model.threads !== undefined && { threads: model.threads }),
      });
    }
    case 'transformers': {
      const { TransformersRunner } = await import('./transformers.js');
      return TransformersRunner.create({
        model: model.path !== undefined ? path.resolve(ctx.baseDir, model.path) : (model.hub_id as string),
        ...(model.hub_id !== undefined && { fromHub: true }),
        dtype: model.dtype,
        device: model.device,
        decoding: model.decoding,
        ...(model.chat_template_kwargs !== undefined && { chatTemplateKwargs: model.chat_template_kwargs }),
      });
    }
  }
}

/**
 * What would stop `createRunner` for this model, found before a run writes anything: an unset API
 * key variable, a model or replay file that is not there. Null when nothing is known to be wrong.
 */
export function runnerProblem(model: ModelSpec, ctx: Pick<RunnerContext, 'baseDir' | 'env'>): { field: string; message: string } | null {
  if (model.provider === 'openai' && model.api_key_env !== undefined && !ctx.env[model.api_key_env]) {
    return { field: 'api_key_env', message: `environment variable ${model.api_key_env} is not set` };
  }
  if ((model.provider === 'replay' || model.provider === 'onnx-classifier' || model.provider === 'transformers') && model.path !== undefined) {
    const full = path.resolve(ctx.baseDir, model.path);
    if (!existsSync(full)) return { field: 'path', message: `${full} does not exist` };
  }
  return null;
}

/** Providers whose answers are worth caching: remote or expensive generation. */
export function isCacheable(model: ModelSpec): boolean {
  return model.provider === 'openai' || model.provider === 'transformers';
}
