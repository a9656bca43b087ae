/** The rules baseline: keyword rules answer every task without a model, the floor a model has to beat. */
import { z } from 'zod';
import { defineProvider } from './definition.js';

export const rulesProvider = defineProvider({
  name: 'rules',
  spec: z.object({}).strict(),
  async create(_model, ctx) {
    const { RulesBaselineRunner } = await import('../runners/rules.js');
    return new RulesBaselineRunner({ task: ctx.task });
  },
  // Deterministic and instant: nothing worth caching.
  cacheIdentity: () => null,
});
