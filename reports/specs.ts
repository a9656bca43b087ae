/**
 * Vega-Lite specs of the report. Specs read named datasets (`{ data: { name } }`), so a page embeds
 * each table once however many charts show it; `withDatasets` attaches the tables a chart reads.
 */
import type { TopLevelSpec } from 'vega-lite';
import { RISK_ERROR_BIN_WIDTH, type ReportData, type ReportRun, type RunTotalFigure } from './data.js';
import { coverageText } from '../harness/gate/cost.js';

type ConcatSpec = Extract<TopLevelSpec, { hconcat: unknown }>;
/** A view inside a concatenation: unit, layer or facet. */
export type PanelSpec = ConcatSpec['hconcat'][number];

/** Named tables of plain rows, each embedded once per page. */
export type Datasets = Record<string, readonly object[]>;

export interface ReportChart {
  /** Stable id: the page's container is `chart-<id>`. */
  id: string;
  title: string;
  description: string;
  /** Names of the datasets the spec reads. */
  datasets: string[];
  spec: TopLevelSpec;
}

/** A chart whose data is attached: what vega-embed or `View` take. */
export function withDatasets(chart: ReportChart, datasets: Datasets): TopLevelSpec {
  const attached: Record<string, object[]> = {};
  for (const name of chart.datasets) {
    const rows = datasets[name];
    if (rows === undefined) throw new Error(`chart ${chart.id} reads dataset "${name}", which the report does not have`);
    attached[name] = [...rows];
  }
  return { ...chart.spec, datasets: attached };
}

export const PANEL_WIDTH = 300;
export const PANEL_HEIGHT = 170;
export const NO_GPU_VISIBLE = 'no GPU visible';

/**
 * Shared by every chart of a page. Vega drops every other axis label only when labels *overlap*, so
 * labels that merely touched ran together ("0.000.02"); a separation makes touching count as overlap.
 * Numbers without a format of their own (axis labels, tooltips) keep six significant digits with
 * trailing zeros trimmed: Vega's default precision follows the tick step, which a constant series
 * does not have ("30,000.000000").
 */
export const CHART_CONFIG = { axis: { labelSeparation: 6, labelOverlap: true }, numberFormat: ',~r' } as const;

/**
 * A continuous scale for a series of `values`. A constant series would get a zero-width domain (one
 * tick, the line on it, nothing to read a scale from): it gets a domain from 0 to its value instead
 * (0 to 1 for a series of zeros); any other series keeps `zero` as given.
 */
export function valueScale(values: readonly unknown[], zero: boolean): { zero: boolean } | { domain: [number, number] } {
  const numbers = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  if (numbers.length === 0) return { zero };
  const [low, high] = [Math.min(...numbers), Math.max(...numbers)];
  if (low !== high) return { zero };
  return { domain: low === 0 ? [0, 1] : [Math.min(0, low), Math.max(0, high)] };
}

/** `field` of each row. */
export function column(rows: readonly object[], field: string): unknown[] {
  return rows.map((row) => (row as Record<string, unknown>)[field]);
}


/** `chart` with the shared chart configuration. */
export function configured(chart: ReportChart): ReportChart {
  return { ...chart, spec: { ...chart.spec, config: { ...CHART_CONFIG, ...chart.spec.config } } };
}

/** A row of panels as wide as the page: the model legend goes under them instead of beside them. */
export const LEGEND_BELOW = { legend: { orient: 'bottom', direction: 'horizontal' } } as const;

/** The batch axis: batches are counted, so ticks are whole numbers (never 0.5, 1.5). */
export const BATCH_AXIS = { field: 'batchIndex', type: 'quantitative', title: 'batch', axis: { tickMinStep: 1, format: 'd' } } as const;
const CANDIDATE_COLOR = '#e45756';
const BASELINE_COLOR = '#4c78a8';
const EXTRA_COLORS = ['#54a24b', '#f58518', '#b279a2', '#72b7b2', '#eeca3b', '#9d755d'];

/** One colour per model across every chart of a page: candidate red, baseline blue. */
export function modelColor(models: readonly string[]): {
  field: 'model';
  type: 'nominal';
  title: string;
  scale: { domain: string[]; range: string[] };
  legend: { labelLimit: number };
} {
  const range = models.map((_, i) => (i === 0 ? CANDIDATE_COLOR : i === 1 ? BASELINE_COLOR : (EXTRA_COLORS[(i - 2) % EXTRA_COLORS.length] ?? BASELINE_COLOR)));
  return { field: 'model', type: 'nominal', title: 'model', scale: { domain: [...models], range }, legend: { labelLimit: 320 } };
}

