/**
 * The generated reports in real headless Chromium: every chart draws, nothing is fetched, nothing
 * is logged, and a model output carrying <script> / <img onerror> stays text.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportData, publishSite, renderReportHtml } from '../../reports/index.js';
import { HOSTILE_OUTPUT, type ReportFixtureStore, openReportFixtureStore } from '../support/report-fixtures.js';

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

interface OpenedPage {
  /** Console messages of any level, and uncaught errors. */
  messages: string[];
  requests: string[];
  /** Per chart container: render state and drawn mark items. */
  charts: { id: string; rendered: string | null; svgs: number; markItems: number }[];
  pwned: unknown;
  sampleTexts: string[];
  injectedElements: number;
}

async function openPage(file: string): Promise<OpenedPage> {
  const page = await browser.newPage();
  const messages: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-done]', { timeout: 30_000 });
    const state = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<DomNode> } }).document;
      interface DomNode {
        id: string;
        textContent: string | null;
        getAttribute(name: string): string | null;
        querySelectorAll(s: string): ArrayLike<DomNode>;
      }
      return {
        charts: Array.from(doc.querySelectorAll('.chart-view')).map((node) => ({
          id: node.id,
          rendered: node.getAttribute('data-rendered'),
          svgs: node.querySelectorAll('svg').length,
          markItems: node.querySelectorAll('svg g.role-mark > *').length,
        })),
        pwned: (globalThis as unknown as { __pwned?: unknown }).__pwned,
        sampleTexts: Array.from(doc.querySelectorAll('#samples pre')).map((node) => node.textContent ?? ''),
        injectedElements: doc.querySelectorAll('#samples img, #samples script, #samples b').length,
      };
    });
    return { messages, requests, ...state };
  } finally {
    await page.close();
  }
}

describe('a report in headless Chromium', () => {
  for (const task of ['text', 'classification', 'jsonAnalysis'] as const) {
    it(`draws every chart of the ${task} report, logs nothing and requests nothing but itself`, async () => {
      const pair = fixture.runs[task];
      const file = join(outDir, `${task}.html`);
      writeFileSync(file, renderReportHtml(await loadReportData(fixture.store, { runId: pair.finetuned, baselineId: pair.base })));
      const opened = await openPage(file);
      expect(opened.messages).toEqual([]);
      expect(opened.requests).toEqual([pathToFileURL(file).href]);
      expect(opened.charts.length).toBeGreaterThanOrEqual(6);
      for (const chart of opened.charts) {
        expect(chart, chart.id).toMatchObject({ rendered: 'true', svgs: 1 });
        expect(chart.markItems, chart.id).toBeGreaterThan(0);
      }
      expect(opened.pwned).toBeUndefined();
      expect(opened.injectedElements).toBe(0);
      // The hostile output and input are shown, as text.
      expect(opened.sampleTexts).toContain(HOSTILE_OUTPUT);
      expect(opened.sampleTexts.some((text) => text.startsWith(`${HOSTILE_OUTPUT}\n`))).toBe(true);
    });
  }

  it('draws "no GPU visible" panels for a run without GPU figures', async () => {
    const file = join(outDir, 'base.html');
    writeFileSync(file, renderReportHtml(await loadReportData(fixture.store, { runId: fixture.runs.text.base })));
    const opened = await openPage(file);
    expect(opened.messages).toEqual([]);
    for (const chart of opened.charts) expect(chart.markItems, chart.id).toBeGreaterThan(0);
  });

  it('draws the history pages of a published site', async () => {
    const site = await publishSite(fixture.store, join(outDir, 'site'));
    for (const history of site.histories) {
      const file = join(outDir, 'site', history.path);
      const opened = await openPage(file);
      expect(opened.messages).toEqual([]);
      expect(opened.requests).toEqual([pathToFileURL(file).href]);
      expect(opened.charts.map((chart) => chart.id)).toEqual(['chart-history-metrics', 'chart-history-cost']);
      for (const chart of opened.charts) expect(chart.markItems, chart.id).toBeGreaterThan(0);
    }
  });
});
