import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RenderedRequest } from '../../core/prediction.js';
import { requestHash } from '../run/requests.js';
import { cacheIdentityOf, configHashOf, loadSuite, parseSuite, resolveModels } from '../suite/load.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const head = `name: s\ntask: text\ndataset:\n  source: jsonl\n  path: d.jsonl\n  input_field: x\n  reference_field: y\nprompt:\n  user: p.txt\nmodels:\n`;
const model = (where: string, extra = '') => `  - id: m\n    provider: openai\n    model: served-name\n${where}${extra}`;

/** The run's config hash and the cache identity of a suite whose one model is served `where`. */
async function identityOf(where: string, extra = ''): Promise<{ config: string; cache: unknown }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-openai-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'p.txt'), '{{input}}');
  const file = path.join(dir, 's.yaml');
  writeFileSync(file, head + model(where, extra));
  const loaded = loadSuite(file);
  const [resolved] = await resolveModels(loaded);
  return { config: configHashOf(loaded, resolved!), cache: cacheIdentityOf(loaded, resolved!, {}) };
}

describe('openai provider: endpoint or replicas', () => {
  it('takes a list of endpoints, refusing one listed twice and a model with both or neither field, each with its place', () => {
    const suite = parseSuite(head + model('    endpoints: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1]\n'), 's.yaml');
    expect(suite.models[0]).toMatchObject({ endpoints: ['http://10.0.0.1:8000/v1', 'http://10.0.0.2:8000/v1'] });
    expect(() => parseSuite(head + model('    endpoint: http://a:8000/v1\n    endpoints: [http://b:8000/v1]\n'), 's.yaml')).toThrow(
      /^s\.yaml:\d+:\d+: models\[0\]\.endpoints: give either endpoint \(one server\) or endpoints \(replicas of one model\), not both or neither$/m,
    );
    expect(() => parseSuite(head + model(''), 's.yaml')).toThrow(/models\[0\]\.endpoint: give either endpoint/);
    // The same URL written two ways (the default port) is one replica; its credentials are not quoted.
    expect(() => parseSuite(head + model('    endpoints: [http://u:pw-secret@a/v1, "http://u:pw-secret@a:80/v1"]\n'), 's.yaml')).toThrow(
      /models\[0\]\.endpoints\[1\]: http:\/\/a\/v1 is listed twice/,
    );
    expect(() => parseSuite(head + model('    endpoints: []\n'), 's.yaml')).toThrow(/models\[0\]\.endpoints/);
    expect(() => parseSuite(head + model('    endpoints: [not a url]\n'), 's.yaml')).toThrow(/models\[0\]\.endpoints\[0\]: an http\(s\) URL/);
  });

  // Computed for these suites by the code of 79d4d5b, before replicas: runs and answers stored then must
  // still be found. A credential in the URL was part of both keys (hashed, never stored), so it stays.
  it('keeps the run key and cache key of a single-endpoint model as they were before replicas', async () => {
    const request = { sample: { id: 'x', input: 'hi' }, messages: [{ role: 'user', content: 'hi' }] } as unknown as RenderedRequest;
    const keysOf = async (where: string) => {
      const { config, cache } = await identityOf(where);
      return { config, cache: requestHash(cache as Parameters<typeof requestHash>[0], request) };
    };
    expect(await keysOf('    endpoint: http://10.0.0.1:8000/v1\n')).toEqual({
      config: 'b174f3c7f4716ce11515a58d2819516f13a9f7bfcd2af643a1e88544299b0142',
      cache: 'baa067597d6188a8e87eb0702affdb2c3d67dc46883cb9fd7cf37e47f245f96c',
    });
    expect(await keysOf('    endpoint: "http://u:pw-secret@10.0.0.1:8000/v1?key=k-secret"\n    variant: base\n    metrics_url: http://10.0.0.1:8000/metrics\n')).toEqual({
      config: '12fa1725ffadee129e507353da5481b13999b04162128332da52ba0999f4e1f9',
      cache: '8eeb866df6ff214d6361fd6040b82fd561f60a8378ec789d749ce9b12a4e7493',
    });
  });

  it('holds the set of endpoints in the run identity and cache key: replicas in any order are one, another set is another', async () => {
    const alone = await identityOf('    endpoint: http://10.0.0.1:8000/v1\n');
    const listedAlone = await identityOf('    endpoints: [http://10.0.0.1:8000/v1]\n');
    const pair = await identityOf('    endpoints: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1]\n');
    const reversed = await identityOf('    endpoints: [http://10.0.0.2:8000/v1, http://10.0.0.1:8000/v1]\n');
    const moved = await identityOf('    endpoint: http://10.0.0.1:8001/v1\n');
    // A set of one is the same deployment whichever field lists it; replicas in another order are the same set.
    expect(listedAlone).toEqual(alone);
    expect(reversed).toEqual(pair);
    expect(pair.cache).toMatchObject({ provider: 'openai', model: 'served-name', endpoints: ['http://10.0.0.1:8000/v1', 'http://10.0.0.2:8000/v1'] });
    // Another port may serve other weights under the same `model` name (llama-server ignores it): never the same answers.
    for (const other of [pair, moved]) {
      expect(other.config).not.toBe(alone.config);
      expect(other.cache).not.toEqual(alone.cache);
    }
    // The variant names the run, as before replicas; the cache keys on where the answers come from.
    const variant = await identityOf('    endpoint: http://10.0.0.1:8000/v1\n', '    variant: fine-tuned\n');
    expect(variant.config).not.toBe(alone.config);
    expect(variant.cache).toEqual(alone.cache);
  });

  it('holds metrics_url in the run identity as before replicas, a list of them as a set; the cache key not', async () => {
    const pair = '    endpoints: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1]\n';
    const unwatched = await identityOf(pair);
    const watched = await identityOf(pair, '    metrics_url: [http://10.0.0.1:8000/metrics, http://10.0.0.2:8000/metrics]\n');
    const reversed = await identityOf(pair, '    metrics_url: [http://10.0.0.2:8000/metrics, http://10.0.0.1:8000/metrics]\n');
    expect(watched.config).not.toBe(unwatched.config);
    expect(reversed).toEqual(watched);
    expect(watched.cache).toEqual(unwatched.cache);
    const one = await identityOf('    endpoint: http://10.0.0.1:8000/v1\n', '    metrics_url: http://10.0.0.1:8000/metrics\n');
    expect(await identityOf('    endpoint: http://10.0.0.1:8000/v1\n', '    metrics_url: [http://10.0.0.1:8000/metrics]\n')).toEqual(one);
  });
});
