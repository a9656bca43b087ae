/**
 * Metrics from a user's module: a suite lists `{module: ./my_metric.ts}` among its metrics, and the
 * module's `default` (or `metric`) export is a MetricDefinition, checked here before it scores anything.
 */
import path from 'node:path';
import { z } from 'zod';
import type { MetricDefinition } from '../../metrics/definition.js';
import { METRIC_NAMES, TASK_NAMES } from '../../metrics/registry.js';
import type { SuiteMetric } from '../../metrics/taskScoring.js';
import type { MetricEntry } from '../suite/schema.js';
import { loadPluginModule } from './loadModule.js';

const Figure = z.object({ name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), higherIsBetter: z.boolean(), range: z.tuple([z.number(), z.number()]) });
const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'expected a function');
/** The runtime shape of a MetricDefinition: a module is plain JavaScript by the time it is loaded. */
const MetricShape = z.looseObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a metric name is letters, digits, "_" or "-"'),
  description: z.string(),
  figures: z.array(Figure).min(1),
  sampleFigures: z.array(Figure),
  tasks: z.array(z.string()).optional(),
  score: fn,
  sampleValues: fn,
  corpus: fn,
  statistics: fn,
});

/** Loads one plugin metric; errors name the module and what is wrong with its export. */
export async function loadMetricModule(specifier: string, baseDir: string): Promise<MetricDefinition> {
  const exports = await loadPluginModule(specifier, baseDir);
  const candidate = exports['default'] ?? exports['metric'];
  const parsed = MetricShape.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${specifier}: its default (or \`metric\`) export is not a metric definition: ${issue?.path.join('.') || 'export'}: ${issue?.message}`);
  }
  const name = parsed.data.name;
  if ((METRIC_NAMES as readonly string[]).includes(name) || TASK_NAMES.includes(name)) throw new Error(`${specifier}: metric name ${name} is taken by a built-in metric or task`);
  return candidate as MetricDefinition;
}

/** A suite's metric list with every `{module}` entry loaded (relative modules resolve against `baseDir`). */
export async function resolveMetricEntries(entries: readonly MetricEntry[], baseDir: string): Promise<SuiteMetric[]> {
  const resolved: SuiteMetric[] = [];
  for (const entry of entries) resolved.push(typeof entry === 'string' ? entry : await loadMetricModule(entry.module, path.resolve(baseDir)));
  const names = resolved.map((metric) => (typeof metric === 'string' ? metric : metric.name));
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new Error(`metric ${twice} is listed twice`);
  return resolved;
}