/** A panel that states why there is nothing to plot (so it still renders, and says so). */
export function messagePanel(title: string, message: string): PanelSpec {
  return {
    title,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { values: [{ message }] },
    mark: { type: 'text', fontSize: 14, color: '#777' },
    encoding: { text: { field: 'message', type: 'nominal' } },
  };
}

interface BatchPanel {
  title: string;
  field: string;
  axisTitle: string;
  format?: string;
  width?: number;
}

/** Runs this short also get a dot per batch: a one-batch run draws no line otherwise. */
const DOTTED_BATCHES = 60;

function batchLine(data: ReportData): { type: 'line'; strokeWidth: number; point: boolean | { size: number } } {
  const batchesPerRun = Math.max(0, ...data.runs.map((run) => data.batches.filter((batch) => batch.runId === run.id).length));
  return { type: 'line', strokeWidth: 1.2, point: batchesPerRun <= DOTTED_BATCHES ? { size: 18 } : false };
}

/** One per-batch line per model over the batches dataset. */
function batchLinePanel(panel: BatchPanel, data: ReportData): PanelSpec {
  return {
    title: panel.title,
    width: panel.width ?? PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { name: 'batches' },
    transform: [{ filter: `isValid(datum['${panel.field}'])` }],
    mark: batchLine(data),
    encoding: {
      x: BATCH_AXIS,
      y: { field: panel.field, type: 'quantitative', title: panel.axisTitle, scale: valueScale(column(data.batches, panel.field), false) },
      color: modelColor(models(data)),
      tooltip: [
        { field: 'model', type: 'nominal' },
        { field: 'batchIndex', type: 'quantitative', title: 'batch' },
        { field: panel.field, type: 'quantitative', title: panel.axisTitle, format: panel.format ?? ',.4~g' },
      ],
    },
  };
}

interface FoldedPanel {
  /** Absent for a panel that is a chart of its own (the section heading names it). */
  title?: string;
  /** Field → series label, drawn with one dash each. */
  fields: Record<string, string>;
  axisTitle: string;
  dashTitle: string;
  width?: number;
}

/** Per-batch lines of several fields at once, told apart by dash. */
function foldedBatchPanel(panel: FoldedPanel, data: ReportData): PanelSpec {
  const fields = Object.keys(panel.fields);
  const labels = Object.values(panel.fields);
  return {
    ...(panel.title === undefined ? {} : { title: panel.title }),
    width: panel.width ?? PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { name: 'batches' },
    transform: [
      { fold: fields, as: ['field', 'value'] },
      { filter: 'isValid(datum.value)' },
      { calculate: `{${fields.map((field, i) => `'${field}': '${labels[i] ?? field}'`).join(', ')}}[datum.field]`, as: 'series' },
    ],
    mark: batchLine(data),
    encoding: {
      x: BATCH_AXIS,
      y: { field: 'value', type: 'quantitative', title: panel.axisTitle, scale: valueScale(fields.flatMap((field) => column(data.batches, field)), true) },
      color: modelColor(models(data)),
      strokeDash: { field: 'series', type: 'nominal', title: panel.dashTitle, sort: labels },
      detail: { field: 'series', type: 'nominal' },
      tooltip: [
        { field: 'model', type: 'nominal' },
        { field: 'batchIndex', type: 'quantitative', title: 'batch' },
        { field: 'series', type: 'nominal', title: panel.dashTitle },
        { field: 'value', type: 'quantitative', format: ',.4~g' },
      ],
    },
  };
}

function hasValue(rows: readonly object[], field: string): boolean {
  return rows.some((row) => {
    const value: unknown = (row as Record<string, unknown>)[field];
    return value !== null && value !== undefined;
  });
}

/** A per-batch GPU panel, or "no GPU visible" when no run of the report had a GPU figure there. */
function gpuPanel(panel: BatchPanel, data: ReportData): PanelSpec {
  return hasValue(data.batches, panel.field) ? batchLinePanel(panel, data) : messagePanel(panel.title, NO_GPU_VISIBLE);
}

function models(data: ReportData): string[] {
  return data.runs.map((run) => run.model);
}

/** "no GPU visible: base" when some runs had a GPU and others did not; null otherwise. */
function blindRunsNote(runs: readonly ReportRun[]): string | null {
  const blind = runs.filter((run) => !run.gpuVisible).map((run) => run.model);
  return blind.length === 0 || blind.length === runs.length ? null : `${NO_GPU_VISIBLE}: ${blind.join(', ')}`;
}

