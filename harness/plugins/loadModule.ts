/**
 * The one way logbench imports a user's module (a provider or a metric a suite names): TypeScript
 * or JavaScript, through tsx, so a suite can name `./my_provider.ts` on plain Node 20 without a
 * build step. The caller checks what the module exports.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const loaded = new Map<string, Promise<Record<string, unknown>>>();

/**
 * The exports of the module `specifier` names: a path (relative ones resolve against `baseDir`, the
 * suite's folder) or a package name (resolved from `baseDir`). Each module is imported once per
 * process. Rejects with the loader's first message line when the module cannot be found or run.
 */
export function loadPluginModule(specifier: string, baseDir: string): Promise<Record<string, unknown>> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const key = isPath ? path.resolve(baseDir, specifier) : `${baseDir}\u0000${specifier}`;
  let module = loaded.get(key);
  if (module === undefined) {
    module = importModule(isPath ? pathToFileURL(key).href : specifier, pathToFileURL(path.join(path.resolve(baseDir), path.sep)).href);
    loaded.set(key, module);
  }
  return module;
}

async function importModule(specifier: string, parentURL: string): Promise<Record<string, unknown>> {
  // Imported on first use: tsx costs ~90 ms to load, and most suites name no module.
  const { tsImport } = await import('tsx/esm/api');
  let namespace: Record<string, unknown>;
  try {
    namespace = (await tsImport(specifier, parentURL)) as Record<string, unknown>;
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
