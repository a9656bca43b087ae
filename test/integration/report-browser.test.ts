/**
 * The generated reports in real headless Chromium: every chart draws, nothing is fetched, nothing
 * is logged, axis labels are whole batches and never run together, and a model output carrying
 * <script> / <img onerror> stays text. The offline default's report and a DCGM-telemetry run's
 * report are photographed (into docs/, which the README shows, with LOGBENCH_UPDATE_SCREENSHOTS=1).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportData, publishSite, renderReportHtml } from '../../reports/index.js';
import { REPO, runCli } from '../support/cli.js';
import { screenshotPath } from '../support/screenshots.js';
import { HOSTILE_OUTPUT, type ReportFixtureStore, openFixtureStore, openReportFixtureStore, writeGpuTelemetryPair } from '../support/report-fixtures.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let fixture: ReportFixtureStore;
let outDir: string;
let browser: Browser;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  outDir = mkdtempSync(join(tmpdir(), 'logbench-report-browser-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser.close();
  await fixture.dispose();
  rmSync(outDir, { recursive: true, force: true });
});

/** One drawn axis: its title and its visible tick labels with their boxes on the page. */
interface DrawnAxis {
  title: string;
  labels: { text: string; left: number; right: number; top: number; bottom: number }[];
}

interface OpenedPage {
  /** Console messages of any level, and uncaught errors. */
  messages: string[];
  requests: string[];
  /** Per chart container: render state, drawn mark items, panels that only hold a message, and axes. */
  charts: { id: string; rendered: string | null; svgs: number; markItems: number; messagePanels: number; axes: DrawnAxis[] }[];
  pwned: unknown;
  sampleTexts: string[];
  injectedElements: number;
}

/** Opens `file`, waits for every chart, reads the page's state, then hands the page to `use` (a screenshot) before closing it. */
async function openPage(file: string, use?: (page: Page) => Promise<void>): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const messages: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-done]', { timeout: 30_000 });
    const state = await page.evaluate(() => {
      interface Box {
        left: number;
        right: number;
        top: number;
        bottom: number;
      }
      interface DomNode {
        id: string;
        textContent: string | null;
        getAttribute(name: string): string | null;
        querySelectorAll(s: string): ArrayLike<DomNode>;
        getBoundingClientRect(): Box;
      }
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<DomNode> } }).document;
      const box = (node: DomNode) => {
        const rect = node.getBoundingClientRect();
        return { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
      };
      return {
        charts: Array.from(doc.querySelectorAll('.chart-view')).map((node) => ({
          id: node.id,
          rendered: node.getAttribute('data-rendered'),
          svgs: node.querySelectorAll('svg').length,
          markItems: node.querySelectorAll('svg g.role-mark > *').length,
          // A panel with text marks and no axis is a "nothing to plot" message (specs.ts messagePanel).
          messagePanels: Array.from(node.querySelectorAll('svg g.role-scope')).filter(
            (scope) => scope.querySelectorAll('g.mark-text.role-mark text').length > 0 && scope.querySelectorAll('g.role-axis').length === 0 && scope.querySelectorAll('g.role-mark path, g.role-mark line, g.role-mark rect').length === 0,
          ).length,
          axes: Array.from(node.querySelectorAll('svg g.role-axis')).map((axis) => ({
            title: Array.from(axis.querySelectorAll('g.role-axis-title text')).map((title) => title.textContent ?? '').join(' '),
            // Vega hides labels it drops for overlap with opacity 0.
            labels: Array.from(axis.querySelectorAll('g.role-axis-label text'))
              .filter((label) => label.getAttribute('opacity') !== '0')
              .map((label) => ({ text: label.textContent ?? '', ...box(label) })),
          })),
        })),
        pwned: (globalThis as unknown as { __pwned?: unknown }).__pwned,
        sampleTexts: Array.from(doc.querySelectorAll('#samples pre')).map((node) => node.textContent ?? ''),
        injectedElements: doc.querySelectorAll('#samples img, #samples script, #samples b').length,
      };
    });
    if (use !== undefined) await use(page);
    return { messages, requests, ...state };
  } finally {
    await page.close();
  }
}

