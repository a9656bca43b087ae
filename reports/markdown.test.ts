import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFixtureStore, openReportFixtureStore } from '../test/support/report-fixtures.js';
import { type ReportData, loadReportData } from './data.js';
import { formatMetric, formatNumber, formatSigned } from '../core/format.js';
import { renderReportMarkdown } from './markdown.js';

let fixture: ReportFixtureStore;
let data: ReportData;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  data = await loadReportData(fixture.store, { runId: fixture.runs.text.finetuned, baselineId: fixture.runs.text.base });
});
afterAll(() => fixture.dispose());

describe('formatting', () => {
  it('keeps four significant digits, integers whole, and signs deltas', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1234.5678)).toBe('1235');
    expect(formatNumber(48)).toBe('48');
    expect(formatSigned(0.5)).toBe('+0.5');
    expect(formatSigned(-0.25)).toBe('-0.25');
    expect(formatMetric({ value: 0.41234, ciLow: 0.4, ciHigh: 0.43 })).toBe('0.4123 [0.4, 0.43]');
    expect(formatMetric({ value: 3, ciLow: null, ciHigh: null })).toBe('3');
    expect(formatMetric(undefined)).toBe('—');
  });
});

describe('renderReportMarkdown', () => {
  it('tables every metric by model with its interval and the candidate − baseline delta', () => {
    const markdown = renderReportMarkdown(data);
    const rougeL = (runId: string) => data.metrics.find((metric) => metric.runId === runId && metric.name === 'rougeL');
    const candidate = rougeL(fixture.runs.text.finetuned);
    const baseline = rougeL(fixture.runs.text.base);
    expect(markdown).toContain('| metric | qwen3-0.6b-logs | qwen3-0.6b | Δ (candidate − baseline) |');
    expect(markdown).toContain(
      `| rougeL | ${formatMetric(candidate)} | ${formatMetric(baseline)} | ${formatSigned((candidate?.value ?? 0) - (baseline?.value ?? 0))} |`,
    );
    expect(markdown).not.toContain('Not directly comparable');
  });

  it('lists each run’s cost, "no GPU visible" where it had none', () => {
    const markdown = renderReportMarkdown(data);
    expect(markdown).toMatch(/\| qwen3-0\.6b \(`text-base`\) \| 48 \(0\) \| [\d.]+ s \| no GPU visible \| no GPU visible \|/);
    expect(markdown).toMatch(/\| qwen3-0\.6b-logs \(`text-finetuned`\) \| 48 \(0\) \| [\d.]+ s \| [\d.]+ m?s \| \d+ MiB \|/);
  });

  it('keeps odd metric names inside their cell and inert', () => {
    const odd = { ...data, metrics: data.metrics.map((metric) => ({ ...metric, name: metric.name === 'fuzzy' ? 'a|b\n<img src=x>' : metric.name })) };
    const line = renderReportMarkdown(odd)
      .split('\n')
      .find((row) => row.startsWith('| a'));
    expect(line?.startsWith('| a\\|b &lt;img src=x&gt; |')).toBe(true);
  });

  it('has no delta column without a baseline, and flags runs that are not comparable', () => {
    const single = renderReportMarkdown({ ...data, runs: [data.candidate], baseline: null, comparability: null });
    expect(single).toContain('| metric | qwen3-0.6b-logs |\n| --- | ---: |');
    const incomparable = renderReportMarkdown({ ...data, comparability: { sameSplit: true, samePrompt: false, sameDecoding: true } });
    expect(incomparable).toContain('> **Not directly comparable:** the runs differ in prompt.');
  });
});

describe('the verdict in the Markdown summary', () => {
  it('follows the title, in bold, as the HTML headline has it (markup characters escaped as in every cell)', () => {
    const lines = renderReportMarkdown(data).split('\n');
    expect(data.verdict).toMatch(/^qwen3-0\.6b-logs vs qwen3-0\.6b: /);
    expect(lines.slice(0, 3)).toEqual([expect.stringMatching(/^### logbench · /), '', `**${(data.verdict ?? '').replace(/</g, '&lt;')}**`]);
  });
});
