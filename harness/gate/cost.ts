import { formatChange, formatNumber, formatValue, textTable } from '../../core/format.js';
import type { StoredBatch } from '../store/index.js';

/** What a run's batches measured, as the store has it (energy and the telemetry's note since migration 4). */
export type CostBatch = Pick<StoredBatch, 'wallMs' | 'cpuMs' | 'gpuTimeMs' | 'energyJ' | 'telemetryNote'>;

export interface CostFigure {
  name: 'wall_s' | 'cpu_s' | 'gpu_s' | 'energy_j';
  /** The sum over the run's batches; null unless every batch measured it (a partial sum would look cheaper). */
  a: number | null;
  b: number | null;
  delta: number | null;
  /** A / B. */
  ratio: number | null;
  /** Why a figure is unknown: the telemetry's stored reason, or how many batches measured it (per run where they differ). */
  note: string | null;
}

/** Each figure: its batch field, how many of its stored units make one shown unit, and whether the GPU telemetry measures it. */
const FIGURES: readonly { name: CostFigure['name']; of: (batch: CostBatch) => number | null | undefined; perUnit: number; gpu: boolean }[] = [
  { name: 'wall_s', of: (b) => b.wallMs, perUnit: 1000, gpu: false },
  { name: 'cpu_s', of: (b) => b.cpuMs, perUnit: 1000, gpu: false },
  { name: 'gpu_s', of: (b) => b.gpuTimeMs, perUnit: 1000, gpu: true },
  { name: 'energy_j', of: (b) => b.energyJ, perUnit: 1, gpu: true },
];

/** A run total of a per-batch figure, with how many of the run's batches measured it. */
export interface RunTotal {
  /** Null unless every batch measured the figure: a total over some of them would make the run look cheaper. */
  value: number | null;
  measured: number;
  batches: number;
}

/** The run total of one figure of each batch (their sum, or their largest for a peak): one rule for every view. */
export function runTotal(values: readonly (number | null | undefined)[], combine: 'sum' | 'max' = 'sum'): RunTotal {
  const measured = values.filter((value): value is number => typeof value === 'number');
  const complete = values.length > 0 && measured.length === values.length;
  const value = !complete ? null : combine === 'sum' ? measured.reduce((sum, item) => sum + item, 0) : Math.max(...measured);
  return { value, measured: measured.length, batches: values.length };
}

/** What a view prints instead of a total some batches did not measure. */
export function coverageText(total: Pick<RunTotal, 'measured' | 'batches'>): string {
  return `${total.measured} of ${total.batches} batches measured`;
}

interface RunSum {
  value: number | null;
  note: string | null;
}

function runSum(batches: readonly CostBatch[], of: (batch: CostBatch) => number | null | undefined, perUnit: number, gpu: boolean): RunSum {
  const total = runTotal(batches.map(of));
  if (total.value !== null) return { value: total.value / perUnit, note: null };
  // The telemetry says why a GPU figure is missing ("no GPU visible", "scrape failed: …"); keep the first reason given.
  const reason = (gpu ? batches.find((batch) => batch.telemetryNote)?.telemetryNote : undefined) ?? null;
  if (batches.length === 0) return { value: null, note: 'no batches stored' };
  if (total.measured === 0) return { value: null, note: reason ?? 'not measured' };
  return { value: null, note: `${coverageText(total)}${reason ? `; ${reason}` : ''}` };
}

/**
 * The cost of two runs of the same samples, side by side: totals over their batches (wall, CPU and
 * GPU time in seconds, GPU energy in joules). A cost figure informs; no gate fails on it.
 */
export function costFigures(candidate: readonly CostBatch[], baseline: readonly CostBatch[]): CostFigure[] {
  return FIGURES.map(({ name, of, perUnit, gpu }) => {
    const a = runSum(candidate, of, perUnit, gpu);
    const b = runSum(baseline, of, perUnit, gpu);
    const both = a.value !== null && b.value !== null;
    const notes = a.note === b.note ? (a.note ? [a.note] : []) : [...(a.note ? [`A: ${a.note}`] : []), ...(b.note ? [`B: ${b.note}`] : [])];
    return {
      name,
      a: a.value,
      b: b.value,
      delta: both ? (a.value as number) - (b.value as number) : null,
      ratio: both && b.value !== 0 ? (a.value as number) / (b.value as number) : null,
      note: notes.length > 0 ? notes.join('; ') : null,
    };
  });
}

/** Cost rows for a table: figure, A, B, A − B (▼ when it rose: more cost is worse), A / B, note. */
export function costRows(cost: readonly CostFigure[]): string[][] {
  return cost.map((figure) => [
    figure.name,
    formatValue(figure.a),
    formatValue(figure.b),
    formatChange(figure.delta, false),
    figure.ratio === null ? '—' : `×${formatNumber(figure.ratio)}`,
    figure.note ?? '',
  ]);
}

/** The cost table for a terminal, its columns named as the table above it names the runs. */
export function costText(cost: readonly CostFigure[], runs: { a: string; b: string; delta: string }): string {
  return textTable(['cost (not gated)', runs.a, runs.b, runs.delta, `${runs.a} / ${runs.b}`, 'note'], costRows(cost), 'lrrrrl');
}
