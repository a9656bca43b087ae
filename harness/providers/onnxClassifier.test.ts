import { describe, expect, it } from 'vitest';
import { onnxClassifierProvider } from './onnxClassifier.js';
import { providerEntrySpec } from './registry.js';

/** The suite's model entry of this provider, less the common fields (id, variant, batch_size). */
const OnnxClassifierModelSpec = providerEntrySpec(onnxClassifierProvider);

describe('OnnxClassifierModelSpec', () => {
  it('defaults to the CPU provider and rejects unknown keys and bad thread counts', () => {
    expect(OnnxClassifierModelSpec.parse({ provider: 'onnx-classifier', path: 'models/x' })).toEqual({
      provider: 'onnx-classifier',
      path: 'models/x',
      execution_provider: 'cpu',
    });
    expect(OnnxClassifierModelSpec.safeParse({ provider: 'onnx-classifier', path: 'x', execution_provider: 'tensorrt' }).success).toBe(false);
    expect(OnnxClassifierModelSpec.safeParse({ provider: 'onnx-classifier', path: 'x', threads: 0 }).success).toBe(false);
    expect(OnnxClassifierModelSpec.safeParse({ provider: 'onnx-classifier', path: 'x', model: 'y' }).success).toBe(false);
  });
});