type CostRow = ReturnType<typeof costRows>[number];

/** Each run's totals as the quality-against-cost panels plot them: seconds, kJ, whisker ends. */
function costRows(data: Pick<ReportData, 'costs'>) {
  return data.costs.map((cost) => ({
    ...cost,
    qualityLow: cost.qualityCiLow ?? cost.quality,
    qualityHigh: cost.qualityCiHigh ?? cost.quality,
    wallS: cost.wallMs / 1000,
    cpuS: cost.cpuMs === null ? null : cost.cpuMs / 1000,
    gpuTimeS: cost.gpuTimeMs === null ? null : cost.gpuTimeMs / 1000,
    energyKj: cost.energyJ === null ? null : cost.energyJ / 1000,
  }));
}

/** The tables the charts of `data` read. */
export function reportDatasets(data: ReportData): Datasets {
  const confusionRows = (cells: readonly { truth: string; predicted: string; count: number }[], model: string) => {
    const rowTotals = new Map<string, number>();
    for (const cell of cells) rowTotals.set(cell.truth, (rowTotals.get(cell.truth) ?? 0) + cell.count);
    return cells.map((cell) => ({ model, ...cell, share: cell.count / (rowTotals.get(cell.truth) ?? 1) }));
  };
  return {
    // Whisker ends fall back to the value, so a metric without an interval draws a zero-length whisker
    // instead of leaving the whisker layer without data (which Vega reports as an infinite extent).
    metrics: data.metrics.map((metric) => ({ ...metric, low: metric.ciLow ?? metric.value, high: metric.ciHigh ?? metric.value })),
    // Only the fields the charts draw: a 1,000-batch run pair then stays small to embed and quick to draw.
    batches: data.batches.map((batch) => ({
      model: batch.model,
      batchIndex: batch.batchIndex,
      quality: batch.quality,
      gpuTimeMs: batch.gpuTimeMs,
      gpuMemPeakMb: batch.gpuMemPeakMb,
      gpuUtilAvg: batch.gpuUtilAvg,
      energyJ: batch.energyJ,
      powerAvgW: batch.powerAvgW,
      cpuMs: batch.cpuMs,
      rssPeakMb: batch.rssPeakMb,
      latencyP50Ms: batch.latencyP50Ms,
      latencyP95Ms: batch.latencyP95Ms,
      tokensIn: batch.tokensIn,
      tokensOut: batch.tokensOut,
    })),
    costs: costRows(data),
    confusion: (data.classification ?? []).flatMap((run) => confusionRows(run.confusion, run.model)),
    perClass: (data.classification ?? []).flatMap((run) => run.perClass.map((score) => ({ model: run.model, ...score }))),
    distribution: (data.classification ?? []).flatMap((run) => run.distribution.map((share) => ({ model: run.model, ...share }))),
    jsonRates: (data.jsonAnalysis ?? []).flatMap((run) =>
      (
        [
          ['JSON parsed', run.parseRate],
          ['schema valid', run.schemaValidRate],
        ] as const
      ).map(([rate, value]) => ({ model: run.model, rate, value, n: run.n })),
    ),
    alertConfusion: (data.jsonAnalysis ?? []).flatMap((run) => confusionRows(run.alertConfusion, run.model)),
    riskErrors: (data.jsonAnalysis ?? []).flatMap((run) =>
      run.riskErrors.map((bin) => ({ model: run.model, binStart: bin.binStart, binEnd: bin.binStart + RISK_ERROR_BIN_WIDTH, count: bin.count })),
    ),
  };
}

