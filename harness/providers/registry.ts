/**
 * Every built-in provider, one line each. The suite schema's model entries and its JSON Schema are
 * derived from this list, and a run reaches its provider only through it (docs/DESIGN.md §7: adding
 * a provider is a definition and a line here). Suites may also name their own module.
 */
import { z } from 'zod';
import type { ProviderDefinition, ProviderSpec } from './definition.js';
import { onnxClassifierProvider } from './onnxClassifier.js';
import { openaiProvider } from './openai.js';
import { replayProvider } from './replay.js';
import { rulesProvider } from './rules.js';
import { transformersProvider } from './transformers.js';

export const PROVIDERS = [
  openaiProvider,
  rulesProvider,
  replayProvider,
  onnxClassifierProvider,
  transformersProvider,
] as const satisfies readonly ProviderDefinition<ProviderSpec>[];

export type BuiltInProviderName = (typeof PROVIDERS)[number]['name'];

const byName = new Map<string, ProviderDefinition>(PROVIDERS.map((provider) => [provider.name, provider as unknown as ProviderDefinition]));

/** The built-in provider of this name; undefined for any other name. */
export function builtInProvider(name: string): ProviderDefinition | undefined {
  return byName.get(name);
}

/** A provider's model entry less the suite's common fields: its spec with `provider: <name>` (refinements kept). */
export function providerEntrySpec(definition: ProviderDefinition): ProviderSpec {
  return definition.spec.safeExtend({ provider: z.literal(definition.name) });
}
