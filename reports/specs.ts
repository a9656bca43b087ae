/**
 * Vega-Lite specs of the report. Specs read named datasets (`{ data: { name } }`), so a page embeds
 * each table once however many charts show it; `withDatasets` attaches the tables a chart reads.
 */
import type { TopLevelSpec } from 'vega-lite';
import { RISK_ERROR_BIN_WIDTH, type ReportData } from './data.js';

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
}

/** One per-batch line per model over the batches dataset. */
function batchLinePanel(panel: BatchPanel, models: readonly string[]): PanelSpec {
  return {
    title: panel.title,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { name: 'batches' },
    transform: [{ filter: `isValid(datum['${panel.field}'])` }],
    mark: { type: 'line', strokeWidth: 1.2, interpolate: 'linear' },
    encoding: {
      x: { field: 'batchIndex', type: 'quantitative', title: 'batch' },
      y: { field: panel.field, type: 'quantitative', title: panel.axisTitle, scale: { zero: false } },
      color: modelColor(models),
      tooltip: [
        { field: 'model', type: 'nominal' },
        { field: 'batchIndex', type: 'quantitative', title: 'batch' },
        { field: panel.field, type: 'quantitative', title: panel.axisTitle, format: panel.format ?? ',.4~g' },
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
  return hasValue(data.batches, panel.field) ? batchLinePanel(panel, models(data)) : messagePanel(panel.title, NO_GPU_VISIBLE);
}

function models(data: ReportData): string[] {
  return data.runs.map((run) => run.model);
}

/** A "no GPU visible: base" title over GPU panels when some runs had a GPU and others did not. */
function gpuNote(data: ReportData): { title?: { text: string; fontSize: number; fontWeight: 'normal'; color: string } } {
  const blind = data.runs.filter((run) => !run.gpuVisible).map((run) => run.model);
  if (blind.length === 0 || blind.length === data.runs.length) return {};
  return { title: { text: `${NO_GPU_VISIBLE}: ${blind.join(', ')}`, fontSize: 11, fontWeight: 'normal', color: '#666' } };
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
      cpuMs: batch.cpuMs,
      rssPeakMb: batch.rssPeakMb,
      latencyP50Ms: batch.latencyP50Ms,
      latencyP95Ms: batch.latencyP95Ms,
      tokensIn: batch.tokensIn,
      tokensOut: batch.tokensOut,
    })),
    costs: data.costs.map((cost) => ({
      ...cost,
      qualityLow: cost.qualityCiLow ?? cost.quality,
      qualityHigh: cost.qualityCiHigh ?? cost.quality,
      wallS: cost.wallMs / 1000,
      gpuTimeS: cost.gpuTimeMs === null ? null : cost.gpuTimeMs / 1000,
    })),
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

/** The headline: per-batch quality beside the GPU time and GPU memory the same batches cost. */
export function headlineChart(data: ReportData): ReportChart {
  const quality = data.qualityMetric;
  return {
    id: 'headline',
    title: 'Quality next to GPU time and GPU memory, per batch',
    description: quality === null
      ? 'No per-sample scores are stored for this run, so per-batch quality is not shown.'
      : `Mean per-sample ${quality.name} of each batch (${quality.higherIsBetter ? 'higher' : 'lower'} is better), beside the GPU time and peak GPU memory of the same batch.`,
    datasets: ['batches'],
    spec: {
      ...gpuNote(data),
      hconcat: [
        quality === null || !hasValue(data.batches, 'quality')
          ? messagePanel('quality per batch', 'no per-sample scores stored')
          : batchLinePanel({ title: `mean ${quality.name} per batch`, field: 'quality', axisTitle: quality.name }, models(data)),
        gpuPanel({ title: 'GPU time per batch', field: 'gpuTimeMs', axisTitle: 'GPU time (ms)' }, data),
        gpuPanel({ title: 'peak GPU memory per batch', field: 'gpuMemPeakMb', axisTitle: 'GPU memory (MB)' }, data),
      ],
    },
  };
}

function costPanel(title: string, costField: string, axisTitle: string, models: readonly string[]): PanelSpec {
  const x = { field: costField, type: 'quantitative', title: axisTitle, scale: { zero: true } } as const;
  const y = { field: 'quality', type: 'quantitative', title: 'quality', scale: { zero: false } } as const;
  return {
    title,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { name: 'costs' },
    transform: [{ filter: `isValid(datum['${costField}']) && isValid(datum.quality)` }],
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'qualityLow', type: 'quantitative' }, y2: { field: 'qualityHigh' }, color: modelColor(models) },
      },
      {
        mark: { type: 'point', filled: true, size: 110 },
        encoding: {
          x,
          y,
          color: modelColor(models),
          tooltip: [
            { field: 'model', type: 'nominal' },
            { field: 'quality', type: 'quantitative', format: ',.4~g' },
            { field: costField, type: 'quantitative', title: axisTitle, format: ',.4~g' },
            { field: 'samples', type: 'quantitative' },
          ],
        },
      },
      { mark: { type: 'text', dy: -12, fontSize: 10 }, encoding: { x, y, text: { field: 'model', type: 'nominal' } } },
    ],
  };
}

