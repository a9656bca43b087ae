/** In-process chat generation with transformers.js from a local ONNX model folder or a hub id. */
import path from 'node:path';
import { z } from 'zod';
import type { TransformersDecoding } from '../runners/transformers.js';
import { compileJsonSchema, UnsupportedSchemaError } from '../runners/jsonSchemaDecoding/schema.js';
import { SuiteError } from '../suite/files.js';
import { defineProvider, missingPathProblem } from './definition.js';
import { JsonSchemaFormat, jsonSchemaSource, resolveJsonSchemaFormat, responseFormatWhere } from './responseFormat.js';

/** The decoding parameters the runner honours. */
const Decoding = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.int().positive().optional(),
    seed: z.int().min(0).optional(),
    /** Constrained decoding: only tokens that keep the answer a valid document of the schema (harness/runners/jsonSchemaDecoding). */
    response_format: JsonSchemaFormat.optional(),
  })
  .strict();

export const transformersProvider = defineProvider({
  name: 'transformers',
  spec: z
    .object({
      /** A local model folder; nothing is fetched. */
      path: z.string().min(1).optional(),
      /** A Hugging Face hub id, fetched (and cached) by transformers.js. */
      hub_id: z.string().min(1).optional(),
      /** Which ONNX file: fp32 → onnx/model.onnx, fp16 → model_fp16.onnx, q8 → model_quantized.onnx, q4 → model_q4.onnx. */
      dtype: z.enum(['fp32', 'fp16', 'q8', 'q4']).default('fp32'),
      device: z.enum(['cpu', 'cuda']).default('cpu'),
      decoding: Decoding.default({}),
      /** Extra variables for the chat template, e.g. Qwen3's `enable_thinking: false`. */
      chat_template_kwargs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    })
    .strict()
    .refine((spec) => (spec.path === undefined) !== (spec.hub_id === undefined), { message: 'give exactly one of path or hub_id' }),
  async create(model, ctx) {
    // Imported here: transformers.js and onnxruntime are heavy, and most suites never need them.
    const { TransformersRunner } = await import('../runners/transformers.js');
    return TransformersRunner.create({
      model: modelSource(model, ctx.baseDir),
      ...(model.hub_id !== undefined && { fromHub: true }),
      dtype: model.dtype,
      device: model.device,
      // The suite's decoding with any `json_schema_file` read in (what `decoding` below returned).
      decoding: { ...model.decoding, response_format: ctx.decoding.response_format } as TransformersDecoding,
      ...(model.chat_template_kwargs !== undefined && { chatTemplateKwargs: model.chat_template_kwargs }),
    });
  },
  // Generation is slow: answers are cached by model and weights file.
  cacheIdentity: (model, ctx) => ({ model: modelSource(model, ctx.baseDir), dtype: model.dtype }),
  decoding(model, ctx) {
    const { response_format: format, ...rest } = model.decoding;
    const kwargs = model.chat_template_kwargs && { chat_template_kwargs: model.chat_template_kwargs };
    if (format === undefined) return { ...rest, ...kwargs };
    const responseFormat = resolveJsonSchemaFormat(format, ctx);
    try {
      // Compiled here too, so a keyword the decoder cannot enforce stops the suite before anything runs.
      compileJsonSchema(responseFormat.json_schema.schema);
    } catch (err) {
      if (err instanceof UnsupportedSchemaError) throw new SuiteError(`${jsonSchemaSource(format, ctx)}: ${responseFormatWhere(ctx)}: schema ${err.message}`);
      throw err;
    }
    return { ...rest, response_format: responseFormat, ...kwargs };
  },
  notInRunIdentity: ['decoding'],
  problem: (model, ctx) => missingPathProblem(model.path, ctx),
});

/** The hub id, or the model folder as an absolute path. */
function modelSource(model: { path?: string | undefined; hub_id?: string | undefined }, baseDir: string): string {
  return model.hub_id ?? path.resolve(baseDir, model.path as string);
}
