/**
 * `logbench view` in real headless Chromium against a real `logbench view` process: list, filter and
 * sort runs, compare three, page and filter samples, search, open a sample (a hostile output stays
 * text), follow a pasted address after a restart. Every request is intercepted: one that would leave
 * the host fails the test, and no page may log to the console. The README's pictures of the viewer
 * are taken here (into docs/ with LOGBENCH_UPDATE_SCREENSHOTS=1).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunStore } from '../../harness/store/index.js';
import { HOSTILE_OUTPUT, HOSTILE_SAMPLE_ID, type FixtureStore, type ReportFixtureRuns, fixtureSamples, openFixtureStore, writeFixtureRun, writeReportFixtureStore } from '../support/report-fixtures.js';
import { runCli } from '../support/cli.js';
import { screenshotPath } from '../support/screenshots.js';
import { type ViewProcess, startView } from '../support/view-process.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SAMPLES = 120;

/** The report fixture, 120 samples a run, plus a third text model on the same split. */
async function writeViewFixture(store: RunStore): Promise<ReportFixtureRuns & { textMiddle: string }> {
  const runs = await writeReportFixtureStore(store, SAMPLES);
  const split = fixtureSamples('text', SAMPLES, 1);
  const textMiddle = await writeFixtureRun(store, {
    runId: 'text-middle',
    modelId: 'qwen3-1.7b',
    task: 'text',
    suiteName: 'alsate-cause-remediation',
    splitHash: 'split-text',
    samples: split,
    batchSize: 8,
    gpu: true,
    skill: 0.6,
    seed: 150,
    startedAt: new Date(Date.UTC(2025, 5, 1, 2)),
  });
  return { ...runs, textMiddle };
}

let fixture: FixtureStore<ReportFixtureRuns & { textMiddle: string }>;
let view: ViewProcess;
let browser: Browser;
let context: BrowserContext;
const messages: string[] = [];
const offHost: string[] = [];

beforeAll(async () => {
  fixture = await openFixtureStore(writeViewFixture);
  await fixture.store.close();
  view = await startView(['--db', fixture.path]);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Every request of every page and frame: loopback goes on, anything else is recorded and refused.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || ['data:', 'about:', 'file:'].includes(url.protocol)) return route.continue();
    offHost.push(url.href);
    return route.abort();
  });
}, 120_000);
afterAll(async () => {
  await context.close();
  await browser.close();
  await view.stop();
  await fixture.dispose();
});
afterEach(() => {
  expect(offHost, 'requests that left the host').toEqual([]);
  expect(messages, 'console messages and page errors').toEqual([]);
});

