import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../core/hash.js';
import { renderTemplate } from '../../prompts/render.js';
import { DATASET_FIXTURES, loadFixtureDataset } from '../../test/support/dataset-fixtures.js';

const records = path.join(DATASET_FIXTURES, 'sharegpt/records.json');
const bad = path.join(DATASET_FIXTURES, 'sharegpt/bad-records.json');

describe('sharegpt loader', () => {
  it('takes the first human turn as input and the next gpt turn as reference (CRLF JSON)', async () => {
    const split = await loadFixtureDataset({ source: 'sharegpt', path: 'sharegpt/records.json' });
    expect(split.samples.map((s) => s.id)).toEqual(['records-0000', 'records-0001', 'records-0002']);
    expect(split.samples[1]).toEqual({ id: 'records-0001', input: 'kernel: oops', reference: '{"risk_score": 40}', meta: { file: 'records.json', record: 1 } });
    expect(split.skipped).toEqual([]);
  });

  it('names the file and record of a conversation without a gpt turn', async () => {
    await expect(loadFixtureDataset({ source: 'sharegpt', path: 'sharegpt/bad-records.json' })).rejects.toThrow(
      `${bad}: record 1: field "conversations": no gpt turn after the human turn`,
    );
  });

  it('names the human turn that does not match the strip_prompt template', async () => {
    await expect(loadFixtureDataset({ source: 'sharegpt', path: 'sharegpt/records.json', strip_prompt: 'sharegpt/logs-prompt.txt' })).rejects.toThrow(
      /records\.json: record 1: field "conversations\.1\.value": does not match strip_prompt .*logs-prompt\.txt: text before \{\{input\}\} differs from the template at char 0/,
    );
  });

  it('with skip_invalid keeps the good records and lists every skipped one with its reason', async () => {
    const split = await loadFixtureDataset({ source: 'sharegpt', path: 'sharegpt/bad-records.json', strip_prompt: 'sharegpt/logs-prompt.txt', skip_invalid: true });
    expect(split.samples.map((s) => [s.id, s.input])).toEqual([['bad-records-0000', 'ok line']]);
    expect(split.skipped.map((s) => s.record)).toEqual([`${bad}: record 1`, `${bad}: record 2`, `${bad}: record 3`]);
    expect(split.skipped[1]?.reason).toMatch(/^field "conversations\.0\.value": /);
    expect(split.skipped[2]?.reason).toMatch(/does not match strip_prompt/);
  });

  it('rejects a document that is not an array', async () => {
    await expect(loadFixtureDataset({ source: 'sharegpt', path: 'sharegpt/not-an-array.json' })).rejects.toThrow(/not-an-array\.json: expected a JSON array/);
  });

  it('names a missing file', async () => {
    await expect(loadFixtureDataset({ source: 'sharegpt', path: 'sharegpt/absent.json' })).rejects.toThrow(/sharegpt\/absent\.json: no such file/);
  });
});

describe('FPT student prompt with strip_prompt', () => {
  const promptFile = fileURLToPath(new URL('../../prompts/fpt_student_json_analysis.txt', import.meta.url));
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'logbench-sharegpt-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('is FPT prompts/student_prompts/json_analysis.txt byte for byte, [LOG_CONTENT] written {{input}}', async () => {
    const template = await readFile(promptFile, 'utf8');
    // sha256 of fpt-corp/ai-studio 550f195 tutorials/log-tracking-and-alert-using-qwen3/prompts/student_prompts/json_analysis.txt
    expect(sha256(template.replace('{{input}}', '[LOG_CONTENT]'))).toBe('e03841bdd4a320c202616cc9e423dd30437b0576b51f2adac6570c448d75053c');
  });

  it('cuts exactly the rendered log chunk back out of a ShareGPT human turn', async () => {
    const template = await readFile(promptFile, 'utf8');
    const chunks = await loadFixtureDataset({ source: 'loghub-chunks', system: 'OpenSSH', count: 3 });
    const conversations = chunks.samples.map((chunk) => ({
      conversations: [
        { from: 'human', value: renderTemplate(template, { input: chunk.input }) },
        { from: 'gpt', value: '{"risk_score": 90, "should_alert_user": true}' },
      ],
    }));
    const file = path.join(tmp, 'synthetic.json');
    await writeFile(file, JSON.stringify(conversations));
    const split = await loadFixtureDataset({ source: 'sharegpt', path: file, strip_prompt: promptFile });
    expect(split.samples.map((s) => s.input)).toEqual(chunks.samples.map((c) => c.input));
  });
});
