/**
 * The shipped tiny LogLLM bundles (the base and its fine-tune) through the real runner (onnxruntime-node
 * sessions, transformers.js tokenizers) against what PyTorch recorded at export (models/<bundle>/reference_logits.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadDataset } from '../../datasets/load.js';
import { DatasetSpec } from '../../datasets/spec.js';
import { OnnxClassifierRunner } from '../../harness/runners/onnxClassifier.js';

const BUNDLE_NAMES = ['logllm-bgl-tiny-base', 'logllm-bgl-tiny'];
const BUNDLES = BUNDLE_NAMES.map((name) => path.resolve(import.meta.dirname, '../../models', name));
const LOGIT_TOLERANCE = 1e-4;

const Reference = z.object({
  windows: z
    .array(
      z.object({
        id: z.string(),
        input: z.string(),
        label: z.string(),
        preprocessed: z.array(z.string()),
        encoder_token_ids: z.array(z.array(z.int())),
        logits: z.array(z.number()),
      }),
    )
    .min(2),
  encoder_tokenizer: z.array(z.object({ text: z.string(), ids: z.array(z.int()) })).min(1),
  decoder_tokenizer: z.object({ instruction_prefix_ids: z.array(z.int()), instruction_suffix_ids: z.array(z.int()) }),
});

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - (expected[i] ?? Number.NaN)), `logit ${i}: ${value} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
}

describe.each(BUNDLE_NAMES)('shipped bundle %s', (name) => {
  const BUNDLE = path.resolve(import.meta.dirname, '../../models', name);
  const reference = Reference.parse(JSON.parse(readFileSync(path.join(BUNDLE, 'reference_logits.json'), 'utf8')));
  let runner: OnnxClassifierRunner;
  beforeAll(async () => {
    runner = await OnnxClassifierRunner.create({ path: BUNDLE, threads: 1 });
  });
  afterAll(async () => {
    await runner.close();
  });

  it('reproduces the PyTorch reference logits to 1e-4, one window at a time', async () => {
    for (const window of reference.windows) {
      const [scores] = await runner.scoreWindows([window.input]);
      expectClose(scores?.logits ?? [], window.logits, LOGIT_TOLERANCE);
    }
  });

  it('gives a batch of windows with different message counts the logits each gets alone', async () => {
    const inputs = reference.windows.map((w) => w.input);
    expect(new Set(reference.windows.map((w) => w.preprocessed.length)).size).toBeGreaterThan(1);
    const alone = await Promise.all(inputs.map(async (input) => (await runner.scoreWindows([input]))[0]?.logits ?? []));
    const together = await runner.scoreWindows(inputs);
    together.forEach((scores, i) => expectClose(scores.logits, alone[i] ?? [], 1e-5));
  });

  it('scores a window bit for bit alike in any batch (shards, resumed runs and batch sizes store the same probabilities)', async () => {
    const inputs = reference.windows.map((w) => w.input);
    const alone = await Promise.all(inputs.map(async (input) => (await runner.scoreWindows([input]))[0]?.logits ?? []));
    const together = await runner.scoreWindows(inputs);
    const reversed = (await runner.scoreWindows([...inputs].reverse())).reverse();
    expect(together.map((s) => [...s.logits])).toEqual(alone.map((l) => [...l]));
    expect(reversed.map((s) => [...s.logits])).toEqual(alone.map((l) => [...l]));
  });

  it('tokenizes messages as the Python tokenizer did at training time, truncation included', () => {
    for (const { text, ids } of reference.encoder_tokenizer) expect(runner.encoderTokenIds(text), text).toEqual(ids);
    expect(reference.encoder_tokenizer.some(({ ids }) => ids.length === runner.bundle.max_message_tokens)).toBe(true);
    for (const window of reference.windows) expect(window.preprocessed.map((m) => runner.encoderTokenIds(m)), window.id).toEqual(window.encoder_token_ids);
  });

  it('tokenizes the instruction with the decoder tokenizer as recorded', () => {
    expect(runner.instructionTokenIds).toEqual({
      prefix: reference.decoder_tokenizer.instruction_prefix_ids,
      suffix: reference.decoder_tokenizer.instruction_suffix_ids,
    });
  });

  it('answers each request with the argmax label, its probabilities and the tokens read', async () => {
    const requests = reference.windows.map((w) => ({ sample: { id: w.id, input: w.input, meta: {} }, messages: [] }));
    const predictions = await runner.runBatch(requests);
    predictions.forEach((prediction, i) => {
      const logits = reference.windows[i]?.logits ?? [];
      const expected = runner.bundle.labels[logits.indexOf(Math.max(...logits))];
      expect(prediction).toMatchObject({ sampleId: requests[i]?.sample.id, label: expected, text: expected });
      expect(Object.keys(prediction.probs ?? {})).toEqual(runner.bundle.labels);
      expect(Object.values(prediction.probs ?? {}).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(prediction.tokensIn).toBe(reference.windows[i]?.encoder_token_ids.flat().length);
      expect(prediction.latencyMs).toBeGreaterThan(0);
    });
  });

  it('was trained on the windows the loghub-windows loader yields (BGL, 20 lines every 10)', async () => {
    const split = await loadDataset(DatasetSpec.parse({ source: 'loghub-windows', system: 'BGL', window: 20, step: 10 }), { baseDir: BUNDLE });
    const byFirstLine = new Map(split.samples.map((s) => [`BGL-l${String(s.meta.first_line).padStart(4, '0')}`, s]));
    for (const window of reference.windows.filter((w) => w.id.startsWith('BGL-'))) {
      expect(byFirstLine.get(window.id)?.input, window.id).toBe(window.input);
      expect(byFirstLine.get(window.id)?.label, window.id).toBe(window.label);
    }
  });
});

describe('the base and its fine-tune', () => {
  it('are two different checkpoints of one model: same tokenizers and instruction, different weights and logits', () => {
    const [base, fineTune] = BUNDLES.map((bundle) => Reference.parse(JSON.parse(readFileSync(path.join(bundle, 'reference_logits.json'), 'utf8'))));
    expect(fineTune?.encoder_tokenizer).toEqual(base?.encoder_tokenizer);
    expect(fineTune?.decoder_tokenizer).toEqual(base?.decoder_tokenizer);
    expect(fineTune?.windows.map((w) => w.id)).toEqual(base?.windows.map((w) => w.id));
    expect(fineTune?.windows.map((w) => w.logits)).not.toEqual(base?.windows.map((w) => w.logits));
    const [baseEncoder, fineTuneEncoder] = BUNDLES.map((bundle) => readFileSync(path.join(bundle, 'encoder.onnx')));
    expect(fineTuneEncoder?.equals(baseEncoder ?? Buffer.alloc(0))).toBe(false);
  });
});
