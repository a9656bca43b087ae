import path from 'node:path';
import { z } from 'zod';
import { resolveMetricEntries } from '../plugins/metrics.js';
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
  /** With plugin metrics loaded from the modules the stored suite names (relative to its file). */
  metrics: SuiteMetric[];
  maxErrorRate: number;
  statistics: { resamples: number; seed: number; confidence: number };
}

/** How a run was scored and what error rate its suite tolerates, read from the suite stored with it. */
export async function runSettings(run: StoredRun): Promise<RunSettings> {
  const parsed = StoredSuiteSettings.safeParse(run.suite);
  if (!parsed.success) throw new CliError(`run ${run.id}: its stored suite is unreadable (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  const { task, metrics, max_error_rate, statistics } = parsed.data;
  const suiteDir = path.dirname(path.resolve(run.suitePath ?? '.'));
  let resolved: SuiteMetric[];
  try {
    resolved = await resolveMetricEntries(metrics ?? DEFAULT_METRICS[task] ?? [], suiteDir);
  } catch (err) {
    throw new CliError(`run ${run.id}: cannot load a metric its suite names: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { task, metrics: resolved, maxErrorRate: max_error_rate, statistics };
}
