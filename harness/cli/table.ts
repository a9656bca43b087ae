import { LOWER_IS_BETTER } from '../../metrics/taskScoring.js';

export interface MetricColumn {
  modelId: string;
  metrics: { name: string; value: number | null; ciLow?: number; ciHigh?: number }[];
}

function format(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(3) : value.toFixed(4);
}

/**
 * Metric × model table with 95 % bootstrap intervals; every model after the baseline also gets a Δ
 * column (its value minus the baseline's), marked ▲ better / ▼ worse using each metric's direction.
 */
export function metricTable(columns: readonly MetricColumn[], baselineId: string): string {
  const baseline = columns.find((c) => c.modelId === baselineId) ?? columns[0];
  const names = [...new Set(columns.flatMap((c) => c.metrics.map((m) => m.name)))];
  const header = ['metric'];
  for (const column of columns) {
    header.push(column.modelId);
    if (column !== baseline) header.push(`Δ vs ${baseline?.modelId}`);
  }
  const rows = names.map((name) => {
    const base = baseline?.metrics.find((m) => m.name === name)?.value;
    const row = [name];
    for (const column of columns) {
      const metric = column.metrics.find((m) => m.name === name);
      const value = metric?.value;
      const interval = metric?.ciLow !== undefined && metric.ciHigh !== undefined ? ` [${format(metric.ciLow)}, ${format(metric.ciHigh)}]` : '';
      row.push(format(value) + interval);
      if (column === baseline) continue;
      if (value == null || base == null) {
        row.push('—');
        continue;
      }
      const delta = value - base;
      const better = LOWER_IS_BETTER.has(name) ? delta < 0 : delta > 0;
      row.push(`${delta >= 0 ? '+' : ''}${format(delta)}${delta === 0 ? '' : better ? ' ▲' : ' ▼'}`);
    }
    return row;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
