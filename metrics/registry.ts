/**
 * Every metric and task logbench knows, one line each. The suite schema's names, the tables' and
 * gates' directions, the gate thresholds' ranges, the run's statistics and the JSON Schema are all
 * derived from these lists (docs/DESIGN.md §7: adding a metric is a definition and a line here).
 */
import type { FigureInfo, MetricDefinition, TaskDefinition } from './definition.js';
import { bleu } from './definitions/bleu.js';
import { chrf } from './definitions/chrf.js';
import { fuzzy } from './definitions/fuzzy.js';
import { levenshtein } from './definitions/levenshtein.js';
import { rouge } from './definitions/rouge.js';
import { sacrebleu } from './definitions/sacrebleu.js';
import { classificationTask } from './tasks/anomalyLabel.js';
import { causeRemediationTask } from './tasks/causeRemediation.js';
import { jsonAnalysisTask } from './tasks/jsonAnalysis.js';
import { textTask } from './tasks/text.js';

/** Reference-based metrics, in the order their figures are reported. */
export const METRICS = [
  bleu,
  sacrebleu,
  rouge,
  fuzzy,
  levenshtein,
  chrf,
] as const satisfies readonly MetricDefinition[];

export const TASKS = [
  jsonAnalysisTask,
  classificationTask,
  causeRemediationTask,
  textTask,
] as const satisfies readonly TaskDefinition[];

export const METRIC_NAMES = METRICS.map((metric) => metric.name);
export const TASK_NAMES = TASKS.map((task) => task.name);

/** Every run stores this, whatever its task: the share of samples whose request failed. */
export const ERROR_RATE: FigureInfo = { name: 'error_rate', higherIsBetter: false, range: [0, 1] };

export function taskNamed(name: string): TaskDefinition {
  const task = TASKS.find((t) => t.name === name);
  if (task === undefined) throw new Error(`no task ${name} (tasks: ${TASK_NAMES.join(', ')})`);
  return task;
}

export function metricNamed(name: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.name === name);
}

/** The figure names a suite's built-in metric list gives, in the list's order (a task's own figures where it lists the task). */
export function listedFigures(taskName: string, metrics: readonly string[]): string[] {
  return metrics.flatMap((entry) => (entry === taskName ? taskNamed(taskName).figures : (metricNamed(entry)?.figures ?? [])).map((figure) => figure.name));
}

/** What a suite of this task may list under `metrics:`: the task's own name when it has figures, and the metrics that apply to it. */
export function metricsForTask(task: TaskDefinition): string[] {
  const own = task.figures.length > 0 ? [task.name] : [];
  const reference = METRICS.filter((m) => (m.tasks === undefined ? task.needs === 'reference' : m.tasks.includes(task.name))).map((m) => m.name);
  return [...own, ...reference];
}

/** Every figure any metric or task stores, corpus and per sample, by name (the first definition wins). */
const FIGURES: ReadonlyMap<string, FigureInfo> = new Map(
  [ERROR_RATE, ...METRICS.flatMap((m) => [...m.figures, ...m.sampleFigures]), ...TASKS.flatMap((t) => [...t.figures, ...t.sampleFigures])].reverse().map((f) => [f.name, f]),
);

export function figureNamed(name: string): FigureInfo | undefined {
  return FIGURES.get(name);
}

/**
 * Tables and gates read a change with this. `extra` holds figures not in the registry (a plugin
 * metric's, as stored with its run); a figure known nowhere counts as higher-is-better.
 */
export function higherIsBetter(name: string, extra: readonly FigureInfo[] = []): boolean {
  return FIGURES.get(name)?.higherIsBetter ?? extra.find((figure) => figure.name === name)?.higherIsBetter ?? true;
}
