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
      });
    case 'rules':
      return new RulesBaselineRunner({ task: ctx.task });
    case 'replay':
      return ReplayRunner.load({
        file: path.resolve(ctx.baseDir, model.path),
        fields: { id: model.id_field, output: model.output_field },
      });
  }
}

/** Providers whose answers are worth caching: remote or expensive, and not derived from the input alone. */
export function isCacheable(model: ModelSpec): boolean {
  return model.provider === 'openai';
}
