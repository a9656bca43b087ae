import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('keeps the run identity and cache key of a model whatever serves it: one endpoint, replicas in any order', async () => {
    const alone = await identityOf('    endpoint: http://10.0.0.1:8000/v1\n');
    const pair = await identityOf('    endpoints: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1]\n');
    const reversed = await identityOf('    endpoints: [http://10.0.0.2:8000/v1, http://10.0.0.1:8000/v1]\n');
    const moved = await identityOf('    endpoint: http://10.9.9.9:9000/v1\n');
    const watched = await identityOf('    endpoints: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1]\n', '    metrics_url: [http://10.0.0.1:8000/metrics, http://10.0.0.2:8000/metrics]\n');
    for (const other of [pair, reversed, moved, watched]) expect(other).toEqual(alone);
    expect(alone.cache).toMatchObject({ provider: 'openai', model: 'served-name' });
    // What does tell deployments apart: the served name, and a variant where two share one name.
    const variant = await identityOf('    endpoint: http://10.0.0.1:8000/v1\n', '    variant: fine-tuned\n');
    expect(variant.config).not.toBe(alone.config);
    expect(variant.cache).not.toEqual(alone.cache);
  });
});
