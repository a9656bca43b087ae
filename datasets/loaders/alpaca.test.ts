import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, loadFixtureDataset } from '../../test/support/dataset-fixtures.js';

describe('alpaca loader', () => {
  it('joins instruction and input with a newline (LLaMA-Factory) and names a record without output', async () => {
    await expect(loadFixtureDataset({ source: 'alpaca', path: 'alpaca/records.json' })).rejects.toThrow(
      `${path.join(DATASET_FIXTURES, 'alpaca/records.json')}: record 2: field "output": `,
    );
    const split = await loadFixtureDataset({ source: 'alpaca', path: 'alpaca/records.json', skip_invalid: true });
    expect(split.samples.map((s) => [s.id, s.input, s.reference])).toEqual([
      ['records-0000', 'Explain this log line.\nkernel: Out of memory: Killed process 42', 'The OOM killer ended process 42.'],
      ['records-0001', 'Say hello.', 'hello'],
    ]);
    expect(split.skipped).toHaveLength(1);
  });
});
