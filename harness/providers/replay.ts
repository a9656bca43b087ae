/** Predictions produced elsewhere (another harness, a batch job), served back from a JSONL file by sample id. */
import path from 'node:path';
import { z } from 'zod';
import { defineProvider, missingPathProblem } from './definition.js';

export const replayProvider = defineProvider({
  name: 'replay',
  spec: z
    .object({
      path: z.string().min(1),
      id_field: z.string().default('id'),
      output_field: z.string().default('output'),
    })
    .strict(),
  async create(model, ctx) {
    const { ReplayRunner } = await import('../runners/replay.js');
    return ReplayRunner.load({ file: path.resolve(ctx.baseDir, model.path), fields: { id: model.id_field, output: model.output_field } });
  },
  // The file is the answer: nothing to cache.
  cacheIdentity: () => null,
  problem: (model, ctx) => missingPathProblem(model.path, ctx),
});
