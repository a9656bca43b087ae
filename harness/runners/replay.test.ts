import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderedRequest } from './runner.js';
import { ReplayRunner } from './replay.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logbench-replay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, lines: string[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, lines.join('\n'));
  return file;
}

const request = (id: string): RenderedRequest => ({
  sample: { id, input: `input of ${id}`, meta: {} },
  messages: [{ role: 'user', content: `input of ${id}` }],
});

describe('ReplayRunner', () => {
  it('serves text, labels and probabilities by sample id, in batch order', async () => {
    const file = await fixture('mixed.jsonl', [
      '{"id": "a", "output": "{\\"risk_score\\": 3}"}',
      '',
      '{"id": "b", "label": "anomalous", "probs": {"anomalous": 0.9, "normal": 0.1}}',
      '{"id": 7, "output": "numeric id", "extra": true}',
    ]);
    const runner = await ReplayRunner.load({ file });
    const predictions = await runner.runBatch([request('b'), request('7'), request('a')]);
    expect(predictions).toEqual([
      { sampleId: 'b', latencyMs: 0, label: 'anomalous', probs: { anomalous: 0.9, normal: 0.1 } },
      { sampleId: '7', latencyMs: 0, text: 'numeric id' },
      { sampleId: 'a', latencyMs: 0, text: '{"risk_score": 3}' },
    ]);
    expect(runner.provider).toBe('replay');
  });

  it('reads configured field names', async () => {
    const file = await fixture('renamed.jsonl', [
      '{"sample_id": "x", "prediction": "text x"}',
      '{"sample_id": "y", "y_pred": "normal"}',
    ]);
    const runner = await ReplayRunner.load({ file, fields: { id: 'sample_id', output: 'prediction', label: 'y_pred' } });
    expect(await runner.runBatch([request('x'), request('y')])).toEqual([
      { sampleId: 'x', latencyMs: 0, text: 'text x' },
      { sampleId: 'y', latencyMs: 0, label: 'normal' },
    ]);
  });

  it('turns a sample missing from the file into a Prediction error', async () => {
    const runner = await ReplayRunner.load({ file: await fixture('one.jsonl', ['{"id": "a", "label": "normal"}']) });
    const predictions = await runner.runBatch([request('a'), request('zz')]);
    expect(predictions[1]).toEqual({ sampleId: 'zz', latencyMs: 0, error: 'no replayed prediction for sample zz' });
  });

  it.each([
    ['bad-json.jsonl', ['{"id": "a", "output": "ok"}', '{"id": "b", "output": '], /bad-json\.jsonl:2: not valid JSON/],
    ['no-value.jsonl', ['{"id": "a"}'], /no-value\.jsonl:1: needs an output or a label/],
    ['not-object.jsonl', ['{"id": "a", "label": "normal"}', '', '["a", "b"]'], /not-object\.jsonl:3: Invalid input: expected record, received array/],
    ['bad-type.jsonl', ['{"id": "a", "output": 42}'], /bad-type\.jsonl:1: output: .*string/],
    ['no-id.jsonl', ['{"output": "x"}'], /no-id\.jsonl:1: id: /],
    ['bad-label.jsonl', ['{"id": "a", "label": "maybe"}'], /bad-label\.jsonl:1: label: expected a label normal\/anomalous, 0\/1/],
    ['dup.jsonl', ['{"id": "a", "label": "normal"}', '{"id": "a", "label": "anomalous"}'], /dup\.jsonl:2: duplicate id "a" \(first on line 1\)/],
  ])('rejects %s naming the file and line', async (name, lines, error) => {
    const file = await fixture(name, lines);
    await expect(ReplayRunner.load({ file })).rejects.toThrow(error);
  });

  it('names a renamed field in validation errors', async () => {
    const file = await fixture('renamed-bad.jsonl', ['{"sample_id": "a", "prediction": 1}']);
    await expect(ReplayRunner.load({ file, fields: { id: 'sample_id', output: 'prediction' } })).rejects.toThrow(
      /renamed-bad\.jsonl:1: prediction: /,
    );
  });
});
