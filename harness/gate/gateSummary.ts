import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ExitCode } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/io/atomicWrite.js';
import { formatChange, formatNumber, formatPValue, formatValue, textTable } from '../../core/format.js';
import { differenceInterval } from './comparison.js';
import { costRows } from './cost.js';
import { runLabel } from './runs.js';
import type { GateReport } from './gate.js';
import type { MetricVerdict } from './verdict.js';
import { DEFAULT_SIGNIFICANCE } from './thresholds.js';

const HEADER = ['metric', 'candidate', 'baseline', 'Δ', 'p', 'rule', 'verdict'];

function verdictText(metric: MetricVerdict): string {
  if (metric.notGated !== null) return `not gated: ${metric.notGated}`;
  return metric.failures.length > 0 ? `regression: ${metric.failures.join('; ')}` : ['pass', ...metric.notes].join(': ');
}

/** One row per metric; `withInterval` adds Δ's interval and the test's name (the Markdown, read where `compare` is not at hand). */
function verdictRows(report: GateReport, withInterval = false): string[][] {
  return report.verdict.metrics.map((metric) => {
    const difference = report.comparison?.metrics.find((m) => m.name === metric.name);
    const p = formatPValue(metric.pValue, metric.resamples);
    return [
      metric.name,
      formatValue(metric.candidate),
      formatValue(metric.baseline),
      formatChange(metric.delta, metric.higherIsBetter),
      ...(withInterval ? [difference ? differenceInterval(difference) : '—', p, difference?.method ?? '—'] : [p]),
      metric.notGated === null ? metric.rules.join('; ') : '—',
      verdictText(metric),
    ];
  });
}

function markdownHeader(report: GateReport): string[] {
  const confidence = report.comparison ? `${formatNumber(report.comparison.confidence * 100)} % interval` : 'interval';
  return ['metric', 'candidate', 'baseline', 'Δ', confidence, 'p', 'test', 'rule', 'verdict'];
}

const COST_HEADER = ['cost (not gated)', 'candidate', 'baseline', 'Δ', 'ratio', 'note'];

function headline(report: GateReport): string {
  const failed = report.verdict.metrics.filter((metric) => metric.failures.length > 0).map((metric) => metric.name);
  const gated = report.verdict.metrics.filter((metric) => metric.notGated === null).length;
  return failed.length === 0 ? `pass (${gated} metrics)` : `regression in ${failed.join(', ')}`;
}

/** How many metrics are listed without a rule, said next to the thresholds so the headline's count is not misread. */
function listedOnlyNote(report: GateReport): string[] {
  const listed = report.verdict.metrics.filter((metric) => metric.notGated !== null).length;
  return listed === 0 ? [] : [`${listed} more metrics listed, not gated`];
}

function context(report: GateReport, code: (text: string) => string): string {
  return [
    `candidate ${code(runLabel(report.candidate))}`,
    ...(report.baseline ? [`baseline ${code(runLabel(report.baseline))}`] : []),
    ...(report.comparison ? [`${report.comparison.samples} paired samples`] : []),
    `thresholds ${report.thresholdsFile === null ? `default (no significant drop, α ${DEFAULT_SIGNIFICANCE})` : code(report.thresholdsFile)}`,
    ...listedOnlyNote(report),
  ].join(' · ');
}

export function gateText(report: GateReport): string {
  const cost = report.comparison ? ['', textTable(COST_HEADER, costRows(report.comparison.cost), 'lrrrrl')] : [];
  return [context(report, (text) => text), '', textTable(HEADER, verdictRows(report), 'lrrrrll'), ...cost, '', `gate: ${headline(report)}`].join('\n') + '\n';
}

const LEGEND =
  'Δ is candidate − baseline, ▲ better / ▼ worse in the metric’s direction, with its interval; p is the paired test ' +
  '(exact McNemar for accuracy, two-sided paired bootstrap otherwise; — where the metric has none: test `stored values`). ' +
  'Cost figures are totals over each run’s batches (seconds, joules), shown but never gated.';

/** The verdict as GitHub-flavoured Markdown, for job summaries and PR comments. */
export function gateMarkdown(report: GateReport): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `### ${report.verdict.passed ? '✅' : '❌'} logbench gate: ${headline(report)}`,
    '',
    context(report, (text) => `\`${text}\``),
    '',
    row(markdownHeader(report)),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---', '---', '---']),
    ...verdictRows(report, true).map(row),
    '',
    ...(report.comparison ? [row(COST_HEADER), row(['---', '---:', '---:', '---:', '---:', '---']), ...costRows(report.comparison.cost).map(row), ''] : []),
    LEGEND,
    '',
  ].join('\n');
}

/** What a summary says when the gate could not judge the candidate (exit 2 or 3). */
export function gateFailureMarkdown(message: string, exitCode: number): string {
  const title = exitCode === ExitCode.notComparable ? 'runs not comparable' : 'could not judge the candidate';
  return [`### ⚠️ logbench gate: ${title} (exit ${exitCode})`, '', '```text', message, '```', ''].join('\n');
}

/** Writes `markdown` to `file` when given, and appends it to the GitHub job summary when one is open. */
export function publishSummary(markdown: string, file: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (file !== undefined) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileAtomic(file, markdown);
  }
  const jobSummary = env['GITHUB_STEP_SUMMARY'];
  if (jobSummary) appendFileSync(jobSummary, markdown + '\n');
}