async function open(path: string, origin = view.origin): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => messages.push(`${page.url()} ${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`${page.url()} pageerror: ${error.message}`));
  const response = await page.goto(`${origin}${path}`);
  expect(response?.status(), path).toBe(200);
  return page;
}

const rowsOf = (page: Page, table: string) => page.locator(`table#${table} tr:has(td)`);

describe('the runs page', () => {
  it('lists every run of every suite, filters by suite, model, status and date, and sorts', async () => {
    const page = await open('/');
    expect(await rowsOf(page, 'runs').count()).toBe(7);

    await page.selectOption('select[name=suite]', 'alsate-cause-remediation');
    await page.click('#run-filters button[type=submit]');
    await page.waitForURL(/suite=alsate-cause-remediation/);
    expect(await rowsOf(page, 'runs').count()).toBe(3);

    await page.selectOption('select[name=model]', 'qwen3-0.6b-logs');
    await page.click('#run-filters button[type=submit]');
    expect(await rowsOf(page, 'runs').count()).toBe(1);
    expect(await rowsOf(page, 'runs').first().textContent()).toContain('text-finetuned');

    await page.goto(`${view.origin}/?status=completed&from=2025-06-02&to=2025-06-02`);
    expect(await rowsOf(page, 'runs').allTextContents()).toEqual([expect.stringContaining('classification-finetuned'), expect.stringContaining('classification-base')]);

    await page.goto(`${view.origin}/?sort=model&dir=asc`);
    const models = await page.locator('table#runs tr:has(td) td:nth-child(4)').allTextContents();
    expect(models).toEqual([...models].sort());
    await page.goto(`${view.origin}/`);
    await page.screenshot({ path: screenshotPath('view-runs.png') });
    await page.close();
  });
});

describe('comparing runs', () => {
  it('compares three selected runs against the chosen baseline: paired intervals and tests, the report charts drawn', async () => {
    const page = await open('/?suite=alsate-cause-remediation');
    for (const id of ['text-base', 'text-middle', 'text-finetuned']) await page.check(`input[name=run][value="${id}"]`);
    await page.click('#compare-form button[type=submit]');
    await page.waitForURL(/\/compare\?/);
    const url = new URL(page.url());
    expect(url.searchParams.getAll('run').sort()).toEqual(['text-base', 'text-finetuned', 'text-middle']);
    const header = await page.locator('table#comparison tr').first().textContent();
    expect(header).toContain('text-middle');
    expect(header).toContain('text-finetuned');
    const rouge = await page.locator('table#comparison tr:has(td:text-is("rougeL"))').textContent();
    expect(rouge).toMatch(/\[[+−-][\d.]+, [+−-][\d.]+\]/);
    expect(rouge).toContain('paired-bootstrap');

    // Every framed report draws all of its charts, the per-batch GPU time and memory ones included.
    const frames = page.locator('iframe.report');
    expect(await frames.count()).toBe(2);
    for (const handle of await frames.elementHandles()) {
      const frame = await handle.contentFrame();
      if (frame === null) throw new Error('a report frame has no document');
      await frame.waitForSelector('body[data-charts-done]', { timeout: 60_000 });
      expect(await frame.locator('[data-rendered=error]').count()).toBe(0);
      expect(await frame.locator('#chart-headline svg').count()).toBeGreaterThan(0);
    }

    // Another baseline: the same runs, compared against the fine-tune.
    await page.check('input[name=baseline][value="text-finetuned"]');
    await page.click('#baseline-form button[type=submit]');
    await page.waitForURL(/baseline=text-finetuned/);
    expect(await page.locator('header .subtitle').textContent()).toContain('text-finetuned');
    const png = screenshotPath('view-compare.png');
    await page.screenshot({ path: png });
    expect(statSync(png).size).toBeGreaterThan(10_000);
    await page.close();
  }, 120_000);
});

describe('samples', () => {
  it('pages on the server, filters by metric range, error and label, shows what changed, and searches inputs and outputs', async () => {
    const page = await open('/runs/text-finetuned/samples');
    expect(await page.locator('.pages').first().textContent()).toContain(`page 1 of 3 · ${SAMPLES} samples`);
    expect(await rowsOf(page, 'samples').count()).toBe(50);
    await page.click('.pages a[rel=next] >> nth=0');
    await page.waitForURL(/page=2/);
    expect(await rowsOf(page, 'samples').first().textContent()).toContain('s000050');

    await page.goto(`${view.origin}/runs/text-finetuned/samples?metric=fuzzy&min=0.99`);
    const scores = (await page.locator('table#samples tr:has(td) td:nth-child(2)').allTextContents()).map(Number);
    expect(scores.length).toBeGreaterThan(0);
    expect(scores.every((score) => score >= 0.99)).toBe(true);

    await page.goto(`${view.origin}/runs/text-finetuned/samples?changed=text-base`);
    const changed = Number(/(\d+) samples/.exec((await page.locator('.pages').first().textContent()) ?? '')?.[1]);
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(SAMPLES);

    await page.goto(`${view.origin}/runs/classification-base/samples?label=anomalous`);
    const labels = await page.locator('table#samples tr:has(td) td:nth-child(3)').allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((label) => label.includes('anomalous'))).toBe(true);

    await page.goto(`${view.origin}/runs/text-finetuned/samples?errors=only`);
    expect(await page.locator('.pages').first().textContent()).toContain('0 samples');

    await page.goto(`${view.origin}/runs/text-finetuned/samples`);
    await page.fill('input[name=q]', 'window.__pwned');
    await page.click('#sample-filters button[type=submit]');
    await page.waitForURL(/q=window.__pwned/);
    expect(await rowsOf(page, 'samples').count()).toBe(1);
    expect(await rowsOf(page, 'samples').first().textContent()).toContain(HOSTILE_SAMPLE_ID);
    await page.goto(`${view.origin}/runs/text-finetuned/samples?metric=rougeL&max=0.5`);
    await page.screenshot({ path: screenshotPath('view-samples.png') });
    await page.close();
  });

  it('opens a sample: every run’s output side by side, word diffs against the reference and the baseline, scores; a hostile output stays text', async () => {
    const page = await open(`/runs/text-finetuned/samples?q=${encodeURIComponent('__pwned')}&changed=text-base`);
    await page.click(`a:has-text("${HOSTILE_SAMPLE_ID}")`);
    await page.waitForURL(new RegExp(`/samples/${HOSTILE_SAMPLE_ID}\\?baseline=text-base`));
    const cards = page.locator('#outputs .output-card');
    expect(await cards.count()).toBe(3);
    const finetuned = page.locator('#outputs .output-card[data-run="text-finetuned"]');
    expect(await finetuned.locator('pre').first().textContent()).toBe(HOSTILE_OUTPUT);
    expect(await finetuned.locator('ins').count()).toBeGreaterThan(0);
    expect(await finetuned.textContent()).toContain('against the baseline qwen3-0.6b');
    expect(await finetuned.locator('table.scores').textContent()).toContain('rougeL');
    expect(await page.locator('#sample-input pre').textContent()).toContain(HOSTILE_OUTPUT);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('body img, body b, body script').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('view-sample.png') });
    await page.close();
  });
});

