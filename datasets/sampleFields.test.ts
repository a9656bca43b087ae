import { describe, expect, it } from 'vitest';
import { loadFixtureDataset } from '../test/support/dataset-fixtures.js';
import { promptTemplatesProblem, SAMPLE_META_FIELDS } from './sampleFields.js';
import type { DatasetSpecInput } from './spec.js';

describe('promptTemplatesProblem', () => {
  it('accepts {{input}}, {{id}} and the meta fields of the source, in either template', () => {
    expect(promptTemplatesProblem({ user: 'Logs {{id}} from {{file}} at {{ line }}:\n{{input}}' }, 'jsonl')).toBeUndefined();
    expect(promptTemplatesProblem({ system: 'Window {{first_line}}-{{last_line}}: {{input}}', user: 'Normal or anomalous?' }, 'loghub-windows')).toBeUndefined();
  });

  it('refuses a prompt without {{input}}: the samples would never reach the model', () => {
    expect(promptTemplatesProblem({ system: 'You read logs.', user: 'Is this normal?' }, 'jsonl')).toEqual({
      role: 'user',
      problem: 'no {{input}} placeholder: the samples would never reach the model',
    });
  });

  it('refuses a placeholder the samples of the source do not fill, naming the template role', () => {
    expect(promptTemplatesProblem({ user: '{{logs}}' }, 'jsonl')).toEqual({
      role: 'user',
      problem: '{{logs}} not filled by a jsonl dataset (placeholders: {{input}}, {{id}}, {{file}}, {{line}})',
    });
    expect(promptTemplatesProblem({ system: 'Row {{row}}', user: '{{input}}' }, 'loghub-chunks')).toMatchObject({ role: 'system', problem: expect.stringMatching(/^\{\{row\}\} not filled/) });
  });

  // The list must name exactly what the loaders put in meta, or the check refuses good prompts or passes bad ones.
  it.each<[keyof typeof SAMPLE_META_FIELDS, DatasetSpecInput]>([
    ['sharegpt', { source: 'sharegpt', path: 'sharegpt/records.json' }],
    ['alpaca', { source: 'alpaca', path: 'alpaca/records.json', skip_invalid: true }],
    ['jsonl', { source: 'jsonl', path: 'jsonl/records.jsonl', input_field: 'text' }],
    ['logllm-csv', { source: 'logllm-csv', path: 'logllm/windows.csv' }],
    ['loghub-chunks', { source: 'loghub-chunks', system: 'HDFS' }],
    ['loghub-windows', { source: 'loghub-windows', system: 'BGL' }],
    ['journalctl', { source: 'journalctl', path: 'journalctl/short.log' }],
  ])('SAMPLE_META_FIELDS names the meta fields of %s samples', async (source, spec) => {
    const split = await loadFixtureDataset(spec);
    const fields = new Set(split.samples.flatMap((sample) => Object.keys(sample.meta)));
    expect([...fields].sort()).toEqual([...SAMPLE_META_FIELDS[source]].sort());
  });

  it('SAMPLE_META_FIELDS gives remote the ShareGPT loader\'s fields', () => {
    expect(SAMPLE_META_FIELDS.remote).toEqual(SAMPLE_META_FIELDS.sharegpt);
  });
});
