/** Number formatting and the metric × model table shared by the HTML and Markdown reports. */
import type { ReportData, ReportMetric } from './data.js';

/** Four significant digits, integers whole: enough to compare models, short enough for a table. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function formatSigned(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

/** `0.4123 [0.40, 0.43]`, or the value alone without an interval; `—` without a value. */
export function formatMetric(metric: Pick<ReportMetric, 'value' | 'ciLow' | 'ciHigh'> | undefined): string {
  if (metric === undefined || metric.value === null) return '—';
  const interval = metric.ciLow === null || metric.ciHigh === null ? '' : ` [${formatNumber(metric.ciLow)}, ${formatNumber(metric.ciHigh)}]`;
  return `${formatNumber(metric.value)}${interval}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${formatNumber(ms)} ms`;
  if (ms < 120_000) return `${formatNumber(ms / 1000)} s`;
  return `${formatNumber(ms / 60_000)} min`;
}

export interface MetricTableRow {
  name: string;
  /** One per run, in `ReportData.runs` order. */
  cells: (ReportMetric | undefined)[];
  /** Candidate − baseline, when both have a value. */
  delta: number | null;
}

/** Every metric any run has, by name, with each run's value and the candidate − baseline delta. */
export function metricTable(data: Pick<ReportData, 'runs' | 'metrics'>): MetricTableRow[] {
  const names = [...new Set(data.metrics.map((metric) => metric.name))].sort();
  return names.map((name) => {
    const cells = data.runs.map((run) => data.metrics.find((metric) => metric.runId === run.id && metric.name === name));
    const [candidate, baseline] = cells;
    const delta = candidate?.value != null && baseline?.value != null ? candidate.value - baseline.value : null;
    return { name, cells, delta };
  });
}
