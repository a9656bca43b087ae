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

  it('takes a verdict_metric that is a figure of the suite, and names the field of one that is not (#15 review)', () => {
    expect(parseSuite(minimal + 'verdict_metric: recall\n', 's.yaml').verdict_metric).toBe('recall');
    expect(() => parseSuite(minimal + 'verdict_metric: rougeL\n', 'suites/x.yaml')).toThrow(/^suites\/x\.yaml:\d+:\d+: verdict_metric: verdict_metric rougeL is not a figure of this suite's metrics \(they give: answer_parse_rate, accuracy, /m);
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

describe('suite schema ranges', () => {
  const openai = (fields: string) =>
    minimal + `  - id: m\n    provider: openai\n    model: x\n    endpoint: http://127.0.0.1:8000/v1\n${fields.replace(/^/gm, '    ')}\n`;
  const refusal = (source: string): string => {
    try {
      parseSuite(source, 'r.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(SuiteError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('refuses a timeout Node would turn into 1 ms, and every count or duration past its bound, naming file:line:col', () => {
    expect(refusal(openai('timeout_ms: 2147483648'))).toMatch(/^r\.yaml:15:17: models\[1\]\.timeout_ms: .*86400000/);
    expect(refusal(openai('concurrency: 100000'))).toMatch(/^r\.yaml:15:18: models\[1\]\.concurrency: /);
    expect(refusal(openai('max_retries: 1e9'))).toMatch(/^r\.yaml:15:18: models\[1\]\.max_retries: /);
    expect(refusal(openai('max_response_bytes: 1e12'))).toMatch(/^r\.yaml:15:25: models\[1\]\.max_response_bytes: /);
    expect(refusal(openai('max_response_bytes: 10'))).toMatch(/models\[1\]\.max_response_bytes: /);
    expect(refusal(openai('batch_size: 1e9'))).toMatch(/^r\.yaml:15:17: models\[1\]\.batch_size: /);
    expect(refusal(openai('decoding:\n  seed: 1e300'))).toMatch(/^r\.yaml:16:13: models\[1\]\.decoding\.seed: /);
    expect(refusal(minimal + 'statistics:\n  resamples: 1e12\n')).toMatch(/^r\.yaml:12:14: statistics\.resamples: /);
    expect(refusal(minimal + 'statistics:\n  seed: 1e20\n')).toMatch(/^r\.yaml:12:9: statistics\.seed: /);
    // One or two resamples: intervals that miss their own point, p-values of 0 that flip gates.
    for (const resamples of [1, 2, 99]) {
      expect(refusal(minimal + `statistics:\n  resamples: ${resamples}\n`)).toMatch(/^r\.yaml:12:14: statistics\.resamples: 0 \(no stored intervals\) or at least 100/);
    }
    expect(refusal(minimal + 'telemetry:\n  gpu_sample_ms: 4294967296\n')).toMatch(/^r\.yaml:12:18: telemetry\.gpu_sample_ms: /);
  });

  it('accepts the bounds themselves and caps answers at 4 MiB by default', () => {
    const suite = parseSuite(openai('timeout_ms: 86400000\nconcurrency: 256\nmax_retries: 100\nmax_response_bytes: 1073741824'), 'ok.yaml');
    expect(suite.models[1]).toMatchObject({ timeout_ms: 86_400_000, concurrency: 256, max_retries: 100, max_response_bytes: 1024 ** 3 });
    expect(parseSuite(openai('concurrency: 1'), 'ok.yaml').models[1]).toMatchObject({ max_response_bytes: 4 * 1024 * 1024 });
    for (const resamples of [0, 100]) expect(parseSuite(minimal + `statistics:\n  resamples: ${resamples}\n`, 'ok.yaml').statistics.resamples).toBe(resamples);
  });
});

describe('suite model entries', () => {
  const refusal = (models: string): string => {
    try {
      parseSuite(minimal + models, 'm.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(SuiteError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('names the field of a built-in or plugin entry, not just the entry', () => {
    expect(refusal('  - id: m\n    provider: rules\n    path: x\n')).toMatch(/^m\.yaml:11:5: models\[1\]: Unrecognized key: "path"$/);
    expect(refusal('  - id: m\n    provider: nope\n')).toMatch(/^m\.yaml:12:15: models\[1\]\.provider: /);
    expect(refusal('  - id: m\n    provider:\n      modul: x.ts\n')).toMatch(/^m\.yaml:13:7: models\[1\]\.provider: Unrecognized key: "modul"/m);
  });

  it('keeps a plugin entry\'s own fields for its module to check', () => {
    const suite = parseSuite(minimal + '  - id: m\n    provider:\n      module: ./p.ts\n    prefix: x\n', 'p.yaml');
    expect(suite.models[1]).toEqual({ id: 'm', batch_size: 16, provider: { module: './p.ts' }, prefix: 'x' });
  });
});
