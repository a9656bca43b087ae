import { describe, expect, it } from 'vitest';
import { redactEndpoint, redactSecretsIn, redactSuite, redactUrlsIn, urlSecrets } from './endpoint.js';

describe('redactEndpoint', () => {
  it('drops userinfo, query and fragment, keeping scheme, host, port and path', () => {
    expect(redactEndpoint('https://user:sk-live-123@api.example.com:8443/v1/?api_key=sk-live-123&x=1#top')).toBe('https://api.example.com:8443/v1/');
    expect(redactEndpoint('http://localhost:8000/v1')).toBe('http://localhost:8000/v1');
  });

  it('cuts a query-like tail from something that is not a URL', () => {
    expect(redactEndpoint('models/classifier.onnx')).toBe('models/classifier.onnx');
    expect(redactEndpoint('localhost:8000/v1?key=secret')).not.toContain('secret');
  });
});

describe('redacting URLs and their secrets elsewhere', () => {
  const endpoint = 'http://alice:PASSWORD-9f2@127.0.0.1:8000/v1?token=TOKEN-77ab&api-version=2024-02-01';

  it('redacts every URL with credential parts in text, leaving plain URLs as written', () => {
    expect(redactUrlsIn(`POST ${endpoint} failed; see http://Docs.example.com/x.`)).toBe('POST http://127.0.0.1:8000/v1 failed; see http://Docs.example.com/x.');
    expect(redactUrlsIn('cut short: "https://k:SECRETKEY@/v1"')).toBe('cut short: "https:///v1"');
  });

  it('redacts every URL-valued string of a suite, at any depth, without touching the rest', () => {
    const suite = {
      name: 's',
      version: 2,
      models: [{ id: 'm', endpoint, metrics_url: 'https://host:9000/metrics#sk-FRAGMENT-1', concurrency: 8, stop: ['\n'] }],
      description: `served at ${endpoint}`,
    };
    const stored = JSON.stringify(redactSuite(suite));
    for (const secret of ['alice', 'PASSWORD-9f2', 'TOKEN-77ab', 'sk-FRAGMENT-1']) expect(stored).not.toContain(secret);
    expect(redactSuite(suite)).toEqual({
      ...suite,
      models: [{ ...suite.models[0], endpoint: 'http://127.0.0.1:8000/v1', metrics_url: 'https://host:9000/metrics' }],
      description: 'served at http://127.0.0.1:8000/v1',
    });
  });

  it('redacts a URL field whole and scrubs its secrets from every other string, whatever characters they hold', () => {
    // A quote ends a URL for a free-text pattern, and the rest of the password went through as text.
    const quoted = "http://usr:PA'SS-w0rd@127.0.0.1:8000/v1?token=TO'K-123&x=ab";
    const suite = {
      models: [{ id: 'm', endpoint: quoted, headers: { note: "user usr, password PA'SS-w0rd" } }],
      description: `copied from '${quoted}'`,
      prompt: { system: "TO'K-123 TO%27K-123" },
      data: '/usr/share/logs.jsonl',
    };
    const stored = redactSuite(suite);
    for (const secret of ["PA'SS-w0rd", "TO'K-123", 'TO%27K-123']) expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored.models[0]?.endpoint).toBe('http://127.0.0.1:8000/v1');
    expect(stored.models[0]?.headers.note).toBe('user usr, password [redacted]');
    expect(stored.description).toBe("copied from 'http://127.0.0.1:8000/v1'");
    expect(stored.prompt.system).toBe('[redacted] [redacted]');
    // Parts under 4 characters are only removed inside URLs: elsewhere they are ordinary text.
    expect(stored.data).toBe('/usr/share/logs.jsonl');
  });

  it("redacts the strings of fields whose name says secret (a plugin's api_key), not the names of variables that hold one", () => {
    const suite = {
      name: 's',
      models: [
        { id: 'openai', provider: 'openai', api_key_env: 'OPENAI_API_KEY', decoding: { max_tokens: 256 } },
        { id: 'plugin', provider: { module: './mine.ts' }, api_key: 'sk-live-SECRET123', headers: { Authorization: 'Bearer tok-ABCDEFGH' }, hfToken: ['hf_abcdefgh'], keywords: ['disk'], author: 'ops' },
      ],
      description: 'keyed with sk-live-SECRET123',
    };
    const stored = redactSuite(suite);
    expect(JSON.stringify(stored)).not.toMatch(/SECRET123|ABCDEFGH|hf_abcdefgh/);
    expect(stored).toEqual({
      ...suite,
      models: [suite.models[0], { ...suite.models[1], api_key: '[redacted]', headers: { Authorization: '[redacted]' }, hfToken: ['[redacted]'] }],
      description: 'keyed with [redacted]',
    });
  });

  it('lists the credential parts a server might echo, raw and decoded, and replaces them in text', () => {
    expect(urlSecrets('http://u:p%40ss-word@h/v1?token=a%2Fb-c-d&v=1').sort()).toEqual(['a%2Fb-c-d', 'a/b-c-d', 'p%40ss-word', 'p@ss-word'].sort());
    expect(urlSecrets('not a url')).toEqual([]);
    const secrets = urlSecrets(endpoint);
    expect(redactSecretsIn('404 no route POST /v1?token=TOKEN-77ab%2Fchat (user alice)', secrets)).toBe('404 no route POST /v1?token=[redacted]%2Fchat (user [redacted])');
    expect(redactSecretsIn('basic PASSWORD-9f2', secrets)).toBe('basic [redacted]');
  });
});
