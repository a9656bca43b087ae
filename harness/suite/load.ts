import path from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { promptTemplatesProblem } from '../../datasets/sampleFields.js';
import { hashOf, sha256 } from '../../core/hash.js';
import { InputRecordError } from '../../core/io/jsonl.js';
import { readInputText } from '../../core/io/readInput.js';
import { parseYamlFile } from '../../core/io/yaml.js';
import type { ProviderDefinition, ProviderModel } from '../providers/definition.js';
import { loadProviderPlugin, type ProviderPlugin } from '../providers/plugin.js';
import { builtInProvider } from '../providers/registry.js';
import { readSuiteFile, SuiteError } from './files.js';
import { modelEntryIssues, Suite, type BuiltInModelSpec, type ModelSpec, type PluginModelSpec } from './schema.js';

export { SuiteError } from './files.js';

/** A suite as the runner needs it: validated, with its files read and its hashes computed. */
export interface LoadedSuite {
  file: string;
  baseDir: string;
  suite: Suite;
  prompt: { system?: string; user: string };
  /** sha256 over both template texts: two runs with equal prompt hashes rendered the same templates. */
  promptHash: string;
  /** The models of built-in providers, by id, their decoding read in (schema files included); plugin models are resolved by `resolveModels`. */
  builtInModels: ReadonlyMap<string, ResolvedModel>;
}

/** A model entry with its provider: everything a run needs of it. */
export interface ResolvedModel {
  /** The suite's entry, as parsed. */
  entry: ModelSpec;
  definition: ProviderDefinition;
  /** The entry as the definition's functions take it: a plugin's fields parsed by its spec (defaults applied). */
  model: ProviderModel;
  /** The decoding parameters stored with the run: gates compare them, the cache keys on them. */
  decoding: Record<string, unknown>;
  /** A plugin's module (absolute path, or package name) and the sha256 of its code. Absent for a built-in provider. */
  plugin?: { module: string; codeHash: string };
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

export function parseSuite(source: string, file: string): Suite {
  let document: unknown;
  try {
    document = parseYamlFile(source, file);
  } catch (err) {
    if (err instanceof InputRecordError) throw new SuiteError(err.message);
    throw err;
  }
  const result = Suite.safeParse(document);
  if (!result.success) throw new SuiteError(describeIssues(file, source, modelEntryIssues(result.error.issues, document)));
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
    user: readSuiteFile(baseDir, suite.prompt.user, 'prompt.user', file),
    ...(suite.prompt.system ? { system: readSuiteFile(baseDir, suite.prompt.system, 'prompt.system', file) } : {}),
  };
  const templates = promptTemplatesProblem(prompt, suite.dataset.source);
  if (templates) throw suiteProblem(file, [{ path: ['prompt', templates.role], message: `${path.resolve(baseDir, suite.prompt[templates.role] ?? '')}: ${templates.problem}` }]);
  // Decoding is read now, so a bad schema file is refused before anything runs.
  const builtInModels = new Map<string, ResolvedModel>();
  for (const entry of suite.models) {
    const definition = typeof entry.provider === 'string' ? builtInProvider(entry.provider) : undefined;
    if (definition === undefined) continue;
    // A built-in entry is its provider's model as it stands (the suite schema parsed it with that spec).
    const model = entry as BuiltInModelSpec as unknown as ProviderModel;
    builtInModels.set(entry.id, { entry, definition, model, decoding: definition.decoding?.(model, { baseDir, suiteFile: file, where: `models[${entry.id}]` }) ?? {} });
  }
  return { file, baseDir, suite, prompt, promptHash: sha256(`${prompt.system ?? ''}\u0000${prompt.user}`), builtInModels };
}

/**
 * These entries of the suite with their providers: plugin modules are imported (and their fields
 * checked by their spec) here, the one async step of loading a suite. Errors name file:line:col.
 */
