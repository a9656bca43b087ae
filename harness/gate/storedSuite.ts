import { z } from 'zod';
import type { SuiteMetric, TaskKind } from '../../metrics/taskScoring.js';
import { CliError } from '../../core/errors.js';
import type { StoredRun } from '../store/index.js';
import { DEFAULT_METRICS, Suite } from '../suite/schema.js';

/** Only the fields gates read: the rest of a stored suite may predate today's schema. */
const StoredSuiteSettings = z.looseObject({
  task: Suite.shape.task,
  metrics: Suite.shape.metrics,
  max_error_rate: Suite.shape.max_error_rate,
  statistics: Suite.shape.statistics,
});

export interface RunSettings {
  task: TaskKind;
  metrics: SuiteMetric[];
  maxErrorRate: number;
  statistics: { resamples: number; seed: number; confidence: number };
}

/** How a run was scored and what error rate its suite tolerates, read from the suite stored with it. */
export function runSettings(run: StoredRun): RunSettings {
  const parsed = StoredSuiteSettings.safeParse(run.suite);
  if (!parsed.success) throw new CliError(`run ${run.id}: its stored suite is unreadable (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const { task, metrics, max_error_rate, statistics } = parsed.data;
  return { task, metrics: metrics ?? DEFAULT_METRICS[task], maxErrorRate: max_error_rate, statistics };
}
