import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, loadFixtureDataset } from '../../test/support/dataset-fixtures.js';

const fixture = (name: string): string => path.join(DATASET_FIXTURES, 'logllm', name);

describe('logllm-csv loader', () => {
  it("maps Label 0/1 to normal/anomalous and keeps Content as LogLLM joined it (CRLF, quoted line break)", async () => {
    const split = await loadFixtureDataset({ source: 'logllm-csv', path: 'logllm/windows.csv' });
    expect(split.samples.map((s) => [s.id, s.label])).toEqual([
      ['windows-0000', 'anomalous'],
      ['windows-0001', 'normal'],
      ['windows-0002', 'normal'],
    ]);
    expect(split.samples[0]?.input.split(' ;-; ')).toEqual(['instruction cache parity error corrected', 'generating core.2275']);
    expect(split.samples[2]?.input).toBe('a message with "quotes" ;-; and a\r\nline break inside quotes');
  });

  it('names the file and line of bad quoting', async () => {
    await expect(loadFixtureDataset({ source: 'logllm-csv', path: 'logllm/bad-quote.csv' })).rejects.toThrow(`${fixture('bad-quote.csv')}:3: Invalid Closing Quote`);
  });

  it('counts a badly quoted record once when skipping', async () => {
    const split = await loadFixtureDataset({ source: 'logllm-csv', path: 'logllm/bad-quote.csv', skip_invalid: true });
    expect(split.samples.map((s) => s.input)).toEqual(['first ;-; second', 'third ;-; fourth']);
    expect(split.skipped).toEqual([{ record: `${fixture('bad-quote.csv')}:3`, reason: expect.stringMatching(/^Invalid Closing Quote/) }]);
  });

  it('rejects a label the one label rule does not read, naming line, row and field', async () => {
    await expect(loadFixtureDataset({ source: 'logllm-csv', path: 'logllm/label-2.csv' })).rejects.toThrow(
      `${fixture('label-2.csv')}:3: row 1: field "Label": expected a label normal/anomalous, 0/1, false/true or no/yes (any case), got "2"`,
    );
    const split = await loadFixtureDataset({ source: 'logllm-csv', path: 'logllm/label-2.csv', skip_invalid: true });
    expect(split.samples.map((s) => s.id)).toEqual(['label-2-0000', 'label-2-0002']);
    expect(split.skipped.map((s) => s.record)).toEqual([`${fixture('label-2.csv')}:3`]);
  });

  it('rejects a header without Content and Label', async () => {
    await expect(loadFixtureDataset({ source: 'logllm-csv', path: 'logllm/missing-column.csv', skip_invalid: true })).rejects.toThrow(
      `${fixture('missing-column.csv')}:1: header lacks column(s) Label`,
    );
  });
});
