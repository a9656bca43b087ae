import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxClassifierRunner, readClassifierBundle } from './onnxClassifier.js';

const BUNDLE = path.resolve(import.meta.dirname, '../../models/logllm-bgl-tiny');

describe('classifier bundle', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'logbench-bundle-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** A copy of the shipped bundle with bundle.json edited. */
  async function editedBundle(name: string, edit: (manifest: Record<string, unknown>) => void): Promise<string> {
    const dir = path.join(scratch, name);
    await cp(BUNDLE, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(dir, 'bundle.json'), 'utf8')) as Record<string, unknown>;
    edit(manifest);
    await writeFile(path.join(dir, 'bundle.json'), JSON.stringify(manifest));
    return dir;
  }

  it('reads the shipped manifest', async () => {
    const bundle = await readClassifierBundle(BUNDLE);
    expect(bundle).toMatchObject({ architecture: 'logllm', labels: ['normal', 'anomalous'], max_message_tokens: 100, max_messages: 128 });
    expect(bundle.preprocessing.message_separator).toBe(' ;-; ');
  });

  it('names the file and the field when the manifest is invalid', async () => {
    const dir = await editedBundle('bad-manifest', (m) => {
      m.architecture = 'bert';
      m.encoder = { onnx: '../encoder.onnx', tokenizer: 'encoder_tokenizer', hidden_size: 64 };
    });
    const failure = readClassifierBundle(dir);
    await expect(failure).rejects.toThrow(path.join(dir, 'bundle.json'));
    await expect(failure).rejects.toThrow(/architecture/);
    await expect(failure).rejects.toThrow(/inside the bundle folder/);
  });

  it('refuses a graph whose inputs are not the format’s', async () => {
    const dir = await editedBundle('swapped-graphs', (m) => {
      m.encoder = { onnx: 'decoder.onnx', tokenizer: 'encoder_tokenizer', hidden_size: 64 };
    });
    await expect(OnnxClassifierRunner.create({ path: dir })).rejects.toThrow(/decoder\.onnx: graph lacks input_ids, attention_mask, pooler_output/);
  });
});

describe('OnnxClassifierRunner', () => {
  it("explains that 'cuda' needs onnxruntime-node's separately installed CUDA provider", async () => {
    const binding = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    const cudaProvider = path.join(binding, `../bin/napi-v6/${process.platform}/${process.arch}/libonnxruntime_providers_cuda.so`);
    const created = OnnxClassifierRunner.create({ path: BUNDLE, executionProvider: 'cuda' });
    if (existsSync(cudaProvider)) {
      const runner = await created;
      expect(runner.provider).toBe('onnx-classifier');
      await runner.close();
    } else {
      await expect(created).rejects.toThrow(/execution_provider 'cuda' is not available in this onnxruntime-node build .*use execution_provider: cpu/);
      // Found missing before onnxruntime is asked, so its native loader never prints its own error line.
      await expect(created).rejects.toThrow(/providers_cuda\.(so|dll) missing/);
    }
  });

  it('loads from a relative path, answers an empty batch with nothing and rejects once the signal has aborted', async () => {
    // "models/logllm-bgl-tiny" also reads as a hub id; the runner must still take it as a folder.
    const runner = await OnnxClassifierRunner.create({ path: path.relative(process.cwd(), BUNDLE), threads: 1 });
    try {
      expect(await runner.runBatch([])).toEqual([]);
      const request = { sample: { id: 'w', input: 'node 1 up ;-; node 2 down', meta: {} }, messages: [] };
      await expect(runner.runBatch([request], AbortSignal.abort(new Error('stopped')))).rejects.toThrow('stopped');
      const [prediction] = await runner.runBatch([request]);
      expect(prediction?.error).toBeUndefined();
      expect(runner.bundle.labels).toContain(prediction?.label);
    } finally {
      await runner.close();
    }
  });
});
