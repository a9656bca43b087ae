import { formatNumber, formatPValue, formatValue } from '../../core/format.js';
import { higherIsBetter } from '../../metrics/taskScoring.js';
import { CliError } from '../../core/errors.js';
import type { StoredMetric } from '../store/index.js';
import { worsening, type MetricDifference, type RunComparison } from './comparison.js';
import type { MetricRule, Thresholds } from './thresholds.js';

/** Values of the same run, recomputed from per-sample sums, may differ in the last bits. */
const ROUNDING_SLACK = 1e-12;

export interface MetricVerdict {
  name: string;
  candidate: number | null;
  baseline: number | null;
  delta: number | null;
  pValue: number | null;
  /** See {@link MetricDifference.resamples}. */
  resamples: number | null;
  /** The rules as written for people: `≥ 0.95`, `drop ≤ 0.01 (α 0.05)`. */
  rules: string[];
  /** Why the metric fails; empty when it passes. */
  failures: string[];
  /** Changes beyond a limit that the paired test did not find significant. */
  notes: string[];
  /** Null for a metric the thresholds judge; otherwise why it is only listed (not in the thresholds file, no paired test). */
  notGated: string | null;
  /** The figure's direction (a plugin metric's as stored with its run). */
  higherIsBetter: boolean;
}

export interface GateVerdict {
  passed: boolean;
  metrics: MetricVerdict[];
}

export interface GateInput {
  /** Where the thresholds came from (a file name), for error messages; null for the default thresholds. */
  source: string | null;
  thresholds: Thresholds;
  candidate: readonly Pick<StoredMetric, 'name' | 'value'>[];
  /** Null without a baseline: then only `min`/`max` rules are allowed. */
  comparison: RunComparison | null;
}

function changeLimitText(rule: MetricRule, word: string): string {
  const limits = [
    ...(rule.max_drop === undefined ? [] : [formatNumber(rule.max_drop)]),
    ...(rule.max_drop_relative === undefined ? [] : [`${formatNumber(rule.max_drop_relative * 100)} %`]),
  ];
  return `${word} ≤ ${limits.join(' and ≤ ')}`;
}

/** A metric's row before any rule: the candidate's value, and the comparison's where there is one. */
function verdictRow(name: string, candidate: number | null, difference: MetricDifference | undefined, notGated: string | null): MetricVerdict {
  return {
    name,
    candidate,
    baseline: difference?.b ?? null,
    delta: difference?.delta ?? null,
    pValue: difference?.pValue ?? null,
    resamples: difference?.resamples ?? null,
    rules: [],
    failures: [],
    notes: [],
    notGated,
    higherIsBetter: difference?.higherIsBetter ?? higherIsBetter(name),
  };
}

/**
 * A metric no rule judges, listed with its values and delta so that no change goes unseen (alert_f1
 * falling from 1 to 0.77 was once left out because it had no paired test).
 */
function listedOnly(name: string, source: string | null, candidate: GateInput['candidate'], comparison: RunComparison | null): MetricVerdict {
  const difference = comparison?.metrics.find((metric) => metric.name === name);
  const why = source !== null ? `not in ${source}` : `untested: ${difference?.untested ?? 'no paired test'}`;
  return verdictRow(name, difference?.a ?? candidate.find((metric) => metric.name === name)?.value ?? null, difference, why);
}

/**
 * Applies every metric's rules to the candidate (and its comparison with the baseline), then lists
 * every other metric of either run, not gated. Misnamed metrics exit 3.
 */
export function evaluateGate({ source, thresholds, candidate, comparison }: GateInput): GateVerdict {
  const gated = Object.entries(thresholds.metrics).map(([name, rule]): MetricVerdict => {
    const where = `${source ?? 'default thresholds'}: metrics.${name}`;
    const stored = candidate.find((metric) => metric.name === name);
    if (!stored) throw new CliError(`${where}: the candidate run has no metric ${name} (it has ${candidate.map((m) => m.name).join(', ')})`);
    const difference = comparison?.metrics.find((metric) => metric.name === name);
    const verdict = verdictRow(name, stored.value, difference, null);
    if (rule.min !== undefined) {
      verdict.rules.push(`≥ ${formatNumber(rule.min)}`);
      if (stored.value === null || stored.value < rule.min) verdict.failures.push(`${formatValue(stored.value)} < ${formatNumber(rule.min)}`);
    }
    if (rule.max !== undefined) {
      verdict.rules.push(`≤ ${formatNumber(rule.max)}`);
      if (stored.value === null || stored.value > rule.max) verdict.failures.push(`${formatValue(stored.value)} > ${formatNumber(rule.max)}`);
    }
    if (rule.max_drop === undefined && rule.max_drop_relative === undefined) return verdict;

    if (!comparison) throw new CliError(`${where}: max_drop and max_drop_relative need a baseline (--baseline RUN, or baseline: in the thresholds file)`);
    if (difference?.delta == null || difference.b === null) throw new CliError(`${where}: candidate and baseline do not both have a value of ${name}`);
    const word = difference.higherIsBetter ? 'drop' : 'rise';
    const alpha = rule.significant_at ?? thresholds.significant_at;
    verdict.rules.push(changeLimitText(rule, word) + (alpha === undefined ? '' : ` (α ${formatNumber(alpha)})`));
    const allowed = Math.min(rule.max_drop ?? Infinity, rule.max_drop_relative === undefined ? Infinity : rule.max_drop_relative * Math.abs(difference.b));
    const worse = worsening(difference, difference.delta);
    if (worse <= allowed + ROUNDING_SLACK) return verdict;
    const change = `${word} ${formatNumber(worse)} > ${formatNumber(allowed)}`;
    if (alpha !== undefined && difference.pValue !== null && difference.pValue >= alpha) {
      verdict.notes.push(`${change}, not significant (p ${formatPValue(difference.pValue, difference.resamples)} ≥ ${formatNumber(alpha)})`);
    } else {
      // Without a paired test for this metric, significant_at cannot excuse the change.
      const evidence = difference.pValue !== null ? ` (p ${formatPValue(difference.pValue, difference.resamples)})` : alpha !== undefined ? ' (no paired test for this metric)' : '';
      verdict.failures.push(change + evidence);
    }
    return verdict;
  });
  const names = [...new Set([...candidate.map((metric) => metric.name), ...(comparison?.metrics ?? []).map((metric) => metric.name)])];
  const listed = names.filter((name) => !(name in thresholds.metrics)).map((name) => listedOnly(name, source, candidate, comparison));
  return { passed: gated.every((metric) => metric.failures.length === 0), metrics: [...gated, ...listed] };
}
