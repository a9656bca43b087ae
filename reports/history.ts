/** The history of one suite: each metric and the GPU cost of every run of it, by model and date. */
import { type RunStore, type StoreQueries, withStoreQueries } from '../harness/store/index.js';
import { modelLabel } from './data.js';
import { formatDuration } from '../core/format.js';
import { coverageText } from '../harness/gate/cost.js';
import { escapeHtml, renderPage, type PageLink } from './html.js';
import { type Datasets, NO_GPU_VISIBLE, PANEL_HEIGHT, PANEL_WIDTH, type PanelSpec, type ReportChart, LEGEND_BELOW, column, configured, messagePanel, modelColor, valueScale } from './specs.js';

export interface HistoryRun {
  id: string;
  model: string;
  startedAt: string;
  status: string;
  task: string;
  samples: number;
  wallMs: number | null;
  /** Run totals: each null unless every batch measured it (a partial sum would look cheaper; harness/store `RunTotals`). */
  cpuMs: number | null;
  gpuTimeMs: number | null;
  energyJ: number | null;
  gpuMemPeakMb: number | null;
  batches: number;
  /** Batches that measured GPU time: 0 where the run had no GPU figures ("no GPU visible"). */
  gpuTimeBatches: number;
}

export interface HistoryMetric {
  runId: string;
  model: string;
  startedAt: string;
  name: string;
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
}

export interface HistoryData {
  suiteName: string;
  generatedAt: string;
  /** Oldest first. */
  runs: HistoryRun[];
  metrics: HistoryMetric[];
}

type HistoryStore = Pick<RunStore, 'path' | 'readOnly' | 'listRuns' | 'metrics'>;

/** Reads the history of `suiteName` with queries already open. */
export async function collectHistoryData(store: HistoryStore, queries: StoreQueries, suiteName: string): Promise<HistoryData> {
  const stored = (await store.listRuns()).filter((run) => run.suiteName === suiteName);
  if (stored.length === 0) throw new Error(`no runs of suite "${suiteName}" in the store`);
  const totals = new Map((await queries.runTotals(stored.map((run) => run.id))).map((row) => [row.runId, row]));
  const runs: HistoryRun[] = stored.map((run) => {
    const total = totals.get(run.id);
    return {
      id: run.id,
      model: modelLabel(run),
      startedAt: run.startedAt,
      status: run.status,
      task: run.task,
      samples: total?.samples ?? 0,
      wallMs: total?.wallMs ?? null,
      cpuMs: total?.cpuMs ?? null,
      gpuTimeMs: total?.gpuTimeMs ?? null,
      energyJ: total?.energyJ ?? null,
      gpuMemPeakMb: total?.gpuMemPeakMb ?? null,
      batches: total?.batches ?? 0,
      gpuTimeBatches: total?.gpuTimeBatches ?? 0,
    };
  });
  const metrics: HistoryMetric[] = [];
  for (const run of runs) {
    for (const metric of await store.metrics(run.id)) {
      if (metric.value === null) continue;
      metrics.push({ runId: run.id, model: run.model, startedAt: run.startedAt, name: metric.name, value: metric.value, ciLow: metric.ciLow, ciHigh: metric.ciHigh });
    }
  }
  return { suiteName, generatedAt: new Date().toISOString(), runs, metrics };
}

/** Reads the history of `suiteName`; `store` must be open read-only. */
export async function loadHistoryData(store: HistoryStore, suiteName: string): Promise<HistoryData> {
  return withStoreQueries(store, (queries) => collectHistoryData(store, queries, suiteName));
}

function historyModels(data: HistoryData): string[] {
  return [...new Set(data.runs.map((run) => run.model))];
}