function qualityMetricsChart(data: ReportData): ReportChart {
  const y = { field: 'model', type: 'nominal', title: null, sort: models(data) } as const;
  return {
    id: 'quality',
    title: 'Quality metrics',
    description: 'Corpus metrics per model; whiskers are the 95 % intervals where the run computed one. Scales differ per metric.',
    datasets: ['metrics'],
    spec: {
      data: { name: 'metrics' },
      transform: [{ filter: 'isValid(datum.value)' }],
      facet: { row: { field: 'name', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } },
      spec: {
        width: 420,
        height: { step: 22 },
        layer: [
          {
            mark: { type: 'bar', opacity: 0.85 },
            encoding: {
              y,
              x: { field: 'value', type: 'quantitative', title: null },
              color: modelColor(models(data)),
              tooltip: [
                { field: 'model', type: 'nominal' },
                { field: 'name', type: 'nominal', title: 'metric' },
                { field: 'value', type: 'quantitative', format: ',.4~g' },
                { field: 'ciLow', type: 'quantitative', title: '95 % low', format: ',.4~g' },
                { field: 'ciHigh', type: 'quantitative', title: '95 % high', format: ',.4~g' },
                { field: 'n', type: 'quantitative' },
              ],
            },
          },
          {
            mark: { type: 'rule', color: '#222', strokeWidth: 1.5 },
            encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
          },
          {
            // Right of the whisker, so the figure never sits on it.
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
            encoding: { y, x: { field: 'high', type: 'quantitative' }, text: { field: 'value', type: 'quantitative', format: ',.4~g' } },
          },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    },
  };
}

/**
 * What the headline's cost panels show. GPU figures where any run of the report had them; without
 * any, the compute that did the work: the logbench process's CPU time and peak RSS for a model run
 * inside it (the offline default), request latency and tokens for a candidate behind an endpoint.
 */
export type HeadlineCost = 'gpu' | 'in-process' | 'remote';

export function headlineCost(data: Pick<ReportData, 'runs' | 'candidate'>): HeadlineCost {
  if (data.runs.some((run) => run.gpuVisible)) return 'gpu';
  return data.candidate.endpoint === null ? 'in-process' : 'remote';
}

/** The one line over the headline's panels saying what stands for the compute, and for whom. */
export function headlineNote(data: Pick<ReportData, 'runs' | 'candidate'>): string | null {
  const cost = headlineCost(data);
  const names = (runs: readonly ReportRun[]) => runs.map((run) => run.model).join(', ');
  if (cost === 'gpu') return blindRunsNote(data.runs);
  if (cost === 'in-process') {
    const remote = data.runs.filter((run) => run.endpoint !== null);
    return `${NO_GPU_VISIBLE}: the models ran inside logbench, so its CPU time and peak memory stand for their compute${
      remote.length === 0 ? '' : ` (${names(remote)} called an endpoint: only the client's share)`
    }`;
  }
  const remote = data.runs.filter((run) => run.endpoint !== null);
  // A configured exporter that never answered says so, rather than suggesting one be configured.
  const failed = remote.find((run) => run.telemetryNote?.startsWith('scrape failed') === true);
  return failed === undefined
    ? `no GPU telemetry for ${names(remote)}: request latency and tokens stand for the compute (gpu_metrics_url records GPU figures)`
    : `no GPU figures for ${names(remote)} (${cutNote(failed.telemetryNote ?? '')}): request latency and tokens stand for the compute`;
}

/** A stored reason short enough for a one-line chart title. */
function cutNote(note: string): string {
  return note.length <= NOTE_CHARS ? note : `${note.slice(0, NOTE_CHARS - 1)}…`;
}
const NOTE_CHARS = 80;

function noteTitle(note: string | null): { title?: { text: string; fontSize: number; fontWeight: 'normal'; color: string; anchor: 'start' } } {
  return note === null ? {} : { title: { text: note, fontSize: 12, fontWeight: 'normal', color: '#555', anchor: 'start' } };
}

/** A per-batch panel of `field`, or a message panel saying no run stored it. */
function batchPanelOr(panel: BatchPanel, data: ReportData, missing: string): PanelSpec {
  return hasValue(data.batches, panel.field) ? batchLinePanel(panel, data) : messagePanel(panel.title, missing);
}

function headlineCostPanels(data: ReportData): PanelSpec[] {
  switch (headlineCost(data)) {
    case 'gpu': {
      // A fourth panel where energy is known: four panels of the usual width would not fit the page.
      const energy = hasValue(data.batches, 'energyJ');
      const width = energy ? ENERGY_PANEL_WIDTH : PANEL_WIDTH;
      return [
        gpuPanel({ title: 'GPU time per batch', field: 'gpuTimeMs', axisTitle: 'GPU time (ms)', width }, data),
        gpuPanel({ title: 'peak GPU memory per batch', field: 'gpuMemPeakMb', axisTitle: 'GPU memory (MiB)', width }, data),
        ...(energy ? [batchLinePanel({ title: 'GPU energy per batch', field: 'energyJ', axisTitle: 'energy (J)', width }, data)] : []),
      ];
    }
    case 'in-process':
      return [
        batchPanelOr({ title: 'CPU time per batch', field: 'cpuMs', axisTitle: 'CPU time (ms)' }, data, 'no CPU time stored'),
        batchPanelOr({ title: 'peak RSS per batch', field: 'rssPeakMb', axisTitle: 'peak RSS (MiB)' }, data, 'no memory figures stored'),
      ];
    case 'remote':
      return [
        hasValue(data.batches, 'latencyP50Ms')
          ? foldedBatchPanel({ title: 'request latency per batch', fields: { latencyP50Ms: 'p50', latencyP95Ms: 'p95' }, axisTitle: 'latency (ms)', dashTitle: 'percentile' }, data)
          : messagePanel('request latency per batch', 'no latency stored'),
        hasValue(data.batches, 'tokensIn') || hasValue(data.batches, 'tokensOut')
          ? foldedBatchPanel({ title: 'tokens per batch', fields: { tokensIn: 'in', tokensOut: 'out' }, axisTitle: 'tokens', dashTitle: 'tokens' }, data)
          : messagePanel('tokens per batch', 'the endpoint reported no token counts'),
      ];
  }
}

const ENERGY_PANEL_WIDTH = 215;

function headlinePanelWidth(data: ReportData): number {
  return headlineCost(data) === 'gpu' && hasValue(data.batches, 'energyJ') ? ENERGY_PANEL_WIDTH : PANEL_WIDTH;
}

const HEADLINE_TITLES: Record<HeadlineCost, { title: string; beside: string }> = {
  gpu: { title: 'Quality next to GPU time and GPU memory, per batch', beside: 'the GPU time and peak GPU memory' },
  'in-process': { title: 'Quality next to CPU time and memory, per batch', beside: 'the CPU time and peak resident memory of the logbench process (the models ran inside it)' },
  remote: { title: 'Quality next to request latency and tokens, per batch', beside: 'the request latency (p50, p95) and the prompt and generated tokens' },
};

const ENERGY_HEADLINE = { title: 'Quality next to GPU time, GPU memory and energy, per batch', beside: 'the GPU time, peak GPU memory and GPU energy' };

/** The headline: per-batch quality beside what the same batches cost (see `headlineCost`). */
export function headlineChart(data: ReportData): ReportChart {
  const quality = data.qualityMetric;
  const cost = headlineCost(data);
  const titles = cost === 'gpu' && hasValue(data.batches, 'energyJ') ? ENERGY_HEADLINE : HEADLINE_TITLES[cost];
  return configured({
    id: 'headline',
    title: titles.title,
    description: quality === null
      ? `No per-sample scores are stored for this run, so per-batch quality is not shown; beside it, ${titles.beside} of each batch.`
      : `Mean per-sample ${quality.name} of each batch (${quality.higherIsBetter ? 'higher' : 'lower'} is better), beside ${titles.beside} of the same batch.`,
    datasets: ['batches'],
    spec: {
      ...noteTitle(headlineNote(data)),
      config: LEGEND_BELOW,
      hconcat: [
        quality === null || !hasValue(data.batches, 'quality')
          ? messagePanel('quality per batch', 'no per-sample scores stored')
          : batchLinePanel({ title: `mean ${quality.name} per batch`, field: 'quality', axisTitle: quality.name, width: headlinePanelWidth(data) }, data),
        ...headlineCostPanels(data),
      ],
    },
  });
}

/**
 * Quality against one run total, a whisker for its interval and the model named over each point;
 * `perUnit` adds quality per cost unit to the name and the tooltip where the run has it.
 */
function costPanel(title: string, costField: string, axisTitle: string, data: ReportData, perUnit?: { field: string; title: string }): PanelSpec {
  const names = models(data);
  // The runs the panel draws: those with both figures (the filter below).
  const drawn = costRows(data).filter((row) => typeof row[costField as keyof CostRow] === 'number' && row.quality !== null);
  const x = { field: costField, type: 'quantitative', title: axisTitle, scale: valueScale(column(drawn, costField), true) } as const;
  const y = { field: 'quality', type: 'quantitative', title: 'quality', scale: valueScale(['quality', 'qualityLow', 'qualityHigh'].flatMap((field) => column(drawn, field)), false) } as const;
  const label =
    perUnit === undefined
      ? 'datum.model'
      : `isValid(datum['${perUnit.field}']) ? datum.model + ': ' + format(datum['${perUnit.field}'], '.3~g') + ' ${perUnit.title.replace(/^quality /, '')}' : datum.model`;
  return {
    title,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { name: 'costs' },
    transform: [{ filter: `isValid(datum['${costField}']) && isValid(datum.quality)` }, { calculate: label, as: 'label' }],
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'qualityLow', type: 'quantitative' }, y2: { field: 'qualityHigh' }, color: modelColor(names) },
      },
      {
        mark: { type: 'point', filled: true, size: 110 },
        encoding: {
          x,
          y,
          color: modelColor(names),
          tooltip: [
            { field: 'model', type: 'nominal' },
            { field: 'quality', type: 'quantitative', format: ',.4~g' },
            { field: costField, type: 'quantitative', title: axisTitle, format: ',.4~g' },
            ...(perUnit === undefined ? [] : [{ field: perUnit.field, type: 'quantitative' as const, title: perUnit.title, format: ',.4~g' }]),
            { field: 'samples', type: 'quantitative' },
          ],
        },
      },
      { mark: { type: 'text', dy: -12, fontSize: 10 }, encoding: { x, y, text: { field: 'label', type: 'nominal' } } },
    ],
  };
}

/** The run total the first quality-vs-cost panel puts quality against, following the headline. */
const COMPUTE_TOTALS: Record<HeadlineCost, { field: string; of: RunTotalFigure; title: string; axisTitle: string; named: string }> = {
  gpu: { field: 'gpuTimeS', of: 'gpuTimeMs', title: 'quality vs GPU time', axisTitle: 'total GPU time (s)', named: 'GPU time' },
  'in-process': { field: 'cpuS', of: 'cpuMs', title: 'quality vs CPU time', axisTitle: 'total CPU time (s)', named: 'CPU time' },
  remote: { field: 'tokens', of: 'tokens', title: 'quality vs tokens', axisTitle: 'total tokens (in + out)', named: 'tokens (prompt and generated)' },
};

function qualityCostChart(data: ReportData): ReportChart {
  const quality = data.qualityMetric?.name ?? 'quality';
  const compute = COMPUTE_TOTALS[headlineCost(data)];
  // A run total is null unless every batch measured it (RunCost): such a run is left out of that panel, and said so.
  const energyKnown = data.costs.some((cost) => cost.energyJ !== null);
  const partial = (figure: RunTotalFigure, named: string) =>
    data.costs.filter((cost) => cost[figure] === null && cost.measured[figure] > 0).map((cost) => `${cost.model} (${named}: ${coverageText({ measured: cost.measured[figure], batches: cost.batches })})`);
  const leftOut = [...partial(compute.of, compute.named), ...partial('energyJ', 'GPU energy')];
  const leftOutNote = leftOut.length === 0 ? '' : ` Left out where not every batch measured the figure: ${leftOut.join(', ')}.`;
  const perKj = energyKnown && data.qualityMetric?.higherIsBetter !== false ? ' Beside the GPU energy, each point is labelled with its quality per kJ.' : '';
  const measuredAnywhere = data.costs.some((cost) => cost.measured[compute.of] > 0);
  return {
    id: 'quality-cost',
    title: 'Quality against cost, per model',
    description: `${quality} of each run (corpus value with its 95 % interval when stored, else the mean per-sample score) against the run's total ${compute.named}${energyKnown ? ', wall-clock time and GPU energy' : ' and wall-clock time'}.${perKj}${leftOutNote}`,
    datasets: ['costs'],
    spec: {
      config: LEGEND_BELOW,
      hconcat: [
        hasValue(data.costs, compute.of)
          ? costPanel(compute.title, compute.field, compute.axisTitle, data)
          : messagePanel(compute.title, measuredAnywhere ? `no run measured ${compute.named} in every batch` : `no ${compute.named} stored`),
        costPanel('quality vs wall time', 'wallS', 'total wall time (s)', data),
        ...(energyKnown ? [costPanel('quality vs GPU energy', 'energyKj', 'total GPU energy (kJ)', data, { field: 'qualityPerKj', title: 'quality per kJ' })] : []),
      ],
    },
  };
}

/** A full-width chart of one folded panel (latency percentiles, tokens in and out). */
function foldedBatchChart(data: ReportData, chart: { id: string; title: string; description: string } & Omit<FoldedPanel, 'title'>): ReportChart {
  const { id, title, description, ...panel } = chart;
  return { id, title, description, datasets: ['batches'], spec: { hconcat: [foldedBatchPanel({ ...panel, width: 2 * PANEL_WIDTH }, data)] } };
}

function resourcesChart(data: ReportData): ReportChart {
  return {
    id: 'resources',
    title: 'CPU, memory and GPU per batch',
    description: 'Process CPU time and peak resident memory of each batch, and the GPU utilisation, peak GPU memory and (where measured) mean GPU power the telemetry saw during it.',
    datasets: ['batches'],
    spec: {
      ...noteTitle(blindRunsNote(data.runs)),
      columns: 2,
      concat: [
        batchLinePanel({ title: 'CPU time per batch', field: 'cpuMs', axisTitle: 'CPU (ms)' }, data),
        batchLinePanel({ title: 'peak RSS per batch', field: 'rssPeakMb', axisTitle: 'RSS (MiB)' }, data),
        gpuPanel({ title: 'mean GPU utilisation per batch', field: 'gpuUtilAvg', axisTitle: 'GPU utilisation (%)' }, data),
        gpuPanel({ title: 'peak GPU memory per batch', field: 'gpuMemPeakMb', axisTitle: 'GPU memory (MiB)' }, data),
        ...(hasValue(data.batches, 'powerAvgW') ? [batchLinePanel({ title: 'mean GPU power per batch', field: 'powerAvgW', axisTitle: 'power (W)' }, data)] : []),
      ],
    },
  };
}

/** Truth × prediction counts, one heatmap per model, shaded by share of the true class. */
function confusionChart(
  chart: { id: string; title: string; description: string; dataset: string; truthTitle: string; predictedTitle: string },
  models: readonly string[],
): ReportChart {
  return {
    id: chart.id,
    title: chart.title,
    description: chart.description,
    datasets: [chart.dataset],
    spec: {
      data: { name: chart.dataset },
      facet: { column: { field: 'model', type: 'nominal', title: null, sort: [...models] } },
      spec: {
        width: { step: 56 },
        height: { step: 40 },
        encoding: {
          x: { field: 'predicted', type: 'nominal', title: chart.predictedTitle, axis: { labelAngle: -30 } },
          y: { field: 'truth', type: 'nominal', title: chart.truthTitle },
        },
        layer: [
          {
            mark: 'rect',
            encoding: {
              color: { field: 'share', type: 'quantitative', title: 'share of true class', scale: { scheme: 'blues', domain: [0, 1] } },
              tooltip: [
                { field: 'truth', type: 'nominal' },
                { field: 'predicted', type: 'nominal' },
                { field: 'count', type: 'quantitative' },
                { field: 'share', type: 'quantitative', format: '.1%' },
              ],
            },
          },
          {
            mark: { type: 'text', fontSize: 12 },
            encoding: {
              text: { field: 'count', type: 'quantitative' },
              color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
            },
          },
        ],
      },
    },
  };
}

function classificationCharts(data: ReportData): ReportChart[] {
  if (data.classification === null) return [];
  return [
    confusionChart({
      id: 'confusion',
      title: 'Confusion matrices',
      description: `Gold label (rows) against predicted label (columns). "(no answer)" counts predictions without a parsable label.`,
      dataset: 'confusion',
      truthTitle: 'gold label',
      predictedTitle: 'predicted label',
    }, models(data)),
    {
      id: 'per-class',
      title: 'Precision, recall and F1 per class',
      description: 'scikit-learn per-label scores (zero_division=0); unanswered samples count as misses of their gold class.',
      datasets: ['perClass'],
      spec: {
        data: { name: 'perClass' },
        transform: [{ fold: ['precision', 'recall', 'f1'], as: ['score', 'value'] }],
        facet: { column: { field: 'score', type: 'nominal', title: null, sort: ['precision', 'recall', 'f1'] } },
        spec: {
          width: { step: 22 },
          height: PANEL_HEIGHT,
          mark: 'bar',
          encoding: {
            x: { field: 'label', type: 'nominal', title: null, axis: { labelAngle: -30 } },
            xOffset: { field: 'model', type: 'nominal', sort: models(data) },
            y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 1] } },
            color: modelColor(models(data)),
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'label', type: 'nominal' },
              { field: 'score', type: 'nominal' },
              { field: 'value', type: 'quantitative', format: '.4f' },
              { field: 'support', type: 'quantitative' },
            ],
          },
        },
      },
    },
    {
      id: 'label-distribution',
      title: 'Gold and predicted label distribution',
      description: 'How often each label is the gold answer and how often each model predicts it.',
      datasets: ['distribution'],
      spec: {
        data: { name: 'distribution' },
        facet: { column: { field: 'model', type: 'nominal', title: null, sort: models(data) } },
        spec: {
          width: { step: 24 },
          height: PANEL_HEIGHT,
          mark: 'bar',
          encoding: {
            x: { field: 'label', type: 'nominal', title: null, axis: { labelAngle: -30 } },
            xOffset: { field: 'source', type: 'nominal', sort: ['truth', 'predicted'] },
            y: { field: 'count', type: 'quantitative', title: 'samples' },
            color: { field: 'source', type: 'nominal', title: null, sort: ['truth', 'predicted'], scale: { range: ['#9d9d9d', '#f58518'] } },
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'label', type: 'nominal' },
              { field: 'source', type: 'nominal' },
              { field: 'count', type: 'quantitative' },
            ],
          },
        },
      },
    },
  ];
}

