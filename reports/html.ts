/**
 * One self-contained HTML file per report: vega, vega-lite and vega-embed inlined from node_modules,
 * the aggregates as JSON in a non-executed script element, no network at view time (a
 * Content-Security-Policy allows only the page's own scripts, by hash, and no requests at all).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReportData, ReportRun, RunCost, SampleView } from './data.js';
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

function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1180px; padding: 1rem 1.5rem 4rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin: 2rem 0 0.3rem; border-bottom: 1px solid #ddd; }
.subtitle, .note, .description { color: #555; } .description { margin: 0 0 0.6rem; }
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
  const energy = data.costs.some((cost) => cost.energyJ !== null);
  const head = `<tr><th>run</th><th>samples</th><th>wall time</th><th>CPU time</th><th>GPU time</th><th>peak GPU memory</th>${
    energy ? '<th>GPU energy</th><th>quality per kJ</th>' : ''
  }</tr>`;
  const body = data.costs
    .map((cost) => {
      const cells = [
        String(cost.samples),
        formatDuration(cost.wallMs),
        cost.cpuMs === null ? '—' : formatDuration(cost.cpuMs),
        cost.gpuTimeMs === null ? NO_GPU_VISIBLE : formatDuration(cost.gpuTimeMs),
        cost.gpuMemPeakMb === null ? NO_GPU_VISIBLE : `${Math.round(cost.gpuMemPeakMb)} MB`,
        ...(energy ? [formatEnergy(cost), cost.qualityPerKj === null ? '—' : formatNumber(cost.qualityPerKj)] : []),
      ];
      return `<tr><th>${escapeHtml(cost.model)}</th>${cells.map((cell) => `<td class="number">${escapeHtml(cell)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table class="costs">${head}\n${body}</table>`;
}

/** A run's GPU energy in kJ, saying how many batches it covers when not all of them measured it. */
export function formatEnergy(cost: Pick<RunCost, 'energyJ' | 'energyBatches' | 'batches'>): string {
  if (cost.energyJ === null) return '—';
  const kj = `${formatNumber(cost.energyJ / 1000)} kJ`;
  return cost.energyBatches < cost.batches ? `${kj} (${cost.energyBatches} of ${cost.batches} batches)` : kj;
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

/** What GPU time means here: harness/telemetry/gpu.ts (`gpuWindowFigures`) defines the figures. */
export const GPU_TIME_DEFINITION =
  'GPU time of a batch is ∫ utilisation dt over the batch window, summed over the GPUs: nvidia-smi’s utilization.gpu ' +
  '(the share of each sample period in which a kernel ran), joined linearly between samples and divided by 100, so one GPU ' +
  'busy through a 2 s batch gives 2 s, and two GPUs each half busy give the same. Peak GPU memory is the largest memory in use ' +
  'during the window (summed over GPUs); the delta is that peak above the memory in use just before the run’s first batch.';

/** What GPU energy and quality per kJ mean: harness/telemetry (nvidia-smi, DCGM) measures the first. */
export const GPU_ENERGY_DEFINITION =
  'GPU energy of a batch is what the GPUs’ own energy counters rose by over the batch window (DCGM’s ' +
  'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, nvidia-smi’s total_energy_consumption), or their power draw integrated over it where ' +
  'no counter is offered; a run’s energy is the sum over its batches. Quality per kJ divides the run’s quality by that energy, ' +
  'and is given only where every batch measured energy and higher quality is better.';

function gpuNoteHtml(data: ReportData): string {
  const blind = data.runs.filter((run) => !run.gpuVisible).map((run) => run.model);
  const blindNote = blind.length === 0 ? '' : ` <strong>${escapeHtml(NO_GPU_VISIBLE)}</strong> for ${escapeHtml(blind.join(', '))}: their GPU columns are empty.`;
  const energy = data.costs.some((cost) => cost.energyJ !== null) ? ` ${escapeHtml(GPU_ENERGY_DEFINITION)}` : '';
  return `<p class="gpu-note" id="gpu-time-definition">${escapeHtml(GPU_TIME_DEFINITION)}${energy}${blindNote}</p>`;
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
</header>
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
