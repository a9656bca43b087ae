import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, loadFixtureDataset } from '../../test/support/dataset-fixtures.js';

const bad = path.join(DATASET_FIXTURES, 'jsonl/bad.jsonl');
const fields = { input_field: 'text', reference_field: 'answer', label_field: 'level', id_field: 'id' };

describe('jsonl loader', () => {
  it('reads the named fields from a CRLF file without a final newline, skipping blank lines', async () => {
    const split = await loadFixtureDataset({ source: 'jsonl', path: 'jsonl/records.jsonl', ...fields });
    expect(split.samples.map((s) => [s.id, s.input, s.reference, s.label])).toEqual([
      ['a1', 'disk full on /var', 'free space', 'anomalous'],
      ['7', 'fan ok', 'nothing', 'normal'],
      ['a3', 'link down eth0', 'check cable', 'anomalous'],
    ]);
  });

  it('reads labels by the one rule of every loader (0/1, yes/no, true/false, class names in any case) and refuses others naming line and field', async () => {
    const labels = path.join(DATASET_FIXTURES, 'jsonl/labels.jsonl');
    const split = await loadFixtureDataset({ source: 'jsonl', path: 'jsonl/labels.jsonl', input_field: 'text', label_field: 'y', skip_invalid: true });
    expect(split.samples.map((s) => s.label)).toEqual(['normal', 'anomalous', 'anomalous', 'normal', 'normal', 'anomalous', 'anomalous', 'normal']);
    await expect(loadFixtureDataset({ source: 'jsonl', path: 'jsonl/labels.jsonl', input_field: 'text', label_field: 'y' })).rejects.toThrow(
      `${labels}:9: field "y": expected a label normal/anomalous, 0/1, false/true or no/yes (any case), got "maybe"`,
    );
  });

  it('numbers samples by line when there is no id field', async () => {
    const split = await loadFixtureDataset({ source: 'jsonl', path: 'jsonl/records.jsonl', input_field: 'text' });
    expect(split.samples.map((s) => s.id)).toEqual(['records-0000', 'records-0002', 'records-0003']);
    expect(split.samples[0]).not.toHaveProperty('reference');
  });

  it('names the file and line of an invalid JSON line', async () => {
    await expect(loadFixtureDataset({ source: 'jsonl', path: 'jsonl/bad.jsonl', ...fields })).rejects.toThrow(`${bad}:2: not valid JSON`);
  });

  it('with skip_invalid lists bad JSON, a missing field and a duplicate id', async () => {
    const split = await loadFixtureDataset({ source: 'jsonl', path: 'jsonl/bad.jsonl', ...fields, skip_invalid: true });
    expect(split.samples.map((s) => s.id)).toEqual(['a1', 'a5']);
    expect(split.skipped.map((s) => s.record)).toEqual([`${bad}:2`, `${bad}:3`, `${bad}:4`]);
    expect(split.skipped[1]?.reason).toMatch(/^field "text": /);
    expect(split.skipped[2]?.reason).toBe('field "id": duplicate id "a1" (first on line 1)');
  });
});
