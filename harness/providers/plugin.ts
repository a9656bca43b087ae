/** A provider from the user's own module (`provider: {module: ./my_provider.ts}` in a suite). */
import { z } from 'zod';
import type { Prediction } from '../../core/prediction.js';
import { importPluginModule, type PluginModule } from '../plugins/loadModule.js';
import type { Runner } from '../runners/runner.js';
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
  runIdentity: fn.optional(),
  problem: fn.optional(),
  serverMetrics: fn.optional(),
  gpuMetrics: fn.optional(),
  runRecord: fn.optional(),
});

/** The definition's functions other than `create`, called as a run is set up. */
const SETUP_FUNCTIONS = ['cacheIdentity', 'runIdentity', 'decoding', 'problem', 'serverMetrics', 'gpuMetrics', 'runRecord'] as const;

const RunnerShape = z.looseObject({ runBatch: fn, close: fn.optional() });
/** What a plugin's `runBatch` may resolve with: Predictions (a `cached` claim is dropped: only the harness's cache sets it). */
const PluginAnswers = z.array(
  z.object({
    sampleId: z.string(),
    text: z.string().optional(),
    label: z.string().optional(),
    probs: z.record(z.string(), z.number()).optional(),
    latencyMs: z.number().min(0),
    tokensIn: z.number().optional(),
    tokensOut: z.number().optional(),
    error: z.string().optional(),
  }),
);

/** A provider plugin as loaded: its definition and what identifies its code. */
export interface ProviderPlugin extends Omit<PluginModule, 'exports'> {
  /** The module's definition; whatever its code throws names the module. */
  definition: ProviderDefinition;
}

/**
 * The definition a plugin module exports as `default` (or as `provider`), checked at run time
 * against the shape of the ProviderDefinition type the built-in providers are written with.
 */
export async function loadProviderPlugin(specifier: string, baseDir: string): Promise<ProviderPlugin> {
  let loaded: PluginModule;
  try {
    loaded = await importPluginModule(specifier, baseDir);
  } catch (err) {
    throw new Error(`cannot load ${specifier}: ${(err as Error).message}`);
  }
  const { exports, ...identity } = loaded;
  const candidate = exports['default'] ?? exports['provider'];
  if (candidate === undefined) throw new Error(`${specifier} has no default export and no export named provider`);
  const parsed = ProviderShape.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${specifier}: its default (or \`provider\`) export is not a provider definition: ${issue?.path.join('.') || 'export'}: ${issue?.message}`);
  }
  return { ...identity, definition: namingModule(candidate as ProviderDefinition, specifier) };
}

/** `err` as thrown by the plugin's `what`, its message led by the module's name. */
function fromPlugin(specifier: string, what: string, err: unknown): Error {
  return new Error(`${specifier}: ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** The definition with every call into the module's code wrapped, so what it throws or returns wrong names the module. */
function namingModule(definition: ProviderDefinition, specifier: string): ProviderDefinition {
  const named: Record<string, unknown> = {
    ...definition,
    async create(...args: Parameters<ProviderDefinition['create']>): Promise<Runner> {
      let runner: unknown;
      try {
        runner = await definition.create.apply(definition, args);
      } catch (err) {
        throw fromPlugin(specifier, 'create', err);
      }
      if (!RunnerShape.safeParse(runner).success) throw new Error(`${specifier}: create: resolved with no runner (an object with a runBatch function)`);
      return checkedRunner(runner as Runner, specifier);
    },
  };
  for (const name of SETUP_FUNCTIONS) {
    const setup = definition[name] as ((...args: unknown[]) => unknown) | undefined;
    if (setup === undefined) continue;
    named[name] = (...args: unknown[]) => {
      try {
        return setup.apply(definition, args);
      } catch (err) {
        throw fromPlugin(specifier, name, err);
      }
    };
  }
  return named as unknown as ProviderDefinition;
}

/** The plugin's runner, its answers checked to be Predictions and its errors naming the module. */
function checkedRunner(runner: Runner, specifier: string): Runner {
  const close = runner.close;
  return {
    provider: runner.provider,
    async runBatch(batch, signal, options): Promise<Prediction[]> {
      let answers: unknown;
      try {
        answers = await runner.runBatch(batch, signal, options);
      } catch (err) {
        throw fromPlugin(specifier, 'runBatch', err);
      }
      const parsed = PluginAnswers.safeParse(answers);
      if (parsed.success) return parsed.data as Prediction[];
      const issue = parsed.error.issues[0];
      throw new Error(`${specifier}: runBatch: resolved with something other than an array of predictions: ${issue?.path.join('.') || 'answer'}: ${issue?.message}`);
    },
    ...(close && {
      async close() {
        try {
          await close.call(runner);
        } catch (err) {
          throw fromPlugin(specifier, 'close', err);
        }
      },
    }),
  };
}
