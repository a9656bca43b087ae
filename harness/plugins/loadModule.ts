/**
 * The one way logbench imports a user's module (a provider or a metric a suite names): TypeScript
 * or JavaScript, through tsx, so a suite can name `./my_provider.ts` on plain Node 20 without a
 * build step. The caller checks what the module exports.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sha256 } from '../../core/hash.js';
import { readInputText } from '../../core/io/readInput.js';

/** A user's module as imported: its exports and what identifies its code. */
export interface PluginModule {
  exports: Record<string, unknown>;
  /** The module file's absolute path, or the package name as the suite wrote it. */
  module: string;
  /** sha256 of the module file's text: edited code is other code (another run, other cached answers). */
  codeHash: string;
}

const loaded = new Map<string, Promise<PluginModule>>();

/**
 * The module `specifier` names: a path (relative ones resolve against `baseDir`, the suite's
 * folder) or a package name (resolved from `baseDir`). Each module is imported once per process.
 * A path is read by the core reader's rules first (a regular file under the size limit for
 * hand-written files), so a FIFO or /dev/zero is refused before the loader opens it. Rejects with
 * the reader's or the loader's first message line when the module cannot be read, found or run.
 */
export function importPluginModule(specifier: string, baseDir: string): Promise<PluginModule> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const key = isPath ? path.resolve(baseDir, specifier) : `${baseDir}\u0000${specifier}`;
  let module = loaded.get(key);
  if (module === undefined) {
    module = isPath ? importFile(key) : importPackage(specifier, baseDir);
    loaded.set(key, module);
  }
  return module;
}

/** The exports of the module `specifier` names (see {@link importPluginModule}). */
export async function loadPluginModule(specifier: string, baseDir: string): Promise<Record<string, unknown>> {
  return (await importPluginModule(specifier, baseDir)).exports;
}

async function importFile(file: string): Promise<PluginModule> {
  const code = readInputText(file);
  const exports = await importModule(pathToFileURL(file).href, pathToFileURL(path.dirname(file) + path.sep).href);
  return { exports, module: file, codeHash: sha256(code) };
}

async function importPackage(name: string, baseDir: string): Promise<PluginModule> {
  // The package's entry file is known only once the loader has resolved it: its first import.
  let entry: string | undefined;
  const exports = await importModule(name, pathToFileURL(path.join(path.resolve(baseDir), path.sep)).href, (url) => {
    entry ??= url;
  });
  if (entry === undefined || !entry.startsWith('file:')) throw new Error(`${name}: the loader did not say which file it imported`);
  return { exports, module: name, codeHash: sha256(readInputText(fileURLToPath(entry))) };
}

async function importModule(specifier: string, parentURL: string, onImport?: (url: string) => void): Promise<Record<string, unknown>> {
  // Imported on first use: tsx costs ~90 ms to load, and most suites name no module.
  const { tsImport } = await import('tsx/esm/api');
  let namespace: Record<string, unknown>;
  try {
    namespace = (await tsImport(specifier, { parentURL, ...(onImport && { onImport }) })) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.split('\n')[0] ?? message);
  }
  // A .ts file outside any `"type": "module"` package is compiled to CommonJS: its ESM exports
  // then arrive wrapped in `default` (marked __esModule), and are unwrapped here.
  const wrapped = namespace.default as Record<string, unknown> | undefined;
  if (typeof wrapped === 'object' && wrapped !== null && wrapped.__esModule === true) return wrapped;
  return namespace;
}
