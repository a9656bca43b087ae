/**
 * What a suite's task and metric list mean in numbers: per-sample scores (stored beside every
 * prediction) and corpus figures (stored per run). Pure: the harness hands in texts and labels; the
 * task and each metric are looked up in the registry (metrics/registry.ts), so nothing here names one.
 */
import type { CorpusFigure, MetricDefinition, SampleScores, ScoringItem, TaskDefinition, TextPair } from './definition.js';
import { ERROR_RATE, higherIsBetter, METRICS, metricNamed, taskNamed } from './registry.js';

export type { CorpusFigure, SampleScores, ScoringItem } from './definition.js';
export { higherIsBetter };

/** A task by its registered name. */
export type TaskKind = string;
/** A suite's metric entry: a registered metric or task name, or a plugin's definition. */
export type SuiteMetric = string | MetricDefinition;

/** The task and the metric definitions a suite's list switches on. */
export interface ResolvedMetrics {
  task: TaskDefinition;
  /** The task's own figures are on. */
  taskFigures: boolean;
  metrics: MetricDefinition[];
}

/** Resolved once per metric list and task: `scoreSample` runs per sample, the list is the run's. */
const resolvedLists = new WeakMap<readonly SuiteMetric[], Map<TaskKind, Readonly<ResolvedMetrics>>>();

export function resolveMetrics(taskName: TaskKind, metrics: readonly SuiteMetric[]): Readonly<ResolvedMetrics> {
  let byTask = resolvedLists.get(metrics);
  if (byTask === undefined) resolvedLists.set(metrics, (byTask = new Map()));
  let resolved = byTask.get(taskName);
  if (resolved === undefined) byTask.set(taskName, (resolved = resolveUncached(taskName, metrics)));
  return resolved;
}

function resolveUncached(taskName: TaskKind, metrics: readonly SuiteMetric[]): ResolvedMetrics {
  const task = taskNamed(taskName);
  const definitions = metrics.flatMap((entry): MetricDefinition[] => {
    if (typeof entry !== 'string') return [entry];
    if (entry === task.name) return [];
    const metric = metricNamed(entry);
    if (metric === undefined) throw new Error(`no metric ${entry} for task ${task.name}`);
    return [metric];
  });
  // Figures come in the registry's order whatever the list's order (plugins after the built-ins).
  const rank = (metric: MetricDefinition) => {
    const index = (METRICS as readonly MetricDefinition[]).indexOf(metric);
    return index === -1 ? METRICS.length : index;
  };
  definitions.sort((a, b) => rank(a) - rank(b));
  return { task, taskFigures: metrics.includes(task.name), metrics: definitions };
}

function referencesOf(item: ScoringItem, task: TaskDefinition): string[] {
  if (item.reference == null) throw new Error(`task ${task.name}: a sample has no reference text to score against`);
  return [item.reference];
}

/** One pair as the metrics see it, with its shared-work memo. */
function textPair(output: string, references: readonly string[]): TextPair {
  const memo = new Map<string, unknown>();
  return {
    output,
    references,
    shared<T>(key: string, compute: () => T): T {
      if (!memo.has(key)) memo.set(key, compute());
      return memo.get(key) as T;
    },
  };
}

export function scoreSample(taskName: TaskKind, metrics: readonly SuiteMetric[], item: ScoringItem): SampleScores {
  const resolved = resolveMetrics(taskName, metrics);
  const { task } = resolved;
  const own = task.needs === 'label' || resolved.taskFigures ? task.scoreSample(item) : { values: {} };
  const scores: SampleScores = { ...own, values: { ...own.values } };
  if (resolved.metrics.length > 0) {
    // A failed request scores as an empty answer: wrong, by every metric's own rule.
    const pair = textPair(item.output ?? '', referencesOf(item, task));
    const states: Record<string, unknown> = {};
    for (const metric of resolved.metrics) {
      const state = guarded(metric, 'score', () => metric.score(pair));
      states[metric.name] = state;
      const values = guarded(metric, 'sampleValues', () => metric.sampleValues(state));
      Object.assign(scores.values, isBuiltIn(metric) ? values : declaredOnly(metric, values));
    }
    scores.states = states;
  }
  return scores;
}

/** Each listed metric's per-sample states, rescoring the samples that were scored without them. */
export function metricStates(task: TaskKind, metrics: readonly SuiteMetric[], items: readonly ScoringItem[], scored: readonly SampleScores[], metric: MetricDefinition): unknown[] {
  return items.map((item, i) => scored[i]?.states?.[metric.name] ?? scoreSample(task, [metric], item).states?.[metric.name]);
}

export function isBuiltIn(metric: MetricDefinition): boolean {
  return (METRICS as readonly MetricDefinition[]).includes(metric);
}

/** A stored figure is a finite number or null: NaN, Infinity or a string from a plugin becomes "no value". */
function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A plugin's per-sample values: only the figures it declared (never a built-in's name), each finite or null. */
function declaredOnly(metric: MetricDefinition, values: Record<string, unknown>): Record<string, number | null> {
  return Object.fromEntries(metric.sampleFigures.map(({ name }) => [name, finiteOrNull(values[name])]));
}

/** Runs one of a metric's functions; a plugin's failure names the plugin. */
export function guarded<T>(metric: MetricDefinition, step: string, work: () => T): T {
  if (isBuiltIn(metric)) return work();
  try {
    return work();
  } catch (err) {
    throw new Error(`plugin metric ${metric.name}: ${step} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Corpus figures for one run; `scored` is `scoreSample` of each item, aligned with `items`. */
export function scoreCorpus(taskName: TaskKind, metrics: readonly SuiteMetric[], items: readonly ScoringItem[], scored: readonly SampleScores[]): CorpusFigure[] {
  const resolved = resolveMetrics(taskName, metrics);
  const n = items.length;
  const failures = items.filter((i) => i.failed).length;
  const figures: CorpusFigure[] = [{ name: ERROR_RATE.name, value: n ? failures / n : 0, n }];
  // A classifier's figures are its task's; they are on whatever the list says.
  if (resolved.task.needs === 'label') return [...figures, ...resolved.task.corpus(items, scored)];
  for (const metric of resolved.metrics) {
    const values = guarded(metric, 'corpus', () => metric.corpus(metricStates(taskName, metrics, items, scored, metric)));
    for (const figure of metric.figures) figures.push({ name: figure.name, value: finiteOrNull(values[figure.name]), n });
  }
  if (resolved.taskFigures) figures.push(...resolved.task.corpus(items, scored));
  return figures;
}
