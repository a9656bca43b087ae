/**
 * Metrics from a user's module: a suite lists `{module: ./my_metric.ts}` among its metrics, and the
 * module's `default` (or `metric`) export is a MetricDefinition, checked here before it scores anything.
 * Only `logbench run` loads them: commands that read a store never run code a stored run names.
 */
import path from 'node:path';
import { z } from 'zod';
import type { FigureInfo, MetricDefinition } from '../../metrics/definition.js';
import { ERROR_RATE, figureNamed, METRIC_NAMES, TASK_NAMES } from '../../metrics/registry.js';
import type { SuiteMetric } from '../../metrics/taskScoring.js';
import type { MetricEntry } from '../suite/schema.js';
import { importPluginModule } from './loadModule.js';

/** A bound may be infinite (a distance has no upper one); NaN is no bound. */
const bound = z.custom<number>((value) => typeof value === 'number' && !Number.isNaN(value), 'expected a number');
const Figure = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a figure name is letters, digits and "_"'),
  higherIsBetter: z.boolean(),
  range: z.tuple([bound, bound]).refine(([low, high]) => low < high, 'range: low must be below high'),
});
const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'expected a function');
/** The runtime shape of a MetricDefinition: a module is plain JavaScript by the time it is loaded. */
const MetricShape = z.looseObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a metric name is letters, digits, "_" or "-"'),
  description: z.string(),
  figures: z.array(Figure).min(1),
  sampleFigures: z.array(Figure),
  tasks: z.array(z.string()).optional(),
  plainState: z.boolean().optional(),
  score: fn,
  sampleValues: fn,
  corpus: fn,
  statistics: fn,
});

/** A loaded plugin metric and what identifies its code. */
export interface PluginMetric {
  definition: MetricDefinition;
  module: string;
  /** sha256 of the module file: editing the metric's code makes another run. */
  codeHash: string;
}

/** Loads one plugin metric; errors name the module and what is wrong with its export. */
export async function loadMetricModule(specifier: string, baseDir: string): Promise<PluginMetric> {
  // The loader reads the file by the core reader's rules first: a FIFO or /dev/zero never reaches tsx.
  const { exports, codeHash } = await importPluginModule(specifier, baseDir);
  const candidate = exports['default'] ?? exports['metric'];
  const parsed = MetricShape.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${specifier}: its default (or \`metric\`) export is not a metric definition: ${issue?.path.join('.') || 'export'}: ${issue?.message}`);
  }
  const { name, figures, sampleFigures } = parsed.data;
  if ((METRIC_NAMES as readonly string[]).includes(name) || TASK_NAMES.includes(name)) throw new Error(`${specifier}: metric name ${name} is taken by a built-in metric or task`);
  // A plugin's figure must never stand in for a built-in one: tables, gates and reports read them by name.
  const taken = [...figures, ...sampleFigures].find((figure) => figure.name === ERROR_RATE.name || figureNamed(figure.name) !== undefined);
  if (taken) throw new Error(`${specifier}: figure name ${taken.name} is taken by a built-in figure`);
  const definition = candidate as MetricDefinition;
  origins.set(definition, { module: specifier, baseDir, codeHash });
  return { definition, module: specifier, codeHash };
}

/** Where a loaded plugin definition came from: what a worker thread loads to score with the same code. */
export interface PluginOrigin {
  module: string;
  baseDir: string;
  codeHash: string;
}

const origins = new WeakMap<MetricDefinition, PluginOrigin>();

/**
 * A metric list as a worker thread can rebuild it (functions cannot cross threads): built-in names
 * as they are, plugin definitions as the module they were loaded from; undefined if a definition
 * did not come from `loadMetricModule` (one built in code), which only this thread can run.
 */
export function metricEntriesOf(metrics: readonly SuiteMetric[]): (string | PluginOrigin)[] | undefined {
  const entries: (string | PluginOrigin)[] = [];
  for (const metric of metrics) {
    const entry = typeof metric === 'string' ? metric : origins.get(metric);
    if (entry === undefined) return undefined;
    entries.push(entry);
  }
  return entries;
}

/** `metricEntriesOf`'s list loaded again (in a worker): refused if a module's code changed since the run loaded it. */
export async function metricsFromEntries(entries: readonly (string | PluginOrigin)[]): Promise<SuiteMetric[]> {
  const metrics: SuiteMetric[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      metrics.push(entry);
      continue;
    }
    const plugin = await loadMetricModule(entry.module, entry.baseDir);
    if (plugin.codeHash !== entry.codeHash) throw new Error(`${entry.module}: the plugin metric's code changed while it was scoring; run again`);
    metrics.push(plugin.definition);
  }
  return metrics;
}

/** A suite's metric list with every `{module}` entry loaded (relative modules resolve against `baseDir`). */
export async function resolveMetricEntries(entries: readonly MetricEntry[], baseDir: string): Promise<{ metrics: SuiteMetric[]; plugins: PluginMetric[] }> {
  const metrics: SuiteMetric[] = [];
  const plugins: PluginMetric[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      metrics.push(entry);
      continue;
    }
    const plugin = await loadMetricModule(entry.module, path.resolve(baseDir));
    metrics.push(plugin.definition);
    plugins.push(plugin);
  }
  const names = metrics.map((metric) => (typeof metric === 'string' ? metric : metric.name));
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new Error(`metric ${twice} is listed twice`);
  const figureNames = plugins.flatMap((p) => [...new Set([...p.definition.figures, ...p.definition.sampleFigures].map((f) => f.name))]);
  const clash = figureNames.find((name, i) => figureNames.indexOf(name) !== i);
  if (clash !== undefined) throw new Error(`two plugin metrics both store a figure named ${clash}`);
  return { metrics, plugins };
}

/** The figures plugin metrics store, with their directions and ranges: kept with the run, so later commands read them right without loading any code. */
export function pluginFigures(plugins: readonly PluginMetric[]): FigureInfo[] {
  const all = plugins.flatMap((p) => [...p.definition.figures, ...p.definition.sampleFigures]);
  return all.filter((figure, i) => all.findIndex((f) => f.name === figure.name) === i).map(({ name, higherIsBetter, range }) => ({ name, higherIsBetter, range }));
}