function jsonAnalysisCharts(data: ReportData): ReportChart[] {
  if (data.jsonAnalysis === null) return [];
  const charts: ReportChart[] = [
    {
      id: 'json-rates',
      title: 'JSON analysis: format compliance',
      description: 'Share of answers with a parsable JSON object, and of answers passing the FPT schema check.',
      datasets: ['jsonRates'],
      spec: {
        width: 2 * PANEL_WIDTH,
        height: { step: 14 },
        data: { name: 'jsonRates' },
        mark: 'bar',
        encoding: {
          y: { field: 'rate', type: 'nominal', title: null, sort: null },
          yOffset: { field: 'model', type: 'nominal', sort: models(data) },
          x: { field: 'value', type: 'quantitative', title: 'share of answers', scale: { domain: [0, 1] }, axis: { format: '%' } },
          color: modelColor(models(data)),
          tooltip: [
            { field: 'model', type: 'nominal' },
            { field: 'rate', type: 'nominal' },
            { field: 'value', type: 'quantitative', format: '.1%' },
            { field: 'n', type: 'quantitative' },
          ],
        },
      },
    },
    confusionChart({
      id: 'alert-confusion',
      title: 'JSON analysis: alert decisions',
      description: 'Reference should_alert_user (rows) against the model’s flag (columns); "(no answer)": no schema-valid analysis.',
      dataset: 'alertConfusion',
      truthTitle: 'reference alert',
      predictedTitle: 'predicted alert',
    }, models(data)),
  ];
  if (data.jsonAnalysis.some((run) => run.riskErrors.length > 0)) {
    charts.push({
      id: 'risk-error',
      title: 'JSON analysis: risk-score error',
      description: `Predicted − reference risk score, in bins of ${RISK_ERROR_BIN_WIDTH} points, over schema-valid answers.`,
      datasets: ['riskErrors'],
      spec: {
        data: { name: 'riskErrors' },
        facet: { row: { field: 'model', type: 'nominal', title: null, sort: models(data) } },
        spec: {
          width: 2 * PANEL_WIDTH,
          height: 110,
          mark: { type: 'bar', binSpacing: 1 },
          encoding: {
            x: { field: 'binStart', type: 'quantitative', bin: { binned: true, step: RISK_ERROR_BIN_WIDTH }, title: 'predicted − reference risk score' },
            x2: { field: 'binEnd' },
            y: { field: 'count', type: 'quantitative', title: 'answers' },
            color: modelColor(models(data)),
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'binStart', type: 'quantitative', title: 'from' },
              { field: 'binEnd', type: 'quantitative', title: 'to' },
              { field: 'count', type: 'quantitative' },
            ],
          },
        },
      },
    });
  }
  return charts;
}

