import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUNDED_FPT_SCHEMA, documentViolation } from '../../test/support/json-schema-check.js';
import type { RenderedRequest } from './runner.js';
import { TransformersRunner } from './transformers.js';

const MODEL = path.resolve(import.meta.dirname, '../../models/alsate-rules-lm-tiny');

function request(id: string, line: string): RenderedRequest {
  return { sample: { id, input: line, meta: {} }, messages: [{ role: 'user', content: line }] };
}

describe('TransformersRunner on the shipped tiny LM', () => {
  let greedy: TransformersRunner;
  beforeAll(async () => {
    // Relative on purpose: "models/alsate-rules-lm-tiny" also reads as a hub id; it must stay a local folder.
    greedy = await TransformersRunner.create({ model: path.relative(process.cwd(), MODEL), decoding: { temperature: 0, max_tokens: 48 } });
  });
  afterAll(async () => {
    await greedy.close();
  });

  it('answers through the chat template and counts tokens in and out', async () => {
    const [prediction] = await greedy.runBatch([request('oom', 'kernel: Out of memory: Killed process 2213 (chrome)')]);
    expect(prediction?.error).toBeUndefined();
    expect(prediction?.text).toMatch(/^Cause - /);
    expect(prediction?.tokensIn).toBeGreaterThan(10);
    expect(prediction?.tokensOut).toBeGreaterThan(0);
    expect(prediction?.tokensOut).toBeLessThanOrEqual(48);
    expect(greedy.renderPrompt([{ role: 'user', content: 'x' }])).toBe('<|user|>\nx<|end|>\n<|assistant|>\n');
  });

  it('is deterministic at temperature 0', async () => {
    const requests = [request('a', 'sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186'), request('b', 'instruction cache parity error corrected')];
    const first = await greedy.runBatch(requests);
    const second = await greedy.runBatch(requests);
    expect(second.map((p) => p.text)).toEqual(first.map((p) => p.text));
  });

  it('fails only the sample whose prompt does not fit the context, and generates the rest', async () => {
    const tooLong = request('long', Array.from({ length: 400 }, (_, i) => `word${i}`).join(' '));
    const predictions = await greedy.runBatch([request('ok', 'EXT3-fs error (device sda1)'), tooLong]);
    expect(predictions.map((p) => p.sampleId)).toEqual(['ok', 'long']);
    expect(predictions[0]?.error).toBeUndefined();
    expect(predictions[0]?.text).toMatch(/^Cause - /);
    expect(predictions[1]?.error).toMatch(/token context/);
    expect(predictions[1]?.text).toBeUndefined();
  });

  it('reproduces a sampled answer when the seed is fixed', async () => {
    const sampler = await TransformersRunner.create({ model: MODEL, decoding: { temperature: 1.5, top_p: 0.95, max_tokens: 24, seed: 11 } });
    try {
      const requests = [request('a', 'session opened for user root'), request('b', 'Lustre mount FAILED : bglio559')];
      const first = await sampler.runBatch(requests);
      const second = await sampler.runBatch(requests);
      expect(first.every((p) => p.error === undefined)).toBe(true);
      expect(second.map((p) => p.text)).toEqual(first.map((p) => p.text));
    } finally {
      await sampler.close();
    }
  });

  it('rejects once the signal has aborted', async () => {
    await expect(greedy.runBatch([request('a', 'x')], AbortSignal.abort(new Error('stopped')))).rejects.toThrow('stopped');
  });
});

describe('TransformersRunner with json_schema decoding', () => {
  const lines = [
    'kernel: Out of memory: Killed process 2213 (chrome)',
    'sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186',
    'instruction cache parity error corrected',
    'session opened for user root',
  ];
  const requests = lines.map((line, index) => request(`s${index}`, line));
  const decoding = { temperature: 0, max_tokens: 200 };
  let constrained: TransformersRunner;
  let free: TransformersRunner;
  beforeAll(async () => {
    constrained = await TransformersRunner.create({ model: MODEL, decoding: { ...decoding, response_format: { type: 'json_schema', json_schema: { name: 'fpt', schema: BOUNDED_FPT_SCHEMA } } } });
    free = await TransformersRunner.create({ model: MODEL, decoding });
  });
  afterAll(async () => {
    await constrained.close();
    await free.close();
  });

  it('answers every prompt with a document valid against the schema, where the same model unconstrained writes no JSON', async () => {
    const answers = await constrained.runBatch(requests);
    for (const answer of answers) expect(documentViolation(answer.text ?? '', BOUNDED_FPT_SCHEMA), answer.text).toBeNull();
    const unconstrained = await free.runBatch(requests);
    for (const answer of unconstrained) expect(documentViolation(answer.text ?? '', BOUNDED_FPT_SCHEMA), answer.text).toBe('not JSON');
    // The schema never enters the prompt, and the tokens out are the generated ones, the end token included.
    expect(answers.map((a) => a.tokensIn)).toEqual(unconstrained.map((a) => a.tokensIn));
    for (const answer of answers) {
      expect(answer.tokensOut).toBeGreaterThan(0);
      expect(answer.tokensOut).toBeLessThanOrEqual(decoding.max_tokens);
    }
  });

  it('keeps sampled answers within the schema too', async () => {
    const sampler = await TransformersRunner.create({ model: MODEL, decoding: { temperature: 1.5, max_tokens: 200, seed: 5, response_format: { type: 'json_schema', json_schema: { name: 'fpt', schema: BOUNDED_FPT_SCHEMA } } } });
    try {
      const answers = await sampler.runBatch(requests);
      for (const answer of answers) expect(documentViolation(answer.text ?? '', BOUNDED_FPT_SCHEMA), answer.text).toBeNull();
      expect(new Set(answers.map((a) => a.text)).size).toBeGreaterThan(1);
    } finally {
      await sampler.close();
    }
  });

  it('writes the same greedy answers in batches of 4 and of 1', async () => {
    const together = await constrained.runBatch(requests);
    const alone = [];
    for (const one of requests) alone.push(...(await constrained.runBatch([one])));
    expect(alone.map((a) => a.error)).toEqual(together.map(() => undefined));
    expect(alone.map((a) => a.text)).toEqual(together.map((a) => a.text));
    expect(alone.map((a) => a.tokensOut)).toEqual(together.map((a) => a.tokensOut));
  });
});
