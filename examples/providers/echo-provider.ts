/**
 * A provider plugin, the smallest useful one: it answers each request with the last line of its
 * prompt (the log line, for a prompt ending in {{input}}), after an optional prefix. A suite names
 * it with `provider: {module: ../providers/echo-provider.ts}` and sets the fields `spec` declares;
 * examples/suites/plugin-provider.yaml runs it. Outside this repository, import the types from
 * 'logbench' instead of the relative paths.
 */
import { z } from 'zod';
import type { ProviderDefinition } from '../../harness/providers/definition.js';

/** The model entry's own fields (the suite adds id, variant, batch_size and provider). */
const spec = z
  .object({
    /** Put before every answer. */
    prefix: z.string().default(''),
  })
  .strict();

const echoProvider: ProviderDefinition<typeof spec> = {
  name: 'echo',
  spec,
  async create(model) {
    return {
      provider: 'echo',
      async runBatch(batch) {
        return batch.map(({ sample, messages }) => {
          const prompt = messages.at(-1)?.content ?? '';
          const lastLine = prompt.trimEnd().split('\n').at(-1) ?? '';
          return { sampleId: sample.id, text: `${model.prefix}${lastLine}`, latencyMs: 0 };
        });
      },
    };
  },
  // Cached like a remote model's answers, to show the seam: the harness keys them on this module's
  // path, the sha256 of its code, its fields and the messages, so another prefix, another module or
  // an edit of this one never shares an answer.
  cacheIdentity: () => ({}),
};

export default echoProvider;