/** Every chart `data` has something to show in, headline first. */
export function reportCharts(data: ReportData): ReportChart[] {
  const charts: ReportChart[] = [headlineChart(data)];
  // Quality against cost right under the headline: the two together are the card's answer (and the README's picture).
  if (data.costs.some((cost) => cost.quality !== null)) charts.push(qualityCostChart(data));
  if (data.metrics.some((metric) => metric.value !== null)) charts.push(qualityMetricsChart(data));
  if (hasValue(data.batches, 'latencyP50Ms') || hasValue(data.batches, 'latencyP95Ms')) {
    charts.push(
      foldedBatchChart(data, {
        id: 'latency',
        title: 'Request latency per batch',
        description: 'Median and 95th-percentile request latency of each batch (nearest rank, cached answers left out).',
        fields: { latencyP50Ms: 'p50', latencyP95Ms: 'p95' },
        axisTitle: 'latency (ms)',
        dashTitle: 'percentile',
      }),
    );
  }
  if (hasValue(data.batches, 'tokensIn') || hasValue(data.batches, 'tokensOut')) {
    charts.push(
      foldedBatchChart(data, {
        id: 'tokens',
        title: 'Tokens per batch',
        description: 'Prompt (in) and generated (out) tokens of each batch, as the provider reported them.',
        fields: { tokensIn: 'in', tokensOut: 'out' },
        axisTitle: 'tokens',
        dashTitle: 'tokens',
      }),
    );
  }
  if (data.batches.length > 0) charts.push(resourcesChart(data));
  charts.push(...classificationCharts(data), ...jsonAnalysisCharts(data));
  return charts.map(configured);
}