/** Labels closer than this (px) read as one ("0.000.02"). */
const LABEL_GAP = 2;

/** Axis labels that run into a neighbour, as "chart/axis: a|b". */
function crowdedLabels(opened: OpenedPage): string[] {
  const crowded: string[] = [];
  for (const chart of opened.charts) {
    for (const axis of chart.axes) {
      axis.labels.forEach((a, i) => {
        for (const b of axis.labels.slice(i + 1)) {
          const apart = a.right + LABEL_GAP <= b.left || b.right + LABEL_GAP <= a.left || a.bottom + LABEL_GAP <= b.top || b.bottom + LABEL_GAP <= a.top;
          if (!apart) crowded.push(`${chart.id}/${axis.title}: ${a.text}|${b.text}`);
        }
      });
    }
  }
  return crowded;
}

/** Labels of every axis titled `title`, across the page's charts. */
function labelsOf(opened: OpenedPage, title: string): string[][] {
  return opened.charts.flatMap((chart) => chart.axes.filter((axis) => axis.title === title).map((axis) => axis.labels.map((label) => label.text)));
}

/** What every page must be: drawn, silent, offline, with whole-batch ticks and labels that never run together. */
function expectTrustworthy(opened: OpenedPage, file: string): void {
  expect(opened.messages).toEqual([]);
  expect(opened.requests).toEqual([pathToFileURL(file).href]);
  for (const chart of opened.charts) {
    expect(chart, chart.id).toMatchObject({ rendered: 'true', svgs: 1 });
    expect(chart.markItems, chart.id).toBeGreaterThan(0);
  }
  expect(crowdedLabels(opened)).toEqual([]);
  const batchAxes = labelsOf(opened, 'batch');
  for (const labels of batchAxes) for (const label of labels) expect(label).toMatch(/^\d+$/);
  // No label pads a number with zeros ("30,000.000000", "1.000000"): a constant series once drew those.
  for (const chart of opened.charts) for (const axis of chart.axes) for (const label of axis.labels) expect(label.text, `${chart.id}/${axis.title}`).not.toMatch(/\.\d*0$/);
}

describe('a report in headless Chromium', () => {
  for (const task of ['text', 'classification', 'jsonAnalysis'] as const) {
    it(`draws every chart of the ${task} report, logs nothing and requests nothing but itself`, async () => {
      const pair = fixture.runs[task];
      const file = join(outDir, `${task}.html`);
      writeFileSync(file, renderReportHtml(await loadReportData(fixture.store, { runId: pair.finetuned, baselineId: pair.base })));
      const opened = await openPage(file);
      expectTrustworthy(opened, file);
      expect(opened.charts.length).toBeGreaterThanOrEqual(6);
      expect(labelsOf(opened, 'batch').length).toBeGreaterThan(0);
      expect(opened.pwned).toBeUndefined();
      expect(opened.injectedElements).toBe(0);
      // The hostile output and input are shown, as text.
      expect(opened.sampleTexts).toContain(HOSTILE_OUTPUT);
      expect(opened.sampleTexts.some((text) => text.startsWith(`${HOSTILE_OUTPUT}\n`))).toBe(true);
    });
  }

  it('labels a constant series on a scale from 0, without padding zeros ("1.000000")', async () => {
    const data = await loadReportData(fixture.store, { runId: fixture.runs.text.finetuned, baselineId: fixture.runs.text.base });
    const perfect = {
      ...data,
      batches: data.batches.map((batch) => ({ ...batch, quality: 1 })),
      costs: data.costs.map((cost) => ({ ...cost, quality: 1, qualityCiLow: null, qualityCiHigh: null })),
    };
    const file = join(outDir, 'constant.html');
    writeFileSync(file, renderReportHtml(perfect));
    const opened = await openPage(file);
    expectTrustworthy(opened, file);
    for (const title of ['rougeL', 'quality']) {
      const axes = labelsOf(opened, title);
      expect(axes.length, title).toBeGreaterThan(0);
      for (const labels of axes) expect([labels[0], labels.at(-1)], title).toEqual(['0', '1']);
    }
  });

  it('draws CPU time and memory, not empty GPU panels, in the headline of a run without GPU figures', async () => {
    const file = join(outDir, 'base.html');
    writeFileSync(file, renderReportHtml(await loadReportData(fixture.store, { runId: fixture.runs.text.base })));
    const opened = await openPage(file);
    expectTrustworthy(opened, file);
    expect(opened.charts.find((chart) => chart.id === 'chart-headline')?.messagePanels).toBe(0);
    // The resources chart still says "no GPU visible" in its two GPU panels: that is what a message panel looks like.
    expect(opened.charts.find((chart) => chart.id === 'chart-resources')?.messagePanels).toBe(2);
  });

  it('draws the history pages of a published site', async () => {
    const site = await publishSite(fixture.store, join(outDir, 'site'));
    for (const history of site.histories) {
      const file = join(outDir, 'site', history.path);
      const opened = await openPage(file);
      expectTrustworthy(opened, file);
      expect(opened.charts.map((chart) => chart.id)).toEqual(['chart-history-metrics', 'chart-history-cost']);
      // Runs an hour apart are labelled by time of day, never by a bare fraction of a second (".925").
      const times = labelsOf(opened, 'run started (UTC)');
      expect(times.length).toBeGreaterThan(0);
      for (const labels of times) {
        expect(labels.length, labels.join(' ')).toBeGreaterThan(0);
        expect(new Set(labels).size, labels.join(' ')).toBe(labels.length);
        for (const label of labels) expect(label).toMatch(/^\d\d:\d\d$/);
      }
    }
  });
});

