/** The report as GitHub-flavoured Markdown, for CI job summaries: metric × model with deltas and intervals, then cost. */
import type { ReportData, RunTotalFigure } from './data.js';
import { formatDuration, formatMetric, formatNumber, formatSigned } from '../core/format.js';
import { RUN_TOTAL_RULE, formatKj, formatMib, gpuDefinitions, runTotalText } from './html.js';
import { reportMetricRows } from './data.js';
import { NO_GPU_VISIBLE } from './specs.js';

/** Text safe in a table cell: no column break, no line break, no markup (job summaries render HTML). */
function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function renderReportMarkdown(data: ReportData): string {
  const versus = data.baseline === null ? data.candidate.model : `${data.candidate.model} vs ${data.baseline.model}`;
  const lines = [`### logbench · ${cell(data.suiteName)}: ${cell(versus)}`, '', ...(data.verdict === null ? [] : [`**${cell(data.verdict)}**`, ''])];
  const c = data.comparability;
  if (c !== null && !(c.sameSplit && c.samePrompt && c.sameDecoding)) {
    const differences = [...(c.sameSplit ? [] : ['test split']), ...(c.samePrompt ? [] : ['prompt']), ...(c.sameDecoding ? [] : ['decoding parameters'])];
    lines.push(`> **Not directly comparable:** the runs differ in ${differences.join(', ')}.`, '');
  }

  const metrics = reportMetricRows(data);
  const withDelta = data.baseline !== null;
  if (metrics.length === 0) {
    lines.push('No corpus metrics are stored for these runs.', '');
  } else {
    lines.push(
      row(['metric', ...data.runs.map((run) => cell(run.model)), ...(withDelta ? ['Δ (candidate − baseline)'] : [])]),
      row(['---', ...data.runs.map(() => '---:'), ...(withDelta ? ['---:'] : [])]),
      ...metrics.map((metric) =>
        row([
          cell(metric.name),
          ...metric.cells.map((value) => cell(formatMetric(value))),
          ...(withDelta ? [metric.delta === null ? '—' : formatSigned(metric.delta)] : []),
        ]),
      ),
      '',
      'Values are corpus metrics with their 95 % bootstrap interval in brackets where the run computed one.',
      '',
    );
  }

  const energy = data.costs.some((cost) => cost.measured.energyJ > 0);
  const definitions = gpuDefinitions(data.runs);
  lines.push(
    row(['run', 'predictions (errors)', 'wall time', 'GPU time', 'peak GPU memory', ...(energy ? ['GPU energy', 'quality per kJ'] : [])]),
    row(['---', '---:', '---:', '---:', '---:', ...(energy ? ['---:', '---:'] : [])]),
    ...data.runs.map((run) => {
      const cost = data.costs.find((item) => item.runId === run.id);
      const total = (figure: RunTotalFigure, format: (value: number) => string, missing: string) => (cost === undefined ? missing : runTotalText(cost, figure, format, missing));
      return row([
        `${cell(run.model)} (\`${cell(run.id)}\`)`,
        `${run.predictions} (${run.errors})`,
        cost === undefined ? '—' : formatDuration(cost.wallMs),
        total('gpuTimeMs', formatDuration, NO_GPU_VISIBLE),
        total('gpuMemPeakMb', formatMib, NO_GPU_VISIBLE),
        ...(energy ? [total('energyJ', formatKj, '—'), cost?.qualityPerKj == null ? '—' : formatNumber(cost.qualityPerKj)] : []),
      ]);
    }),
    '',
    `${definitions.gpuTime}${energy ? ` ${definitions.energy}` : ''} ${RUN_TOTAL_RULE}`,
    '',
  );
  return lines.join('\n');
}