function historyDatasets(data: HistoryData): Datasets {
  return {
    // Whisker ends fall back to the value: no whisker layer is ever left without data.
    historyMetrics: data.metrics.map((metric) => ({ ...metric, low: metric.ciLow ?? metric.value, high: metric.ciHigh ?? metric.value })),
    historyRuns: data.runs.map((run) => ({
      ...run,
      wallS: run.wallMs === null ? null : run.wallMs / 1000,
      cpuS: run.cpuMs === null ? null : run.cpuMs / 1000,
      gpuTimeS: run.gpuTimeMs === null ? null : run.gpuTimeMs / 1000,
      energyKj: run.energyJ === null ? null : run.energyJ / 1000,
    })),
  };
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * The run-start axis, labelled at the resolution the runs' span needs: Vega's default multi-format
 * labels runs seconds apart by their milliseconds (".925"). Ticks are kept at least one label unit
 * apart, so a span shorter than the unit shows one label rather than several identical ones.
 */
export function runStartAxis(startedAt: readonly string[]): {
  field: 'startedAt';
  type: 'temporal';
  title: string;
  scale: { type: 'utc' };
  axis: { format: string; tickMinStep: number; labelAngle: number };
} {
  const times = startedAt.map((time) => Date.parse(time));
  const span = times.length === 0 ? 0 : Math.max(...times) - Math.min(...times);
  const [format, unit] =
    span >= 2 * DAY_MS
      ? ['%Y-%m-%d', DAY_MS]
      : span >= 2 * HOUR_MS
        ? ['%b %d %H:%M', MINUTE_MS]
        : span >= 2 * MINUTE_MS
          ? ['%H:%M', MINUTE_MS]
          : ['%H:%M:%S', SECOND_MS];
  return { field: 'startedAt', type: 'temporal', title: 'run started (UTC)', scale: { type: 'utc' }, axis: { format, tickMinStep: unit, labelAngle: 0 } };
}

function costOverTime(title: string, field: string, axisTitle: string, rows: readonly object[], models: readonly string[], x: ReturnType<typeof runStartAxis>): PanelSpec {
  const y = { field, type: 'quantitative', title: axisTitle, scale: valueScale(column(rows, field), true) } as const;
  return {
    title,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { name: 'historyRuns' },
    transform: [{ filter: `isValid(datum['${field}'])` }],
    layer: [
      { mark: { type: 'line', strokeWidth: 1 }, encoding: { x, y, color: modelColor(models) } },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x,
          y,
          color: modelColor(models),
          tooltip: [
            { field: 'model', type: 'nominal' },
            { field: 'id', type: 'nominal', title: 'run' },
            { field: 'startedAt', type: 'temporal', format: '%Y-%m-%d %H:%M:%S UTC', formatType: 'utc' },
            { field, type: 'quantitative', title: axisTitle, format: ',.4~g' },
          ],
        },
      },
    ],
  };
}

