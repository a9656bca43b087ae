import { formatChange, formatMetric, metricRows, textTable, type FigureWithInterval } from '../core/format.js';
import type { FigureInfo } from '../metrics/definition.js';
import { higherIsBetter } from '../metrics/registry.js';

export interface ModelColumn {
  modelId: string;
  metrics: readonly (FigureWithInterval & { name: string })[];
}

/**
 * Metric × model table with bootstrap intervals; every model after the baseline also gets a Δ
 * column (its value minus the baseline's), marked ▲ better / ▼ worse in each metric's direction.
 */
export function metricTable(columns: readonly ModelColumn[], baselineId: string, pluginFigures: readonly FigureInfo[] = []): string {
  const baselineIndex = Math.max(0, columns.findIndex((c) => c.modelId === baselineId));
  const header = ['metric'];
  columns.forEach((column, i) => header.push(...(i === baselineIndex ? [column.modelId] : [column.modelId, `Δ vs ${columns[baselineIndex]?.modelId}`])));
  const rows = metricRows(columns.map((c) => ({ label: c.modelId, metrics: c.metrics })), baselineIndex).map((row) => [
    row.name,
    ...row.cells.flatMap((cell, i) => (i === baselineIndex ? [formatMetric(cell)] : [formatMetric(cell), formatChange(row.deltas[i] ?? null, higherIsBetter(row.name, pluginFigures))])),
  ]);
  return textTable(header, rows, 'l' + 'r'.repeat(header.length - 1));
}
