/**
 * The shipped tiny causal LM through transformers.js (real tokenizer, real onnxruntime session with
 * its KV cache) against what PyTorch recorded at export (models/alsate-rules-lm-tiny/reference_generations.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RenderedRequest } from '../../core/prediction.js';
import { TransformersRunner } from '../../harness/runners/transformers.js';

const MODEL = path.resolve(import.meta.dirname, '../../models/alsate-rules-lm-tiny');

const Reference = z.object({
  references: z
    .array(
      z.object({
        messages: z.array(z.object({ role: z.enum(['system', 'user']), content: z.string() })),
        prompt: z.string(),
        prompt_ids: z.array(z.int()),
        last_logits: z.array(z.number()),
        generated_ids: z.array(z.int()),
        text: z.string(),
      }),
    )
    .min(2),
});
const { references } = Reference.parse(JSON.parse(readFileSync(path.join(MODEL, 'reference_generations.json'), 'utf8')));
const requests: RenderedRequest[] = references.map((r, i) => ({ sample: { id: `ref-${i}`, input: r.messages.at(-1)?.content ?? '', meta: {} }, messages: r.messages }));

describe('shipped alsate-rules-lm-tiny', () => {
  let runner: TransformersRunner;
  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  beforeAll(async () => {
    runner = await TransformersRunner.create({ model: MODEL, decoding: { temperature: 0, max_tokens: 48 } });
    tokenizer = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
    model = await AutoModelForCausalLM.from_pretrained(MODEL, { local_files_only: true, dtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => {
    await Promise.all([runner.close(), model.dispose()]);
  });

  it('renders the chat template and tokenizes it as Python (jinja2 + the hand-written BPE) did', () => {
    for (const reference of references) {
      const prompt = runner.renderPrompt(reference.messages);
      expect(prompt).toBe(reference.prompt);
      expect(tokenizer.encode(prompt, { add_special_tokens: false })).toEqual(reference.prompt_ids);
    }
  });

  it("reproduces PyTorch's next-token logits to 1e-4", async () => {
    for (const reference of references) {
      const ids = reference.prompt_ids;
      const inputs = { input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]), attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]) };
      const { logits } = (await model(inputs)) as { logits: Tensor };
      const vocab = logits.dims[2] ?? 0;
      const last = Array.from(logits.data as Float32Array).slice((ids.length - 1) * vocab, ids.length * vocab);
      expect(last).toHaveLength(reference.last_logits.length);
      const worst = Math.max(...last.map((value, i) => Math.abs(value - (reference.last_logits[i] ?? Number.NaN))));
      expect(worst).toBeLessThanOrEqual(1e-4);
    }
  });

  it('generates the greedy PyTorch answers at temperature 0, one at a time and batched', async () => {
    const alone = (await Promise.all(requests.map((r) => runner.runBatch([r])))).flat();
    const batched = await runner.runBatch(requests);
    for (const predictions of [alone, batched]) {
      expect(predictions.map((p) => p.error)).toEqual(references.map(() => undefined));
      expect(predictions.map((p) => p.text)).toEqual(references.map((r) => r.text));
      expect(predictions.map((p) => p.tokensOut)).toEqual(references.map((r) => r.generated_ids.length));
      expect(predictions.map((p) => p.tokensIn)).toEqual(references.map((r) => r.prompt_ids.length));
    }
  });
});
