import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSuite, SuiteError } from '../suite/load.js';
import { providerEntrySpec } from './registry.js';
import { transformersProvider } from './transformers.js';

/** The suite's model entry of this provider, less the common fields (id, variant, batch_size). */
const TransformersModelSpec = providerEntrySpec(transformersProvider);

describe('TransformersModelSpec', () => {
  it('takes exactly one of a local path and a hub id, with CPU fp32 defaults', () => {
    expect(TransformersModelSpec.parse({ provider: 'transformers', path: 'models/lm' })).toEqual({
      provider: 'transformers',
      path: 'models/lm',
      dtype: 'fp32',
      device: 'cpu',
      decoding: {},
    });
    expect(TransformersModelSpec.safeParse({ provider: 'transformers', hub_id: 'Qwen/Qwen3-0.6B' }).success).toBe(true);
    expect(TransformersModelSpec.safeParse({ provider: 'transformers' }).success).toBe(false);
    expect(TransformersModelSpec.safeParse({ provider: 'transformers', path: 'a', hub_id: 'b/c' }).success).toBe(false);
  });

  it('accepts the decoding parameters it honours and rejects the others', () => {
    const decoding = { temperature: 0.7, top_p: 0.9, max_tokens: 64, seed: 3 };
    expect(TransformersModelSpec.parse({ provider: 'transformers', path: 'm', decoding }).decoding).toEqual(decoding);
    expect(TransformersModelSpec.parse({ provider: 'transformers', path: 'm', chat_template_kwargs: { enable_thinking: false } }).chat_template_kwargs).toEqual({ enable_thinking: false });
    expect(TransformersModelSpec.safeParse({ provider: 'transformers', path: 'm', decoding: { stop: ['\n'] } }).success).toBe(false);
  });
});

describe('the transformers provider with response_format json_schema', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-transformers-schema-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'p.txt'), '{{input}}');

  /** A suite file with one transformers model whose response_format is `format` (YAML lines under it). */
  function suite(format: string): string {
    const file = path.join(dir, 's.yaml');
    writeFileSync(
      file,
      `name: s\ntask: text\ndataset:\n  source: jsonl\n  path: d.jsonl\n  input_field: x\n  reference_field: y\nprompt:\n  user: p.txt\nmodels:\n` +
        `  - id: lm\n    provider: transformers\n    path: m\n    decoding:\n      temperature: 0\n      response_format:\n${format}`,
    );
    return file;
  }

  it('reads the schema inline or from a json_schema_file, like the openai provider, and stores it with the decoding', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    writeFileSync(path.join(dir, 'schema.json'), JSON.stringify({ name: 'answer', schema }));
    const fromFile = loadSuite(suite('        type: json_schema\n        json_schema_file: schema.json\n')).builtInModels.get('lm');
    expect(fromFile?.decoding).toEqual({ temperature: 0, response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } } });
    const inline = loadSuite(suite(`        type: json_schema\n        json_schema:\n          name: answer\n          schema: ${JSON.stringify(schema)}\n`)).builtInModels.get('lm');
    expect(inline?.decoding).toEqual(fromFile?.decoding);
  });

  it('refuses at suite load a schema keyword the decoder cannot enforce, naming the file and the keyword', () => {
    writeFileSync(path.join(dir, 'pattern.json'), JSON.stringify({ name: 'answer', schema: { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z]+$' } } } }));
    const file = suite('        type: json_schema\n        json_schema_file: pattern.json\n');
    expect(() => loadSuite(file)).toThrow(SuiteError);
    expect(() => loadSuite(file)).toThrow(`${path.join(dir, 'pattern.json')}: models[lm].decoding.response_format: schema /properties/id: unsupported keyword 'pattern'`);
    const inline = suite('        type: json_schema\n        json_schema:\n          name: answer\n          schema: {type: string, format: date}\n');
    expect(() => loadSuite(inline)).toThrow(`${inline}: models[lm].decoding.response_format: schema /: unsupported keyword 'format'`);
  });

  it('takes no json_object format (it has no schema to follow)', () => {
    expect(TransformersModelSpec.safeParse({ provider: 'transformers', path: 'm', decoding: { response_format: { type: 'json_object' } } }).success).toBe(false);
  });
});
