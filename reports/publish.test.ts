import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFixtureStore, openReportFixtureStore } from '../test/support/report-fixtures.js';
import { historyCharts, loadHistoryData } from './history.js';
import { type PublishedSite, publishSite, siteFileName } from './publish.js';
import { NO_GPU_VISIBLE, withDatasets } from './specs.js';

let fixture: ReportFixtureStore;
let siteDir: string;
let site: PublishedSite;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  siteDir = mkdtempSync(join(tmpdir(), 'logbench-site-'));
  site = await publishSite(fixture.store, siteDir);
});
afterAll(async () => {
  await fixture.dispose();
  rmSync(siteDir, { recursive: true, force: true });
});

function hrefs(html: string): string[] {
  return [...html.replace(/<script[\s\S]*?<\/script>/g, '').matchAll(/href="([^"]*)"/g)].map((match) => (match[1] ?? '').replace(/&amp;/g, '&'));
}

describe('loadHistoryData', () => {
  it('lists the suite’s runs oldest first with their GPU time, null without a GPU', async () => {
    const { store, runs } = fixture;
    const history = await loadHistoryData(store, 'alsate-cause-remediation');
    expect(history.runs.map((run) => [run.id, run.model])).toEqual([
      [runs.text.base, 'qwen3-0.6b'],
      [runs.text.finetuned, 'qwen3-0.6b-logs'],
    ]);
    const batches = await store.batches(runs.text.finetuned);
    expect(history.runs[1]?.gpuTimeMs).toBeCloseTo(batches.reduce((total, batch) => total + (batch.gpuTimeMs ?? 0), 0), 9);
    expect(history.runs[0]?.gpuTimeMs).toBeNull();
    const stored = [...(await store.metrics(runs.text.base)), ...(await store.metrics(runs.text.finetuned))].filter((metric) => metric.value !== null);
    expect(history.metrics.map((metric) => `${metric.runId}/${metric.name}`).sort()).toEqual(stored.map((metric) => `${metric.runId}/${metric.name}`).sort());
    await expect(loadHistoryData(store, 'no-such-suite')).rejects.toThrow('no runs of suite "no-such-suite"');
  });

  it('charts metrics and cost over time: CPU time when no run had a GPU, "no GPU visible" when not even that was stored', async () => {
    const history = await loadHistoryData(fixture.store, 'logllm-bgl');
    const charts = historyCharts(history);
    expect(charts.map((chart) => chart.id)).toEqual(['history-metrics', 'history-cost']);
    for (const chart of charts) expect(() => compile(withDatasets(chart, { historyMetrics: history.metrics, historyRuns: history.runs }))).not.toThrow();
    // Issue #13: the cost chart is never an empty panel where the CPU time that did the work is known.
    const blind = historyCharts({ ...history, runs: history.runs.map((run) => ({ ...run, gpuTimeMs: null })) });
    expect(blind[1]?.title).toBe('CPU time and wall time per run');
    expect(JSON.stringify(blind[1]?.spec)).not.toContain(NO_GPU_VISIBLE);
    const unmeasured = historyCharts({ ...history, runs: history.runs.map((run) => ({ ...run, gpuTimeMs: null, cpuMs: null })) });
    expect(JSON.stringify(unmeasured[1]?.spec)).toContain(NO_GPU_VISIBLE);
  });
});

describe('publishSite', () => {
  it('writes an index, one report per run and one history page per suite', () => {
    expect(site.reports).toHaveLength(6);
    expect(site.histories.map((history) => history.suiteName)).toEqual(['alsate-cause-remediation', 'logllm-bgl', 'qwen3-log-analysis']);
    for (const path of [site.indexPath, ...site.reports.map((report) => report.path), ...site.histories.map((history) => history.path)]) {
      expect(existsSync(join(siteDir, path)), path).toBe(true);
    }
    const index = readFileSync(join(siteDir, 'index.html'), 'utf8');
    expect(index).not.toContain('<script');
    for (const report of site.reports) expect(index).toContain(`<a href="${report.path}">`);
  });

  it('compares each run with the other model’s run of the same suite and split', () => {
    const { runs } = fixture;
    const baselineOf = (runId: string) => site.reports.find((report) => report.runId === runId)?.baselineId;
    for (const pair of Object.values(runs)) {
      expect(baselineOf(pair.finetuned)).toBe(pair.base);
      expect(baselineOf(pair.base)).toBe(pair.finetuned);
    }
  });

  it('links only relatively, and every link lands on a written page', () => {
    const pages = [site.indexPath, ...site.reports.map((report) => report.path), ...site.histories.map((history) => history.path)];
    for (const page of pages) {
      const links = hrefs(readFileSync(join(siteDir, page), 'utf8'));
      expect(links.length, page).toBeGreaterThan(0);
      for (const href of links) {
        expect(href, `${page} → ${href}`).not.toMatch(/^([a-z]+:|\/)/i);
        expect(existsSync(resolve(siteDir, dirname(page), href)), `${page} → ${href}`).toBe(true);
      }
    }
  });
});

describe('siteFileName', () => {
  it('keeps safe names and gives unsafe ones distinct safe names', () => {
    expect(siteFileName('20250601T090000Z-ab12cd')).toBe('20250601T090000Z-ab12cd.html');
    const spaced = siteFileName('my suite');
    const underscored = siteFileName('my_suite');
    expect(spaced).toMatch(/^my_suite-[0-9a-f]{8}\.html$/);
    expect(underscored).toBe('my_suite.html');
    expect(siteFileName('../etc')).toMatch(/^__etc-[0-9a-f]{8}\.html$/);
  });
});