describe('stable addresses', () => {
  it('a pasted sample, comparison or run address opens the same page after view restarts', async () => {
    const addresses = [`/runs/text-middle/samples/s000007?baseline=text-base`, '/compare?run=text-base&run=text-middle&baseline=text-base', '/runs/text-middle', '/runs/text-middle/samples?metric=fuzzy&max=0.5&page=1'];
    const before: string[] = [];
    for (const address of addresses) {
      const page = await open(address);
      before.push((await page.locator('main, body').first().innerText()).replace(/generated \S+/g, ''));
      await page.close();
    }
    await view.stop();
    view = await startView(['--db', fixture.path]);
    for (const [i, address] of addresses.entries()) {
      const page = await open(address);
      expect((await page.locator('main, body').first().innerText()).replace(/generated \S+/g, '')).toBe(before[i]);
      await page.close();
    }
  }, 60_000);
});

describe('the published site', () => {
  it('filters a run’s samples in the browser as view does on the server: search, metric range, errors, changed from the baseline', async () => {
    const out = join(fixture.dir, 'site');
    const published = await runCli(['publish', '--db', fixture.path, '--out', out]);
    expect(published.code, published.stderr).toBe(0);
    const page = await context.newPage();
    page.on('console', (message) => messages.push(`${page.url()} ${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => messages.push(`${page.url()} pageerror: ${error.message}`));
    await page.goto(pathToFileURL(join(out, 'samples', 'text-finetuned.html')).href);
    await page.waitForSelector('body[data-samples-ready]');
    const count = page.locator('#samples-count');
    expect(await count.textContent()).toBe(`${SAMPLES} of ${SAMPLES} samples match (first 100 shown)`);

    await page.fill('input[name=q]', 'window.__pwned');
    expect(await count.textContent()).toBe(`1 of ${SAMPLES} samples match`);
    expect(await page.locator('#samples-body tr td').first().textContent()).toBe(HOSTILE_SAMPLE_ID);
    expect(await page.locator('#samples-body pre').nth(1).textContent()).toBe(HOSTILE_OUTPUT);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await page.fill('input[name=q]', '');

    await page.selectOption('select[name=metric]', 'fuzzy');
    await page.fill('input[name=min]', '0.99');
    const scores = (await page.locator('#samples-body tr td:nth-child(2)').allTextContents()).map(Number);
    expect(scores.length).toBeGreaterThan(0);
    expect(scores.every((score) => score >= 0.99)).toBe(true);
    await page.fill('input[name=min]', '');
    await page.selectOption('select[name=metric]', '');

    // The same samples as the server's filter finds.
    await page.check('input[name=changed]');
    const served = await (await fetch(`${view.origin}/runs/text-finetuned/samples?changed=text-base`)).text();
    const changed = /(\d+) samples/.exec(served)?.[1];
    expect(await count.textContent()).toMatch(new RegExp(`^${changed} of ${SAMPLES} samples match`));
    await page.selectOption('select[name=errors]', 'only');
    expect(await count.textContent()).toBe(`0 of ${SAMPLES} samples match`);
    await page.close();
  }, 60_000);
});
