import { z } from 'zod';
import type { FigureInfo } from '../../metrics/definition.js';
import type { SuiteMetric, TaskKind } from '../../metrics/taskScoring.js';
import { CliError } from '../../core/errors.js';
import type { StoredRun } from '../store/index.js';
import { DEFAULT_METRICS, Suite } from '../suite/schema.js';

/** What `logbench run` stores beside the suite for plugin metrics: their figures' directions and ranges. */
export const PLUGIN_FIGURES_KEY = 'plugin_figures';

const StoredFigure = z.object({ name: z.string(), higherIsBetter: z.boolean(), range: z.tuple([z.number().nullable(), z.number().nullable()]) });

/** Only the fields gates read: the rest of a stored suite may predate today's schema. */
const StoredSuiteSettings = z.looseObject({
  task: Suite.shape.task,
  metrics: Suite.shape.metrics,
  max_error_rate: Suite.shape.max_error_rate,
  statistics: Suite.shape.statistics,
  [PLUGIN_FIGURES_KEY]: z.array(StoredFigure).optional(),
});

export interface RunSettings {
  task: TaskKind;
  /** The built-in metrics the run was scored with (what compare and gate rescore). */
  metrics: SuiteMetric[];
  /** Plugin metric modules the suite named: their figures are read as stored, never recomputed. */
  pluginModules: string[];
  /** Directions and ranges of the plugin figures, as stored with the run. */
  pluginFigures: FigureInfo[];
  maxErrorRate: number;
  statistics: { resamples: number; seed: number; confidence: number };
}

/**
 * How a run was scored and what error rate its suite tolerates, read from the suite stored with it.
 * A stored run is data: no code it names is loaded (its plugin figures keep their stored values).
 */
export function runSettings(run: StoredRun): RunSettings {
  const parsed = StoredSuiteSettings.safeParse(run.suite);
  if (!parsed.success) throw new CliError(`run ${run.id}: its stored suite is unreadable (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const { task, metrics, max_error_rate, statistics } = parsed.data;
  const entries = metrics ?? DEFAULT_METRICS[task] ?? [];
  // JSON has no Infinity: an unbounded side of a range was stored as null.
  const pluginFigures = (parsed.data[PLUGIN_FIGURES_KEY] ?? []).map(({ name, higherIsBetter, range: [low, high] }) => ({
    name,
    higherIsBetter,
    range: [low ?? Number.NEGATIVE_INFINITY, high ?? Number.POSITIVE_INFINITY] as const,
  }));
  return {
    task,
    metrics: entries.filter((entry): entry is string => typeof entry === 'string'),
    pluginModules: entries.flatMap((entry) => (typeof entry === 'string' ? [] : [entry.module])),
    pluginFigures,
    maxErrorRate: max_error_rate,
    statistics,
  };
}
