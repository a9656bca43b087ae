/** The in-process LogLLM classifier: a bundle of ONNX graphs and tokenizers run with onnxruntime-node. */
import path from 'node:path';
import { z } from 'zod';
import { defineProvider, missingPathProblem } from './definition.js';

export const onnxClassifierProvider = defineProvider({
  name: 'onnx-classifier',
  spec: z
    .object({
      /** The bundle folder, the one holding bundle.json. */
      path: z.string().min(1),
      execution_provider: z.enum(['cpu', 'cuda']).default('cpu'),
      /** onnxruntime intra-op threads per session; default: onnxruntime's choice (one per core). */
      threads: z.int().positive().optional(),
    })
    .strict(),
  async create(model, ctx) {
    // Imported here: onnxruntime and transformers.js are heavy, and most suites never need them.
    const { OnnxClassifierRunner } = await import('../runners/onnxClassifier.js');
    return OnnxClassifierRunner.create({
      path: path.resolve(ctx.baseDir, model.path),
      executionProvider: model.execution_provider,
      ...(model.threads !== undefined && { threads: model.threads }),
    });
  },
  // A local classifier answers faster than the cache would be read.
  cacheIdentity: () => null,
  problem: (model, ctx) => missingPathProblem(model.path, ctx),
});
