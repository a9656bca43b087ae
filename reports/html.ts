/**
 * One self-contained HTML file per report: vega, vega-lite and vega-embed inlined from node_modules,
 * the aggregates as JSON in a non-executed script element, no network at view time (a
 * Content-Security-Policy allows only the page's own scripts, by hash, and no requests at all).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReportData, ReportRun, RunCost, RunTotalFigure, SampleView } from './data.js';
import { coverageText } from '../harness/gate/cost.js';
import type { GpuSource } from '../harness/telemetry/batchTelemetry.js';
import { formatDuration, formatMetric, formatNumber, formatSigned } from '../core/format.js';
import { reportMetricRows } from './data.js';
import { type Datasets, type ReportChart, NO_GPU_VISIBLE, reportCharts, reportDatasets } from './specs.js';
import { VIEWER_SCRIPT } from './viewer.js';

const require = createRequire(import.meta.url);

/** The packages' minified browser builds, next to each package's entry point. */
const VEGA_BUILDS = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
] as const;

/** Script text safe inside <script>: no source-map comment (a fetch in devtools), no sequence that ends the element. */
function inlineScript(source: string, name: string): string {
  const script = source.replace(/^\/\/# sourceMappingURL=.*$/gm, '');
  if (/<\/script|<!--/i.test(script)) throw new Error(`${name} contains </script or <!--, which would end the inline script early`);
  return script;
}

let vegaScripts: string[] | undefined;
function vegaLibraries(): string[] {
  vegaScripts ??= VEGA_BUILDS.map(([pkg, file]) => inlineScript(readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8'), file));
  return vegaScripts;
}

const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/g;

/** Display precision of the embedded figures; the store keeps full precision. */
const SIGNIFICANT_DIGITS = 6;

/**
 * JSON that cannot end its <script> element or start markup in it: `<`, `>`, `&` and the JS line
 * separators U+2028/U+2029 become \u escapes, which JSON.parse reads back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'number' && !Number.isInteger(item) ? Number(item.toPrecision(SIGNIFICANT_DIGITS)) : item,
  );
  return json.replace(UNSAFE_IN_SCRIPT, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

export function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

export const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1180px; padding: 1rem 1.5rem 4rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin: 2rem 0 0.3rem; border-bottom: 1px solid #ddd; }
.subtitle, .note, .description { color: #555; } .description { margin: 0 0 0.6rem; }
.verdict { font-size: 1.05rem; font-weight: 600; margin: 0.3rem 0 0.8rem; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } td.number { font-variant-numeric: tabular-nums; text-align: right; }
code { font-size: 12px; word-break: break-all; }
.warning { background: #fff4e5; border-left: 4px solid #f0a020; padding: 0.5rem 0.8rem; }
.gpu-note { background: #f3f7fb; border-left: 4px solid #4c78a8; padding: 0.5rem 0.8rem; }
.chart-view { overflow-x: auto; min-height: 40px; }
details.sample { border: 1px solid #ddd; margin: 0.4rem 0; padding: 0.3rem 0.6rem; }
details.sample summary { cursor: pointer; font-family: ui-monospace, monospace; font-size: 12px; }
details.decoding summary { cursor: pointer; }
.text-title { font-weight: 600; margin-top: 0.5rem; }
pre { white-space: pre-wrap; word-break: break-word; background: #fafafa; border: 1px solid #eee; padding: 0.4rem; margin: 0.2rem 0; font-size: 12px; max-height: 24rem; overflow: auto; }
`;

export interface PageLink {
  href: string;
  text: string;
}

export interface PageContent {
  title: string;
  /** Markup above the charts; every interpolated value already escaped. */
  headerHtml: string;
  /** Markup below the charts. */
  footerHtml: string;
  links: readonly PageLink[];
  charts: readonly ReportChart[];
  datasets: Datasets;
  /** Rendered by the viewer into #samples-worst and #samples-changed. */
  samples: { worst: readonly SampleView[]; mostChanged: readonly SampleView[] } | null;
}

/** Assembles a page: static markup, one container per chart, the payload and the inlined scripts. */
export function renderPage(content: PageContent): string {
  // A page with nothing to draw (the site index) needs no script at all.
  const interactive = content.charts.length > 0 || content.samples !== null;
  const scripts = interactive ? [...vegaLibraries(), VIEWER_SCRIPT] : [];
  const csp = [
    "default-src 'none'",
    // Vega compiles its expressions with new Function, hence 'unsafe-eval'; scripts run only by hash.
    interactive ? `script-src ${scripts.map(scriptHash).join(' ')} 'unsafe-eval'` : "script-src 'none'",
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const usedDatasets = new Set(content.charts.flatMap((chart) => chart.datasets));
  const payload = {
    charts: content.charts.map((chart) => ({ id: chart.id, datasets: chart.datasets, spec: chart.spec })),
    datasets: Object.fromEntries(Object.entries(content.datasets).filter(([name]) => usedDatasets.has(name))),
    samples: content.samples,
  };
  const chartSections = content.charts
    .map(
      (chart) => `<section class="chart" id="section-${escapeHtml(chart.id)}">
<h2>${escapeHtml(chart.title)}</h2>
<p class="description">${escapeHtml(chart.description)}</p>
<div class="chart-view" id="chart-${escapeHtml(chart.id)}"></div>
</section>`,
    )
    .join('\n');
  const nav = content.links.length === 0 ? '' : `<nav>${content.links.map((link) => `<a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>`).join('')}</nav>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${nav}
${content.headerHtml}
${interactive ? '<noscript><p class="warning">The charts and the sample browser need JavaScript; the tables above do not.</p></noscript>' : ''}
${chartSections}
${content.footerHtml}
${interactive ? `<script type="application/json" id="report-payload">${scriptSafeJson(payload)}</script>` : ''}
${scripts.map((script) => `<script>${script}</script>`).join('\n')}
</body>
</html>
`;
}

/** The decoding parameters folded behind one summary line naming them: a response_format schema is pages long. */
export function decodingHtml(decoding: Record<string, unknown>): string {
  const names = Object.keys(decoding);
  if (names.length === 0) return 'none';
  return `<details class="decoding"><summary>${escapeHtml(`${names.length} parameter${names.length === 1 ? '' : 's'}: ${names.join(', ')}`)}</summary><pre>${escapeHtml(
    JSON.stringify(decoding, null, 2),
  )}</pre></details>`;
}

function runTable(runs: readonly ReportRun[]): string {
  const rows: [string, (run: ReportRun) => string][] = [
    ['run id', (run) => `<code>${escapeHtml(run.id)}</code>`],
    ['role', (run) => escapeHtml(run.role)],
    ['provider / model name', (run) => escapeHtml(`${run.provider}${run.modelName === null ? '' : ` / ${run.modelName}`}`)],
    ['task', (run) => escapeHtml(run.task)],
    ['status', (run) => escapeHtml(run.status)],
    ['started / finished', (run) => escapeHtml(`${run.startedAt} / ${run.finishedAt ?? '—'}`)],
    ['predictions (errors)', (run) => escapeHtml(`${run.predictions} (${run.errors})`)],
    ['split hash', (run) => `<code>${escapeHtml(run.splitHash)}</code>`],
    ['prompt hash', (run) => `<code>${escapeHtml(run.promptHash ?? '—')}</code>`],
    ['config hash', (run) => `<code>${escapeHtml(run.configHash)}</code>`],
    ['endpoint', (run) => (run.endpoint === null ? 'in-process' : `<code>${escapeHtml(run.endpoint)}</code>`)],
    ['decoding', (run) => decodingHtml(run.decoding)],
    ['git', (run) => escapeHtml(run.gitSha === null ? '—' : `${run.gitSha}${run.gitDirty === true ? ' (dirty)' : ''}`)],
    ['harness / host', (run) => escapeHtml(`${run.harnessVersion} / ${run.host}`)],
    ['GPU', (run) => escapeHtml(run.gpuVisible ? `${run.gpuName ?? 'unnamed GPU'}${run.gpuSource === null ? '' : ` (${run.gpuSource})`}` : (run.telemetryNote ?? NO_GPU_VISIBLE))],
  ];
  const head = `<tr><th></th>${runs.map((run) => `<th>${escapeHtml(run.model)}</th>`).join('')}</tr>`;
  const body = rows.map(([label, cell]) => `<tr><th>${escapeHtml(label)}</th>${runs.map((run) => `<td>${cell(run)}</td>`).join('')}</tr>`).join('\n');
  return `<table class="runs">${head}\n${body}</table>`;
}

function metricsTableHtml(data: ReportData): string {
  const rows = reportMetricRows(data);
  if (rows.length === 0) return '<p class="note">No corpus metrics are stored for these runs.</p>';
  const withDelta = data.baseline !== null;
  const head = `<tr><th>metric</th>${data.runs.map((run) => `<th>${escapeHtml(run.model)}</th>`).join('')}${withDelta ? '<th>Δ candidate − baseline</th>' : ''}</tr>`;
  const body = rows
    .map(
      (row) =>
        `<tr><th>${escapeHtml(row.name)}</th>${row.cells.map((cell) => `<td class="number">${escapeHtml(formatMetric(cell))}</td>`).join('')}${
          withDelta ? `<td class="number">${row.delta === null ? '—' : escapeHtml(formatSigned(row.delta))}</td>` : ''
        }</tr>`,
    )
    .join('\n');
  return `<table class="metrics">${head}\n${body}</table>`;
}

function costsTableHtml(data: ReportData): string {
  const energy = data.costs.some((cost) => cost.measured.energyJ > 0);
  const head = `<tr><th>run</th><th>samples</th><th>wall time</th><th>CPU time</th><th>GPU time</th><th>peak GPU memory</th>${
    energy ? '<th>GPU energy</th><th>quality per kJ</th>' : ''
  }</tr>`;
  const body = data.costs
    .map((cost) => {
      const cells = [
        String(cost.samples),
        formatDuration(cost.wallMs),
        runTotalText(cost, 'cpuMs', formatDuration, '—'),
        runTotalText(cost, 'gpuTimeMs', formatDuration, NO_GPU_VISIBLE),
        runTotalText(cost, 'gpuMemPeakMb', formatMib, NO_GPU_VISIBLE),
        ...(energy ? [runTotalText(cost, 'energyJ', formatKj, '—'), cost.qualityPerKj === null ? '—' : formatNumber(cost.qualityPerKj)] : []),
      ];
      return `<tr><th>${escapeHtml(cost.model)}</th>${cells.map((cell) => `<td class="number">${escapeHtml(cell)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table class="costs">${head}\n${body}</table>`;
}

/** GPU memory as nvidia-smi's memory.used and DCGM_FI_DEV_FB_USED give it: MiB. */
export function formatMib(mib: number): string {
  return `${Math.round(mib)} MiB`;
}

export function formatKj(joules: number): string {
  return `${formatNumber(joules / 1000)} kJ`;
}

/**
 * A run total as a table cell: the figure where every batch measured it, else how many batches did
 * (the rule compare and gate follow), or `missing` where none did.
 */
export function runTotalText(cost: Pick<RunCost, RunTotalFigure | 'measured' | 'batches'>, figure: RunTotalFigure, format: (value: number) => string, missing: string): string {
  const value = cost[figure];
  if (value !== null) return format(value);
  return cost.measured[figure] === 0 ? missing : coverageText({ measured: cost.measured[figure], batches: cost.batches });
}

/** Why two runs may not be comparable, or an empty string. */
function comparabilityWarning(data: ReportData): string {
  const c = data.comparability;
  if (c === null) return '';
  const differences = [
    ...(c.sameSplit ? [] : ['test split (split hash)']),
    ...(c.samePrompt ? [] : ['prompt (prompt hash)']),
    ...(c.sameDecoding ? [] : ['decoding parameters']),
  ];
  if (differences.length === 0) return '';
  return `<p class="warning">These runs differ in ${escapeHtml(differences.join(', '))}: their figures are not directly comparable.</p>`;
}

/** What each telemetry reads, in its own names: harness/telemetry/gpu.ts (nvidia-smi) and dcgm.ts (DCGM exporter) define the figures. */
const GPU_SOURCES: Record<GpuSource, { util: string; memory: string; energy: string }> = {
  'nvidia-smi': {
    util: 'nvidia-smi’s utilization.gpu (the share of each sample period in which a kernel ran)',
    memory: 'nvidia-smi’s memory.used',
    energy: 'nvidia-smi’s power.draw integrated over the batch window (nvidia-smi has no energy counter among its query fields)',
  },
  dcgm: {
    util: 'the DCGM exporter’s DCGM_FI_DEV_GPU_UTIL',
    memory: 'the DCGM exporter’s DCGM_FI_DEV_FB_USED',
    energy:
      'the rise of the DCGM exporter’s DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter (mJ) between the batch’s opening and closing scrape, ' +
      'or DCGM_FI_DEV_POWER_USAGE integrated over the window for a GPU without that counter',
  },
};

/** The rule every total of a report, compare and gate follows. */
export const RUN_TOTAL_RULE = 'A run’s total of a per-batch figure is given only where every batch measured it; otherwise the table says how many batches did.';

/**
 * What GPU time, GPU memory and GPU energy mean in a report, in the words of the telemetry its runs
 * used (each source naming its runs where they differ; every source where no run had one).
 */
export function gpuDefinitions(runs: readonly Pick<ReportRun, 'model' | 'gpuSource'>[]): { gpuTime: string; energy: string } {
  const used = [...new Set(runs.flatMap((run) => (run.gpuSource === null ? [] : [run.gpuSource])))];
  const sources = used.length === 0 ? (Object.keys(GPU_SOURCES) as GpuSource[]) : used;
  const named = (field: 'util' | 'memory' | 'energy') =>
    sources
      .map((source) => `${GPU_SOURCES[source][field]}${used.length > 1 ? ` (${runs.filter((run) => run.gpuSource === source).map((run) => run.model).join(', ')})` : ''}`)
      .join(used.length > 1 ? '; ' : ' or ');
  return {
    gpuTime:
      `GPU time of a batch is ∫ utilisation dt over the batch window, summed over the GPUs, utilisation being ${named('util')}, ` +
      'joined linearly between samples and divided by 100: one GPU busy through a 2 s batch gives 2 s, and two GPUs each half busy give the same. ' +
      `Peak GPU memory is the largest memory in use during the window, summed over the GPUs, as ${named('memory')} gives it, in MiB; ` +
      'the delta is that peak above the memory in use just before the run’s first batch.',
    energy:
      `GPU energy of a batch is ${named('energy')}, in J, summed over the GPUs; a run’s energy is the sum over its batches. ` +
      'Quality per kJ divides the run’s quality by that energy, where higher quality is better.',
  };
}

function gpuNoteHtml(data: ReportData): string {
  const blind = data.runs.filter((run) => !run.gpuVisible).map((run) => run.model);
  const blindNote = blind.length === 0 ? '' : ` <strong>${escapeHtml(NO_GPU_VISIBLE)}</strong> for ${escapeHtml(blind.join(', '))}: their GPU columns are empty.`;
  const definitions = gpuDefinitions(data.runs);
  const energy = data.costs.some((cost) => cost.measured.energyJ > 0) ? ` ${definitions.energy}` : '';
  return `<p class="gpu-note" id="gpu-time-definition">${escapeHtml(`${definitions.gpuTime}${energy} ${RUN_TOTAL_RULE}`)}${blindNote}</p>`;
}

export interface RenderReportOptions {
  /** Navigation links at the top (relative, for a published site). */
  links?: readonly PageLink[];
}

/** The whole report of `data` as one self-contained HTML document. */
export function renderReportHtml(data: ReportData, options: RenderReportOptions = {}): string {
  const versus = data.baseline === null ? data.candidate.model : `${data.candidate.model} vs ${data.baseline.model}`;
  const quality = data.qualityMetric;
  const headerHtml = `<header>
<h1>logbench report: ${escapeHtml(data.suiteName)}</h1>
<p class="subtitle">${escapeHtml(versus)} · task ${escapeHtml(data.candidate.task)} · generated ${escapeHtml(data.generatedAt)}</p>
${data.verdict === null ? '' : `<p class="verdict" id="verdict">${escapeHtml(data.verdict)}</p>\n`}</header>
${comparabilityWarning(data)}
<h2>Runs</h2>
${runTable(data.runs)}
<h2>Metrics</h2>
${metricsTableHtml(data)}
<h2>Cost</h2>
${costsTableHtml(data)}
${gpuNoteHtml(data)}`;
  const rankedBy =
    quality === null
      ? 'No per-sample scores are stored, so no samples are ranked.'
      : `Ranked by per-sample ${quality.name} (${quality.higherIsBetter ? 'higher' : 'lower'} is better). Inputs are cut to a few hundred characters, outputs to 2,000.`;
  const footerHtml = `<section id="samples">
<h2>Sample browser</h2>
<p class="description">${escapeHtml(rankedBy)}</p>
<h3>Worst-scoring samples of ${escapeHtml(data.candidate.model)}</h3>
<div id="samples-worst"></div>
${data.baseline === null ? '' : `<h3>Samples that changed most between the runs</h3>\n<div id="samples-changed"></div>`}
</section>`;
  return renderPage({
    title: `logbench: ${data.suiteName} — ${versus}`,
    headerHtml,
    footerHtml,
    links: options.links ?? [],
    charts: reportCharts(data),
    datasets: reportDatasets(data),
    samples: data.samples,
  });
}