function qualityCostChart(data: ReportData): ReportChart {
  const quality = data.qualityMetric?.name ?? 'quality';
  const gpuSeconds = data.costs.some((cost) => cost.gpuTimeMs !== null);
  return {
    id: 'quality-cost',
    title: 'Quality against cost, per model',
    description: `${quality} of each run (corpus value with its 95 % interval when stored, else the mean per-sample score) against the run's total GPU time and wall-clock time.`,
    datasets: ['costs'],
    spec: {
      hconcat: [
        gpuSeconds
          ? costPanel('quality vs GPU time', 'gpuTimeS', 'total GPU time (s)', models(data))
          : messagePanel('quality vs GPU time', NO_GPU_VISIBLE),
        costPanel('quality vs wall time', 'wallS', 'total wall time (s)', models(data)),
      ],
    },
  };
}

/** Per-batch lines of several fields at once, told apart by dash. */
function foldedBatchChart(
  data: ReportData,
  chart: { id: string; title: string; description: string; fields: Record<string, string>; axisTitle: string; dashTitle: string },
): ReportChart {
  const fields = Object.keys(chart.fields);
  const labels = Object.values(chart.fields);
  return {
    id: chart.id,
    title: chart.title,
    description: chart.description,
    datasets: ['batches'],
    spec: {
      width: 2 * PANEL_WIDTH,
      height: PANEL_HEIGHT,
      data: { name: 'batches' },
      transform: [
        { fold: fields, as: ['field', 'value'] },
        { filter: 'isValid(datum.value)' },
        { calculate: `{${fields.map((field, i) => `'${field}': '${labels[i] ?? field}'`).join(', ')}}[datum.field]`, as: 'series' },
      ],
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'batchIndex', type: 'quantitative', title: 'batch' },
        y: { field: 'value', type: 'quantitative', title: chart.axisTitle },
        color: modelColor(models(data)),
        strokeDash: { field: 'series', type: 'nominal', title: chart.dashTitle, sort: labels },
        detail: { field: 'series', type: 'nominal' },
        tooltip: [
          { field: 'model', type: 'nominal' },
          { field: 'batchIndex', type: 'quantitative', title: 'batch' },
          { field: 'series', type: 'nominal', title: chart.dashTitle },
          { field: 'value', type: 'quantitative', format: ',.4~g' },
        ],
      },
    },
  };
}

function resourcesChart(data: ReportData): ReportChart {
  return {
    id: 'resources',
    title: 'CPU, memory and GPU per batch',
    description: 'Process CPU time and peak resident memory of each batch, and the GPU utilisation and peak GPU memory the telemetry sampler saw during it.',
    datasets: ['batches'],
    spec: {
      ...gpuNote(data),
      columns: 2,
      concat: [
        batchLinePanel({ title: 'CPU time per batch', field: 'cpuMs', axisTitle: 'CPU (ms)' }, models(data)),
        batchLinePanel({ title: 'peak RSS per batch', field: 'rssPeakMb', axisTitle: 'RSS (MB)' }, models(data)),
        gpuPanel({ title: 'mean GPU utilisation per batch', field: 'gpuUtilAvg', axisTitle: 'GPU utilisation (%)' }, data),
        gpuPanel({ title: 'peak GPU memory per batch', field: 'gpuMemPeakMb', axisTitle: 'GPU memory (MB)' }, data),
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
  if (data.metrics.some((metric) => metric.value !== null)) charts.push(qualityMetricsChart(data));
  if (data.costs.some((cost) => cost.quality !== null)) charts.push(qualityCostChart(data));
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
  return charts;
}
