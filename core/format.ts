/**
 * How every view (the run table, gate and compare output, HTML and Markdown reports) writes numbers,
 * changes and tables: one set of rules, so a figure reads the same wherever it is printed.
 */

/** C0 controls but tab and newline, DEL and C1: what a terminal acts on (ESC starts its sequences, CR rewrites the line). */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** What else breaks a line or a column: where text fills one cell of a row. */
const LINE_BREAKS = /[\t\n\u2028\u2029]/g;

function escaped(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text from a server or a file as it may be printed: each control character written as `\xNN`, so
 * an error body cannot clear the screen, retitle the window or overwrite a line with "all good".
 * `oneLine` (a table cell) escapes tabs and line breaks too, so no stored value can start a row of
 * its own or shift the columns after it.
 */
export function printable(text: string, options: { oneLine?: boolean } = {}): string {
  const safe = text.replace(TERMINAL_CONTROLS, escaped);
  return options.oneLine === true ? safe.replace(LINE_BREAKS, escaped) : safe;
}

/** Four significant digits, integers whole: enough to compare models, short enough for a table. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function formatSigned(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

/** A figure that may be missing: `—` without a value. */
export function formatValue(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : formatNumber(value);
}

/** A stored figure with its interval where it has one. */
export interface FigureWithInterval {
  value: number | null;
  ciLow?: number | null;
  ciHigh?: number | null;
}

/** `0.4123 [0.40, 0.43]`, or the value alone without an interval; `—` without a value. */
export function formatMetric(metric: FigureWithInterval | undefined): string {
  if (metric === undefined || metric.value === null) return '—';
  const { ciLow, ciHigh } = metric;
  const interval = ciLow === null || ciLow === undefined || ciHigh === null || ciHigh === undefined ? '' : ` [${formatNumber(ciLow)}, ${formatNumber(ciHigh)}]`;
  return `${formatNumber(metric.value)}${interval}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${formatNumber(ms)} ms`;
  if (ms < 120_000) return `${formatNumber(ms / 1000)} s`;
  return `${formatNumber(ms / 60_000)} min`;
}

/**
 * `<0.001` below a thousandth. A bootstrap p is a share of its `resamples`, so below 1/R it reads
 * `<1/R`: the test cannot tell anything smaller from 0.
 */
export function formatPValue(pValue: number | null, resamples?: number | null): string {
  if (pValue === null) return '—';
  const floor = Math.max(0.001, resamples ? 1 / resamples : 0);
  return pValue < floor ? `<${formatNumber(floor)}` : formatNumber(pValue);
}

/** `+0.015 ▲`: ▲ better, ▼ worse, in the metric's own direction (a lower error rate is better). */
export function formatChange(delta: number | null, higherIsBetter: boolean): string {
  if (delta === null) return '—';
  if (delta === 0) return '0';
  return `${formatSigned(delta)} ${delta > 0 === higherIsBetter ? '▲' : '▼'}`;
}

/** Columns padded to their widest cell; `align` has one letter per column, `l` (text) or `r` (numbers). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], align: string): string {
  // Cells name models, suites and runs, which may come from an imported file; each stays on its row.
  const cell = (text: string) => printable(text, { oneLine: true });
  header = header.map(cell);
  rows = rows.map((row) => row.map(cell));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const pad = (cell: string, i: number) => (align[i] === 'l' ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0));
  const line = (cells: readonly string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** One column of a metric table: a run (or model) and its corpus figures. */
export interface MetricColumn<M extends FigureWithInterval & { name: string } = FigureWithInterval & { name: string }> {
  label: string;
  metrics: readonly M[];
}

export interface MetricRow<M> {
  name: string;
  /** One per column, in column order. */
  cells: (M | undefined)[];
  /** Each column's value minus the baseline column's, where both have one (null for the baseline itself). */
  deltas: (number | null)[];
}

/** Every metric any column has, in first-seen order (or sorted), with each column's figure and its change against the baseline column. */
export function metricRows<M extends FigureWithInterval & { name: string }>(columns: readonly MetricColumn<M>[], baselineIndex: number, options: { sort?: boolean } = {}): MetricRow<M>[] {
  const names = [...new Set(columns.flatMap((column) => column.metrics.map((metric) => metric.name)))];
  if (options.sort) names.sort();
  const baseline = columns[baselineIndex];
  return names.map((name) => {
    const cells = columns.map((column) => column.metrics.find((metric) => metric.name === name));
    const base = baseline?.metrics.find((metric) => metric.name === name)?.value;
    const deltas = cells.map((cell, i) => (i === baselineIndex || cell?.value == null || base == null ? null : cell.value - base));
    return { name, cells, deltas };
  });
}
