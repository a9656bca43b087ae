import { formatChange, formatMetric, formatPValue, formatSigned, metricRows, textTable, type FigureWithInterval } from '../core/format.js';
import type { MetricDifference } from '../harness/gate/index.js';
import type { FigureInfo } from '../metrics/definition.js';
import { higherIsBetter } from '../metrics/registry.js';

export interface ModelColumn {
  modelId: string;
  metrics: readonly (FigureWithInterval & { name: string })[];
  /** This model's paired comparison with the baseline, figure by figure (harness/gate compareStoredRuns). */
  paired?: readonly MetricDifference[];
}

/** `+0.18 ▲ [+0.05, +0.31] p 0.004`: the change, and where a paired test ran, its interval and p-value. */
function changeCell(delta: number | null, direction: boolean, paired: MetricDifference | undefined): string {
  const change = formatChange(paired?.delta ?? delta, direction);
  if (paired === undefined || paired.ciLow === null || paired.ciHigh === null) return change;
  return `${change} [${formatSigned(paired.ciLow)}, ${formatSigned(paired.ciHigh)}] p ${formatPValue(paired.pValue, paired.resamples)}`;
}

/**
 * Metric × model table with bootstrap intervals; every model after the baseline also gets a Δ
 * column (its value minus the baseline's), marked ▲ better / ▼ worse in each metric's direction, with
 * the paired interval and p-value where the column carries its paired comparison.
 */
export function metricTable(columns: readonly ModelColumn[], baselineId: string, pluginFigures: readonly FigureInfo[] = []): string {
  const baselineIndex = Math.max(0, columns.findIndex((c) => c.modelId === baselineId));
  const header = ['metric'];
  columns.forEach((column, i) => header.push(...(i === baselineIndex ? [column.modelId] : [column.modelId, `Δ vs ${columns[baselineIndex]?.modelId}${column.paired ? ' [paired CI] p' : ''}`])));
  const rows = metricRows(columns.map((c) => ({ label: c.modelId, metrics: c.metrics })), baselineIndex).map((row) => [
    row.name,
    ...row.cells.flatMap((cell, i) =>
      i === baselineIndex
        ? [formatMetric(cell)]
        : [formatMetric(cell), changeCell(row.deltas[i] ?? null, higherIsBetter(row.name, pluginFigures), columns[i]?.paired?.find((m) => m.name === row.name))],
    ),
  ]);
  return textTable(header, rows, 'l' + 'r'.repeat(header.length - 1));
}
