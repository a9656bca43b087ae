import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../store/index.js';
import { describeDifferences, runDifferences, sampleDifference } from './comparability.js';

const baseline: StoredRun = {
  id: 'base',
  runKey: 'key-base',
  suiteName: 'suite',
  suitePath: null,
  modelId: 'base',
  variant: null,
  provider: 'openai',
  modelName: 'base',
  endpoint: 'http://localhost/v1',
  task: 'json-analysis',
  status: 'completed',
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
  gitSha: null,
  gitDirty: null,
  harnessVersion: '0.1.0',
  nodeVersion: 'v20.0.0',
  host: 'ci',
  gpuName: null,
  configHash: 'config-base',
  splitHash: 'a'.repeat(64),
  promptHash: 'b'.repeat(64),
  decoding: { temperature: 0.3, max_tokens: 256 },
  suite: {},
  selection: null,
};

describe('comparability', () => {
  it('lets model identity differ but nothing that changes what was measured', () => {
    const candidate = { ...baseline, id: 'tuned', modelId: 'tuned', configHash: 'config-tuned', endpoint: 'http://elsewhere/v1', decoding: { max_tokens: 256, temperature: 0.3 } };
    expect(runDifferences(candidate, baseline)).toEqual([]);
  });

  it('names each difference: task, split hash, prompt hash, decoding', () => {
    const candidate = { ...baseline, task: 'text', splitHash: 'c'.repeat(64), promptHash: null, decoding: { temperature: 0.7, max_tokens: 256 } };
    const differences = runDifferences(candidate, baseline);
    expect(differences.map((d) => d.what)).toEqual(['task', 'split', 'prompt', 'decoding']);
    expect(describeDifferences(differences)).toBe(
      'task differs (candidate text, baseline json-analysis); ' +
        'split hash differs (candidate ccccccccccc…, baseline aaaaaaaaaaa…); ' +
        'prompt hash differs (candidate none, baseline bbbbbbbbbbb…); ' +
        'decoding differs (candidate vs baseline): temperature 0.7 vs 0.3',
    );
  });

  it('names the differing decoding keys even when both decodings share a long common start', () => {
    const shared = { stop: ['</answer>', '\n\n\n'], top_p: 0.95, presence_penalty: 0, frequency_penalty: 0, response_format: { type: 'json_object' } };
    const differences = runDifferences(
      { ...baseline, decoding: { ...shared, temperature: 0, max_tokens: 256 } },
      { ...baseline, decoding: { ...shared, temperature: 0.7, max_tokens: 512, seed: 1 } },
    );
    expect(describeDifferences(differences)).toBe('decoding differs (candidate vs baseline): max_tokens 256 vs 512, seed unset vs 1, temperature 0 vs 0.7');
  });

  it('needs predictions for the same samples', () => {
    expect(sampleDifference(['s1', 's2'], ['s1', 's2'])).toBeNull();
    expect(sampleDifference(['s1', 's2'], ['s1', 's2', 's3'])).toEqual({ what: 'samples', candidate: '2 samples', baseline: '3 samples, 2 in both' });
    expect(sampleDifference(['s1', 's4'], ['s1', 's2'])).toEqual({ what: 'samples', candidate: '2 samples', baseline: '2 samples, 1 in both' });
  });
});