/** Metric values over time, and each run's GPU time and wall time. */
export function historyCharts(data: HistoryData): ReportChart[] {
  const models = historyModels(data);
  const charts: ReportChart[] = [];
  const x = runStartAxis(data.runs.map((run) => run.startedAt));
  const rows = historyDatasets(data).historyRuns ?? [];
  if (data.metrics.length > 0) {
    charts.push({
      id: 'history-metrics',
      title: 'Metrics over time',
      description: 'Each corpus metric of every run of this suite, by model and start date; whiskers are 95 % intervals where stored.',
      datasets: ['historyMetrics'],
      spec: {
        data: { name: 'historyMetrics' },
        facet: { row: { field: 'name', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } },
        spec: {
          width: 2 * PANEL_WIDTH,
          height: 120,
          layer: [
            {
              mark: { type: 'rule' },
              encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: modelColor(models) },
            },
            { mark: { type: 'line', strokeWidth: 1 }, encoding: { x, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } }, color: modelColor(models) } },
            {
              mark: { type: 'point', filled: true, size: 50 },
              encoding: {
                x,
                y: { field: 'value', type: 'quantitative' },
                color: modelColor(models),
                tooltip: [
                  { field: 'model', type: 'nominal' },
                  { field: 'runId', type: 'nominal', title: 'run' },
                  { field: 'name', type: 'nominal', title: 'metric' },
                  { field: 'value', type: 'quantitative', format: ',.4~g' },
                  { field: 'ciLow', type: 'quantitative', title: '95 % low', format: ',.4~g' },
                  { field: 'ciHigh', type: 'quantitative', title: '95 % high', format: ',.4~g' },
                ],
              },
            },
          ],
        },
        resolve: { scale: { y: 'independent' } },
      },
    });
  }
  // As in the report's headline: without any GPU figure, the CPU time that did the work stands in.
  const gpuSeen = data.runs.some((run) => run.gpuTimeMs !== null);
  const gpuPartly = data.runs.some((run) => run.gpuTimeMs === null && run.gpuTimeBatches > 0);
  const cpuSeen = data.runs.some((run) => run.cpuMs !== null);
  const energySeen = data.runs.some((run) => run.energyJ !== null);
  const compute = gpuSeen ? 'GPU time' : 'CPU time';
  charts.push({
    id: 'history-cost',
    title: `${compute}${energySeen ? ', GPU energy' : ''} and wall time per run`,
    description: `Total ${gpuSeen ? 'GPU time (∫ utilisation dt over every batch window)' : `CPU time of the logbench process (${gpuPartly ? 'no run measured GPU time in every batch' : `${NO_GPU_VISIBLE} in any run`})`}${
      energySeen ? ', GPU energy' : ''
    } and wall-clock time of each run, by model and start date; a run's total is drawn only where every batch of it measured the figure.`,
    datasets: ['historyRuns'],
    spec: {
      ...(energySeen ? { config: LEGEND_BELOW } : {}),
      hconcat: [
        gpuSeen
          ? costOverTime('GPU time per run', 'gpuTimeS', 'GPU time (s)', rows, models, x)
          : cpuSeen
            ? costOverTime('CPU time per run', 'cpuS', 'CPU time (s)', rows, models, x)
            : messagePanel('GPU time per run', NO_GPU_VISIBLE),
        ...(energySeen ? [costOverTime('GPU energy per run', 'energyKj', 'GPU energy (kJ)', rows, models, x)] : []),
        costOverTime('wall time per run', 'wallS', 'wall time (s)', rows, models, x),
      ],
    },
  });
  return charts.map(configured);
}

export interface RenderHistoryOptions {
  links?: readonly PageLink[];
  /** Where each run's report lives, relative to the history page; no link when absent. */
  reportHref?: (runId: string) => string;
}

export function renderHistoryHtml(data: HistoryData, options: RenderHistoryOptions = {}): string {
  const rows = data.runs
    .map((run) => {
      const id = escapeHtml(run.id);
      const link = options.reportHref === undefined ? `<code>${id}</code>` : `<a href="${escapeHtml(options.reportHref(run.id))}"><code>${id}</code></a>`;
      const cells = [
        escapeHtml(run.startedAt),
        escapeHtml(run.model),
        link,
        escapeHtml(run.status),
        String(run.samples),
        run.wallMs === null ? '—' : escapeHtml(formatDuration(run.wallMs)),
        run.gpuTimeMs !== null ? escapeHtml(formatDuration(run.gpuTimeMs)) : run.gpuTimeBatches > 0 ? escapeHtml(coverageText({ measured: run.gpuTimeBatches, batches: run.batches })) : NO_GPU_VISIBLE,
      ];
      return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const headerHtml = `<header>
<h1>logbench history: ${escapeHtml(data.suiteName)}</h1>
<p class="subtitle">${data.runs.length} runs · generated ${escapeHtml(data.generatedAt)}</p>
</header>
<table class="runs"><tr><th>started</th><th>model</th><th>run</th><th>status</th><th>samples</th><th>wall time</th><th>GPU time</th></tr>
${rows}</table>`;
  return renderPage({
    title: `logbench history: ${data.suiteName}`,
    headerHtml,
    footerHtml: '',
    links: options.links ?? [],
    charts: historyCharts(data),
    datasets: historyDatasets(data),
    samples: null,
  });
}
