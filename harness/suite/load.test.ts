import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSuite, parseSuite, SuiteError } from './load.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A suite whose response-format schema file holds `schemaText`; returns the message loadSuite fails with. */
function loadError(schemaText: string): { message: string; schemaFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-load-'));
  dirs.push(dir);
  const schemaFile = path.join(dir, 'not-a-schema');
  writeFileSync(schemaFile, schemaText);
  writeFileSync(path.join(dir, 'p.txt'), '{{input}}');
  const suite = path.join(dir, 's.yaml');
  writeFileSync(
    suite,
    `name: s\ntask: text\ndataset:\n  source: jsonl\n  path: d.jsonl\n  input_field: x\n  reference_field: y\nprompt:\n  user: p.txt\nmodels:\n` +
      `  - id: m\n    provider: openai\n    model: m\n    endpoint: http://127.0.0.1:8000/v1\n    decoding:\n      response_format:\n` +
      `        type: json_schema\n        json_schema_file: ${schemaFile}\n`,
  );
  try {
    loadSuite(suite);
  } catch (err) {
    expect(err).toBeInstanceOf(SuiteError);
    return { message: (err as Error).message, schemaFile };
  }
  throw new Error('loaded');
}

describe('loadSuite with a json_schema_file that is some other file', () => {
  const where = 'models[m].decoding.response_format.json_schema_file';

  it('names the file and position of a JSON error, never its text', () => {
    const passwd = loadError('root:x:0:0:SECRET-ROOT-LINE:/root:/bin/bash\n');
    expect(passwd.message).toBe(`${passwd.schemaFile}: not valid JSON (unexpected character) (${where})`);
    const key = loadError('{"name": "k",\n "schema": {"k": "-----BEGIN PRIVATE KEY----- SECRET-KEY-BODY\n"}}');
    expect(key.message).toBe(`${key.schemaFile}:2:62: not valid JSON (Bad control character in string literal) (${where})`);
    const cut = loadError('{"name": "SECRET-CUT-SHORT"');
    expect(cut.message).toBe(`${cut.schemaFile}:1:28: not valid JSON (Expected ',' or '}' after property value) (${where})`);
  });

  it('names the kind and place of a shape error, never the keys the file holds', () => {
    const env = loadError('{"name": "x", "schema": {}, "SECRET_ENV_NAME": "SECRET-VALUE"}');
    expect(env.message).toBe(`${env.schemaFile}: ${where}: expected {name, schema, strict?} (unrecognized_keys)`);
    const wrong = loadError('{"name": 7, "schema": {}}');
    expect(wrong.message).toBe(`${wrong.schemaFile}: ${where}: expected {name, schema, strict?} (invalid_type at name)`);
  });
});

describe('parseSuite on a file that is not a suite', () => {
  it('names the file and position of a YAML error, never the source the parser quotes', () => {
    expect(() => parseSuite('HOME = .\n\n # comment\nsecret_line = SECRET-INI-VALUE\n', 'app.conf')).toThrow(/^app\.conf:\d+:\d+: YAML: [^:]*$/);
    expect(() => parseSuite('HOME = .\n\n # comment\nsecret_line = SECRET-INI-VALUE\n', 'app.conf')).not.toThrow(/SECRET/);
    expect(() => parseSuite('name: *SECRET-ALIAS-NAME\n', 'a.yaml')).toThrow(/^a\.yaml:1:7: YAML: Unresolved alias \(the anchor must be set before the alias\)$/);
  });
});

describe('loadSuite on a suite copied out of suites/', () => {
  const REPO_SUITES = path.resolve(import.meta.dirname, '../../suites');

  /** suites/default.yaml copied into a scratch folder, `edit` applied to its text. */
  function copiedDefault(edit: (text: string) => string = (text) => text): { dir: string; suite: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logbench-copied-'));
    dirs.push(dir);
    const suite = path.join(dir, 'default.yaml');
    writeFileSync(suite, edit(readFileSync(path.join(REPO_SUITES, 'default.yaml'), 'utf8')));
    return { dir, suite };
  }

  it('names the field, the absolute path it tried, the folder it resolved against and the fix', () => {
    const { dir, suite } = copiedDefault();
    const shipped = path.resolve(REPO_SUITES, '../prompts/logllm_classification.txt');
    expect(() => loadSuite(suite)).toThrow(SuiteError);
    expect(() => loadSuite(suite)).toThrow(
      `${suite}: prompt.user: ${path.join(path.dirname(dir), 'prompts/logllm_classification.txt')} does not exist ` +
        `(../prompts/logllm_classification.txt is relative to the suite file's folder, ${dir}); ` +
        `from logbench's suites/ it names ${shipped}: set it to that absolute path, or copy the file to ${path.join(path.dirname(dir), 'prompts/logllm_classification.txt')}`,
    );
  });

  it('finds its prompt once the fix is applied, and says plainly when a path leads nowhere at all', () => {
    const shipped = path.resolve(REPO_SUITES, '../prompts/logllm_classification.txt');
    const fixed = copiedDefault((text) => text.replace('user: ../prompts/logllm_classification.txt', `user: ${shipped}`));
    expect(loadSuite(fixed.suite).prompt.user).toBe(readFileSync(shipped, 'utf8'));
    const { dir, suite } = copiedDefault((text) => text.replace('user: ../prompts/logllm_classification.txt', 'user: prompts/mine.txt'));
    expect(() => loadSuite(suite)).toThrow(
      `${suite}: prompt.user: ${path.join(dir, 'prompts/mine.txt')} does not exist (prompts/mine.txt is relative to the suite file's folder, ${dir}); give it relative to that folder, or as an absolute path`,
    );
  });
});
