import { describe, expect, it } from 'vitest';
import { providerEntrySpec } from './registry.js';
import { transformersProvider } from './transformers.js';

/** The suite's model entry of this provider, less the common fields (id, variant, batch_size). */
const TransformersModelSpec = providerEntrySpec(transformersProvider);

describe('TransformersModelSpec', () => {
  it('takes exactly one of a local path and a hub id, with CPU fp32 defaults', () => {
    expect(TransformersModelSpec.parse({ provider: 'transformers', path: 'models/lm' })).toEqual({
      provider: 'transformers',
      path: 'models/lm',
      dtype: 'fp32',
      device: 'cpu',
      decoding: {},
    });
    expect(TransformersModelSpec.safeParse({ provider: 'transformers', hub_id: 'Qwen/Qwen3-0.6B' }).success).toBe(true);
    expect(TransformersModelSpec.safeParse({ provider: 'transformers' }).success).toBe(false);
    expect(TransformersModelSpec.safeParse({ provider: 'transformers', path: 'a', hub_id: 'b/c' }).success).toBe(false);
  });

  it('accepts the decoding parameters it honours and rejects the others', () => {
    const decoding = { temperature: 0.7, top_p: 0.9, max_tokens: 64, seed: 3 };
    expect(TransformersModelSpec.parse({ provider: 'transformers', path: 'm', decoding }).decoding).toEqual(decoding);
    expect(TransformersModelSpec.parse({ provider: 'transformers', path: 'm', chat_template_kwargs: { enable_thinking: false } }).chat_template_kwargs).toEqual({ enable_thinking: false });
    expect(TransformersModelSpec.safeParse({ provider: 'transformers', path: 'm', decoding: { stop: ['\n'] } }).success).toBe(false);
  });
});
