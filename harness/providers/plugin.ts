/** A provider from the user's own module (`provider: {module: ./my_provider.ts}` in a suite). */
import { z } from 'zod';
import { loadPluginModule } from '../plugins/loadModule.js';
import type { ProviderDefinition } from './definition.js';
import { builtInProvider } from './registry.js';

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'expected a function');
/** The runtime shape of a ProviderDefinition: a module is plain JavaScript by the time it is loaded. */
const ProviderShape = z.looseObject({
  name: z.string().min(1).refine((name) => builtInProvider(name) === undefined, 'is a built-in provider\'s name'),
  spec: z.custom((value) => typeof (value as { safeParse?: unknown } | null)?.safeParse === 'function' && typeof (value as { strict?: unknown }).strict === 'function', 'expected a zod object'),
  create: fn,
  cacheIdentity: fn.optional(),
  decoding: fn.optional(),
  notInRunIdentity: z.array(z.string()).optional(),
  problem: fn.optional(),
  serverMetrics: fn.optional(),
  runRecord: fn.optional(),
});

/**
 * The definition a plugin module exports as `default` (or as `provider`), checked at run time
 * against the shape of the ProviderDefinition type the built-in providers are written with.
 */
export async function loadProviderPlugin(specifier: string, baseDir: string): Promise<ProviderDefinition> {
  let exports: Record<string, unknown>;
  try {
    exports = await loadPluginModule(specifier, baseDir);
  } catch (err) {
    throw new Error(`cannot load ${specifier}: ${(err as Error).message}`);
  }
  const candidate = exports['default'] ?? exports['provider'];
  if (candidate === undefined) throw new Error(`${specifier} has no default export and no export named provider`);
  const parsed = ProviderShape.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${specifier}: its default (or \`provider\`) export is not a provider definition: ${issue?.path.join('.') || 'export'}: ${issue?.message}`);
  }
  return candidate as ProviderDefinition;
}
