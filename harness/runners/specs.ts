/**
 * The suite entries of the in-process providers, kept apart from the runners so the suite schema
 * can use them without loading onnxruntime or transformers.js (the suite schema adds id, variant,
 * batch_size).
 */
import { z } from 'zod';

/** The suite's model entry for this provider (the suite schema adds id, variant, batch_size). */
export const OnnxClassifierModelSpec = z
  .object({
    provider: z.literal('onnx-classifier'),
    /** The bundle folder, the one holding bundle.json. */
    path: z.string().min(1),
    execution_provider: z.enum(['cpu', 'cuda']).default('cpu'),
    /** onnxruntime intra-op threads per session; default: onnxruntime's choice (one per core). */
    threads: z.int().positive().optional(),
  })
  .strict();
export type OnnxClassifierModelSpec = z.infer<typeof OnnxClassifierModelSpec>;

/** The decoding parameters this runner honours (names as in the suite's `decoding`). */
export const TransformersDecoding = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.int().positive().optional(),
    seed: z.int().min(0).optional(),
  })
  .strict();
export type TransformersDecoding = z.infer<typeof TransformersDecoding>;

export const ChatTemplateKwargs = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type ChatTemplateKwargs = z.infer<typeof ChatTemplateKwargs>;

/** The suite's model entry for this provider (the suite schema adds id, variant, batch_size). */
export const TransformersModelSpec = z
  .object({
    provider: z.literal('transformers'),
    /** A local model folder; nothing is fetched. */
    path: z.string().min(1).optional(),
    /** A Hugging Face hub id, fetched (and cached) by transformers.js. */
    hub_id: z.string().min(1).optional(),
    /** Which ONNX file: fp32 → onnx/model.onnx, fp16 → model_fp16.onnx, q8 → model_quantized.onnx, q4 → model_q4.onnx. */
    dtype: z.enum(['fp32', 'fp16', 'q8', 'q4']).default('fp32'),
    device: z.enum(['cpu', 'cuda']).default('cpu'),
    decoding: TransformersDecoding.default({}),
    /** Extra variables for the chat template, e.g. Qwen3's `enable_thinking: false`. */
    chat_template_kwargs: ChatTemplateKwargs.optional(),
  })
  .strict()
  .refine((spec) => (spec.path === undefined) !== (spec.hub_id === undefined), { message: 'give exactly one of path or hub_id' });
export type TransformersModelSpec = z.infer<typeof TransformersModelSpec>;

