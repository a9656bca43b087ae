import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { suiteJsonSchema } from './jsonSchema.js';
import { parseSuite, SuiteError } from './load.js';

const minimal = `name: s
task: classification
dataset:
  source: loghub-windows
  system: BGL
prompt:
  user: p.txt
models:
  - id: rules
    provider: rules
`;

describe('suite schema', () => {
  it('fills defaults', () => {
    const suite = parseSuite(minimal, 's.yaml');
    expect(suite.models[0]).toMatchObject({ id: 'rules', provider: 'rules', batch_size: 16 });
    expect(suite.max_error_rate).toBe(0.05);
  });

  it('names the file, line, column and YAML path of a bad value', () => {
    const bad = minimal + `  - id: qwen
    provider: openai
    model: Qwen/Qwen3-4B-Instruct-2507
    endpoint: not a url
    decoding:
      temperature: 7
`;
    let message = '';
    try {
      parseSuite(bad, 'suites/x.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(SuiteError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/^suites\/x\.yaml:14:15: models\[1\]\.endpoint: /m);
    expect(message).toMatch(/^suites\/x\.yaml:16:20: models\[1\]\.decoding\.temperature: .*2/m);
  });

  it('points at the parent of a missing field and rejects unknown keys', () => {
    expect(() => parseSuite(minimal.replace('  user: p.txt\n', '  usr: p.txt\n'), 'a.yaml')).toThrow(/a\.yaml:7:3: prompt/);
    expect(() => parseSuite(minimal + 'extra: 1\n', 'a.yaml')).toThrow(/Unrecognized key.*extra/);
  });

  it('refuses an API key where an environment variable name belongs, and duplicate model ids', () => {
    const withKey = minimal + `  - id: m\n    provider: openai\n    model: x\n    endpoint: http://127.0.0.1:8000/v1\n    api_key_env: sk-abc123\n`;
    expect(() => parseSuite(withKey, 'k.yaml')).toThrow(/api_key_env: an environment variable name, not a key/);
    expect(() => parseSuite(minimal + '  - id: rules\n    provider: rules\n', 'd.yaml')).toThrow(/model ids must be unique/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseSuite('name: [unclosed\n', 'y.yaml')).toThrow(/^y\.yaml:\d+:\d+: YAML: /);
  });

  it('is exported as the JSON Schema committed in suites/schema.json (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../suites/schema.json', import.meta.url), 'utf8')) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(suiteJsonSchema())));
  });
});
