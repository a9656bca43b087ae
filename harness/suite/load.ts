import path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { promptTemplatesProblem } from '../../datasets/sampleFields.js';
import { hashOf, sha256 } from '../../core/hash.js';
import { parseJsonFile } from '../../core/io/json.js';
import { InputRecordError } from '../../core/io/jsonl.js';
import { readInputText } from '../../core/io/readInput.js';
import { parseYamlFile } from '../../core/io/yaml.js';
import { JsonSchemaObject, Suite, type ModelSpec } from './schema.js';

/** A suite as the runner needs it: validated, with its files read and its hashes computed. */
export interface LoadedSuite {
  file: string;
  baseDir: string;
  suite: Suite;
  prompt: { system?: string; user: string };
  /** sha256 over both template texts: two runs with equal prompt hashes rendered the same templates. */
  promptHash: string;
  /** Resolved `response_format` per model id (schema files read in). */
  responseFormats: Map<string, unknown>;
}

export class SuiteError extends Error {
  override name = 'SuiteError';
}

/** `file:line:col: path.to.field: message` for every issue, so editors can jump to it. */
export function describeIssues(file: string, source: string, issues: z.core.$ZodIssue[]): string {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  return issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
      let node: unknown = doc.getIn(issue.path as (string | number)[], true);
      // A missing key has no node: point at its parent instead.
      for (let up = issue.path.length - 1; !isNode(node) && up >= 0; up--) node = doc.getIn(issue.path.slice(0, up) as (string | number)[], true);
      const range = isNode(node) ? node.range : undefined;
      const pos = range ? lines.linePos(range[0]) : { line: 1, col: 1 };
      return `${file}:${pos.line}:${pos.col}: ${where}: ${issue.message}`;
    })
    .join('\n');
}

/** A problem found after parsing (a run's checks before its first write), located like a schema error. */
export function suiteProblem(file: string, problems: { path: (string | number)[]; message: string }[]): SuiteError {
  return new SuiteError(describeIssues(file, readInputText(file), problems as z.core.$ZodIssue[]));
}

function readRelative(baseDir: string, rel: string, what: string, suiteFile: string): string {
  const full = path.resolve(baseDir, rel);
  try {
    return readInputText(full);
  } catch (err) {
    if (err instanceof InputRecordError) throw new SuiteError(`${suiteFile}: ${what}: ${err.message}`);
    throw err;
  }
}

export function parseSuite(source: string, file: string): Suite {
  let document: unknown;
  try {
    document = parseYamlFile(source, file);
  } catch (err) {
    if (err instanceof InputRecordError) throw new SuiteError(err.message);
    throw err;
  }
  const result = Suite.safeParse(document);
  if (!result.success) throw new SuiteError(describeIssues(file, source, result.error.issues));
  return result.data;
}

export function loadSuite(file: string): LoadedSuite {
  let source: string;
  try {
    source = readInputText(file);
  } catch (err) {
    if (err instanceof InputRecordError) throw new SuiteError(err.message);
    throw err;
  }
  const suite = parseSuite(source, file);
  const baseDir = path.dirname(path.resolve(file));
  const prompt = {
    user: readRelative(baseDir, suite.prompt.user, 'prompt.user', file),
    ...(suite.prompt.system ? { system: readRelative(baseDir, suite.prompt.system, 'prompt.system', file) } : {}),
  };
  const templates = promptTemplatesProblem(prompt, suite.dataset.source);
  if (templates) throw suiteProblem(file, [{ path: ['prompt', templates.role], message: `${path.resolve(baseDir, suite.prompt[templates.role] ?? '')}: ${templates.problem}` }]);
  const responseFormats = new Map<string, unknown>();
  for (const model of suite.models) {
    if (model.provider !== 'openai' || !model.decoding.response_format) continue;
    const format = model.decoding.response_format;
    if ('json_schema_file' in format) {
      const where = `models[${model.id}].decoding.response_format.json_schema_file`;
      const full = path.resolve(baseDir, format.json_schema_file);
      let parsed: unknown;
      try {
        parsed = parseJsonFile(readRelative(baseDir, format.json_schema_file, where, file), full);
      } catch (err) {
        if (err instanceof InputRecordError) throw new SuiteError(`${err.message} (${where})`);
        throw err;
      }
      const jsonSchema = JsonSchemaObject.safeParse(parsed);
      if (!jsonSchema.success) {
        // The issue's code and path only: zod's message would quote the file's own keys.
        const issue = jsonSchema.error.issues[0];
        const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
        throw new SuiteError(`${full}: ${where}: expected {name, schema, strict?} (${issue?.code ?? 'invalid'}${at})`);
      }
      responseFormats.set(model.id, { type: 'json_schema', json_schema: jsonSchema.data });
    } else {
      responseFormats.set(model.id, format);
    }
  }
  return { file, baseDir, suite, prompt, promptHash: sha256(`${prompt.system ?? ''}\u0000${prompt.user}`), responseFormats };
}

/** The decoding parameters that change a model's outputs: what gates compare, and what the cache keys on. */
export function decodingOf(loaded: LoadedSuite, model: ModelSpec): Record<string, unknown> {
  if (model.provider === 'transformers') return { ...model.decoding, ...(model.chat_template_kwargs && { chat_template_kwargs: model.chat_template_kwargs }) };
  if (model.provider !== 'openai') return {};
  const { response_format: _rf, ...rest } = model.decoding;
  const responseFormat = loaded.responseFormats.get(model.id);
  return responseFormat === undefined ? rest : { ...rest, response_format: responseFormat };
}

/**
 * Everything that defines "the same run" of one model: task, dataset spec, prompts, model identity and
 * decoding. Operational knobs (batch size, concurrency, timeouts, retries, response size cap) are left out so changing
 * them still resumes the stored run.
 */
export function configHashOf(loaded: LoadedSuite, model: ModelSpec): string {
  const { batch_size: _b, ...identity } = model as ModelSpec & Record<string, unknown>;
  for (const knob of ['concurrency', 'timeout_ms', 'max_retries', 'max_response_bytes', 'decoding']) delete identity[knob];
  return hashOf({
    suite: loaded.suite.name,
    version: loaded.suite.version,
    task: loaded.suite.task,
    dataset: loaded.suite.dataset,
    promptHash: loaded.promptHash,
    model: identity,
    decoding: decodingOf(loaded, model),
  });
}