/** The README's pictures: what a report looks like, photographed from the headline to the quality-against-cost chart. */
const SCREENSHOT_BYTES = 300 * 1024;


async function photographHeadline(page: Page, png: string): Promise<void> {
  const top = await page.locator('#section-headline').boundingBox();
  const bottom = await page.locator('#section-quality-cost').boundingBox();
  if (top === null || bottom === null) throw new Error('the report has no headline or quality-against-cost section');
  const clip = { x: 0, y: top.y - 8, width: 1280, height: bottom.y + bottom.height - top.y + 16 };
  await page.screenshot({ path: png, clip, fullPage: true });
}

describe('screenshots of a report, as the README shows them', () => {
  it('photographs the offline default (npm run bench): CPU time and memory next to quality, no empty panel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logbench-default-report-'));
    try {
      const db = join(dir, 'logbench.duckdb');
      const run = await runCli(['run', join(REPO, 'suites/default.yaml'), '--db', db]);
      expect(run.code, run.stderr).toBe(0);
      const file = join(dir, 'logbench-default-logllm-tiny.html');
      const png = screenshotPath('report-offline-default.png');
      const opened = await openPage(file, (page) => photographHeadline(page, png));
      expectTrustworthy(opened, file);
      for (const chart of opened.charts.filter((c) => ['chart-headline', 'chart-quality-cost'].includes(c.id))) expect(chart.messagePanels, chart.id).toBe(0);
      expect(labelsOf(opened, 'CPU time (ms)').length).toBe(1);
      expect(labelsOf(opened, 'peak RSS (MiB)').length).toBe(1);
      expect(statSync(png).size).toBeLessThan(SCREENSHOT_BYTES);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('photographs a DCGM-telemetry run pair: GPU time, memory and energy per batch, quality per kJ', async () => {
    const telemetry = await openFixtureStore((store) => writeGpuTelemetryPair(store));
    try {
      const file = join(outDir, 'dcgm.html');
      writeFileSync(file, renderReportHtml(await loadReportData(telemetry.store, { runId: telemetry.runs.finetuned, baselineId: telemetry.runs.base })));
      const png = screenshotPath('report-gpu-telemetry.png');
      const opened = await openPage(file, (page) => photographHeadline(page, png));
      expectTrustworthy(opened, file);
      for (const chart of opened.charts) expect(chart.messagePanels, chart.id).toBe(0);
      expect(labelsOf(opened, 'energy (J)').length).toBe(1);
      expect(labelsOf(opened, 'total GPU energy (kJ)').length).toBe(1);
      expect(statSync(png).size).toBeLessThan(SCREENSHOT_BYTES);
    } finally {
      await telemetry.dispose();
    }
  });
});
