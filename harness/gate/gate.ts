import { CliError } from '../../core/errors.js';
import { RunStore, type StoredRun } from '../store/index.js';
import { compareStoredRuns, type RunComparison } from './comparison.js';
import { requireUsableRun, resolveRun } from './runs.js';
import { defaultThresholds, loadThresholds } from './thresholds.js';
import { evaluateGate, type GateVerdict } from './verdict.js';

export interface GateOptions {
  db: string;
  /** Run id or `latest:<suite>/<model>`. */
  candidate: string;
  baseline?: string;
  thresholdsFile?: string;
  /** Threads that may rescore the two runs (default 1; harness/run/scoringPool.ts). */
  workers?: number;
}

export interface GateReport {
  candidate: StoredRun;
  baseline: StoredRun | null;
  thresholdsFile: string | null;
  comparison: RunComparison | null;
  verdict: GateVerdict;
}

/**
 * Judges a candidate run: against a thresholds file, a baseline run, or both. Throws a CliError with
 * exit code 2 for runs that are not comparable and 3 for anything the user or the infrastructure
 * must fix; a regression is a verdict (`verdict.passed` false), not an error.
 */
export async function runGate(options: GateOptions): Promise<GateReport> {
  if (options.baseline === undefined && options.thresholdsFile === undefined) throw new CliError('give --baseline RUN, --thresholds FILE.yaml, or both');
  const fromFile = options.thresholdsFile === undefined ? undefined : loadThresholds(options.thresholdsFile);
  const store = await RunStore.open(options.db, { readOnly: true });
  try {
    const candidate = await resolveRun(store, options.candidate, 'candidate');
    await requireUsableRun(store, candidate, 'candidate');
    const baselineRef = options.baseline ?? fromFile?.baseline;
    let baseline: StoredRun | null = null;
    let comparison: RunComparison | null = null;
    if (baselineRef !== undefined) {
      baseline = await resolveRun(store, baselineRef, 'baseline');
      await requireUsableRun(store, baseline, 'baseline');
      comparison = await compareStoredRuns(store, candidate, baseline, options.workers);
    }
    const thresholds = fromFile ?? defaultThresholds((comparison?.metrics ?? []).filter((m) => m.pValue !== null).map((m) => m.name));
    const verdict = evaluateGate({
      source: options.thresholdsFile ?? null,
      thresholds,
      candidate: await store.metrics(candidate.id),
      comparison,
    });
    return { candidate, baseline, thresholdsFile: options.thresholdsFile ?? null, comparison, verdict };
  } finally {
    await store.close();
  }
}
