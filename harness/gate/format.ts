import { formatNumber, formatSigned } from '../../reports/format.js';
import { LOWER_IS_BETTER } from '../../metrics/taskScoring.js';
import type { StoredRun } from '../store/index.js';

export function formatValue(value: number | null): string {
  return value === null ? '—' : formatNumber(value);
}

/** `+0.015 ▲`: ▲ better, ▼ worse, in the metric's own direction (lower error_rate is better). */
export function formatChange(name: string, delta: number | null): string {
  if (delta === null) return '—';
  if (delta === 0) return '0';
  const better = LOWER_IS_BETTER.has(name) ? delta < 0 : delta > 0;
  return `${formatSigned(delta)} ${better ? '▲' : '▼'}`;
}

export function formatPValue(pValue: number | null): string {
  if (pValue === null) return '—';
  return pValue < 0.001 ? '<0.001' : formatNumber(pValue);
}

export function runLabel(run: Pick<StoredRun, 'id' | 'suiteName' | 'modelId'>): string {
  return `${run.id} (${run.suiteName}/${run.modelId})`;
}

/** Columns padded to their widest cell; `align` has one letter per column, `l` (text) or `r` (numbers). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], align: string): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const pad = (cell: string, i: number) => (align[i] === 'l' ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0));
  const line = (cells: readonly string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