export async function resolveModels(loaded: LoadedSuite, entries: readonly ModelSpec[] = loaded.suite.models): Promise<ResolvedModel[]> {
  return Promise.all(entries.map((entry) => loaded.builtInModels.get(entry.id) ?? resolvePluginModel(loaded, entry as PluginModelSpec)));
}

async function resolvePluginModel(loaded: LoadedSuite, entry: PluginModelSpec): Promise<ResolvedModel> {
  const index = loaded.suite.models.indexOf(entry);
  const { id, variant, batch_size, provider, ...fields } = entry;
  let plugin: ProviderPlugin;
  try {
    plugin = await loadProviderPlugin(provider.module, loaded.baseDir);
  } catch (err) {
    throw suiteProblem(loaded.file, [{ path: ['models', index, 'provider', 'module'], message: (err as Error).message }]);
  }
  const { definition, module, codeHash } = plugin;
  // Strict like every built-in spec: a misspelt field is refused, not ignored.
  const parsed = definition.spec.strict().safeParse(fields);
  if (!parsed.success) throw suiteProblem(loaded.file, parsed.error.issues.map((issue) => ({ path: ['models', index, ...(issue.path as (string | number)[])], message: issue.message })));
  const model: ProviderModel = { ...parsed.data, id, ...(variant !== undefined && { variant }), batch_size };
  return {
    entry,
    definition,
    model,
    decoding: definition.decoding?.(model, { baseDir: loaded.baseDir, suiteFile: loaded.file, where: `models[${id}]` }) ?? {},
    plugin: { module, codeHash },
  };
}

/** The model's fields that decide its answers: its entry less the batch size and the provider's operational knobs. */
function identityFields(resolved: ResolvedModel): Record<string, unknown> {
  const { batch_size: _b, ...identity }: Record<string, unknown> = { ...resolved.model, provider: resolved.entry.provider };
  for (const knob of resolved.definition.notInRunIdentity ?? []) delete identity[knob];
  // The entry's own fields win: the provider can only put back, in its form, what it left out.
  return { ...resolved.definition.runIdentity?.(resolved.model), ...identity };
}

/**
 * Everything that defines "the same run" of one model: task, dataset spec, prompts, model identity and
 * decoding. Operational knobs (batch size, concurrency, timeouts, retries, response size cap) are left out so changing
 * them still resumes the stored run.
 */
export function configHashOf(loaded: LoadedSuite, resolved: ResolvedModel): string {
  return hashOf({
    suite: loaded.suite.name,
    version: loaded.suite.version,
    task: loaded.suite.task,
    dataset: loaded.suite.dataset,
    promptHash: loaded.promptHash,
    model: identityFields(resolved),
    decoding: resolved.decoding,
    // A plugin's code decides its answers: edited code is another run, never a resumed mix.
    ...(resolved.plugin && { codeHash: resolved.plugin.codeHash }),
  });
}

/**
 * What the response cache keys on besides the messages, or null when the provider's answers are not
 * cached. A plugin's includes its module, its code's hash and its fields: two modules, two versions of
 * one module's code or two settings never share answers.
 */
export function cacheIdentityOf(loaded: LoadedSuite, resolved: ResolvedModel, env: NodeJS.ProcessEnv): { provider: string; decoding: unknown } & Record<string, unknown> | null {
  const { definition, model, decoding } = resolved;
  const identity = definition.cacheIdentity?.(model, { baseDir: loaded.baseDir, env }) ?? null;
  if (identity === null) return null;
  // The spec's fields only: two model ids with equal settings share answers, as with built-in providers.
  const { id: _id, variant: _variant, provider: _provider, ...fields } = identityFields(resolved);
  const plugin = resolved.plugin === undefined ? {} : { ...resolved.plugin, fields };
  // The provider's keys first: a plugin cannot claim another's module, code or fields (and so its answers).
  return { ...identity, provider: definition.name, ...plugin, decoding };
}
