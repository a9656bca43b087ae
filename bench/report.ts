/**
 * Report benchmark: a store with one 100,000-sample run per model (1,000 batches each, written
 * through RunStore one transaction per batch), then the time to build the report, its size, and the
 * time headless Chromium takes to draw every chart. Prints one JSON object; medians of 3.
 *
 * Usage: node dist/bench/report.js [--task text|classification|json-analysis] [--samples N]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { RunStore } from '../harness/store/index.js';
import { loadReportData, renderReportHtml } from '../reports/index.js';
import { type FixtureTask, fixtureSamples, writeFixtureRun } from '../test/support/report-fixtures.js';

const TARGETS = { buildMs: 3000, fileBytes: 3 * 1024 * 1024, openMs: 2000 };
const BATCHES_PER_RUN = 1000;
const REPEATS = 3;
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const TASKS: readonly FixtureTask[] = ['text', 'classification', 'json-analysis'];
const { values: args } = parseArgs({ options: { task: { type: 'string', default: 'text' }, samples: { type: 'string', default: '100000' } } });
const task = TASKS.find((name) => name === args.task);
if (task === undefined) throw new Error(`--task must be one of ${TASKS.join(', ')}, not ${args.task}`);
const sampleCount = Number(args.samples);
if (!Number.isInteger(sampleCount) || sampleCount < BATCHES_PER_RUN) throw new Error(`--samples must be an integer of at least ${BATCHES_PER_RUN}`);

const dir = mkdtempSync(join(tmpdir(), 'logbench-bench-report-'));
try {
  const dbPath = join(dir, 'bench.duckdb');
  const writeStarted = performance.now();
  const writer = await RunStore.open(dbPath);
  const samples = fixtureSamples(task, sampleCount);
  const splitHash = `bench-${task}-${sampleCount}`;
  await writer.upsertSamples(splitHash, samples);
  const common = { task, suiteName: 'bench', splitHash, samples, batchSize: Math.ceil(sampleCount / BATCHES_PER_RUN) };
  const base = await writeFixtureRun(writer, { ...common, runId: 'bench-base', modelId: 'base', gpu: false, skill: 0.5, seed: 1, startedAt: new Date(Date.UTC(2025, 0, 1)) });
  const finetuned = await writeFixtureRun(writer, { ...common, runId: 'bench-finetuned', modelId: 'finetuned', gpu: true, skill: 0.8, seed: 2, startedAt: new Date(Date.UTC(2025, 0, 2)) });
  await writer.close();
  const writeMs = performance.now() - writeStarted;

  const htmlPath = join(dir, 'report.html');
  const buildMs: number[] = [];
  const buildCpuMs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const store = await RunStore.open(dbPath, { readOnly: true });
    try {
      writeFileSync(htmlPath, renderReportHtml(await loadReportData(store, { runId: finetuned, baselineId: base })));
    } finally {
      await store.close();
    }
    buildMs.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuStarted);
    buildCpuMs.push((cpu.user + cpu.system) / 1000);
  }
  const fileBytes = statSync(htmlPath).size;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const openMs: number[] = [];
  const openMainThreadMs: number[] = [];
  try {
    for (let i = 0; i < REPEATS; i++) {
      const page = await browser.newPage();
      const devtools = await page.context().newCDPSession(page);
      await devtools.send('Performance.enable');
      const started = performance.now();
      await page.goto(pathToFileURL(htmlPath).href);
      await page.waitForSelector('body[data-charts-done]', { timeout: 60_000 });
      openMs.push(performance.now() - started);
      // Busy time of the page's main thread: what the page costs, whatever else shares the machine.
      const { metrics } = await devtools.send('Performance.getMetrics');
      openMainThreadMs.push((metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? Number.NaN) * 1000);
      await page.close();
    }
  } finally {
    await browser.close();
  }

  const result = {
    task,
    samplesPerRun: sampleCount,
    batchesPerRun: BATCHES_PER_RUN,
    runs: 2,
    storeWriteS: Number((writeMs / 1000).toFixed(1)),
    reportBuildMs: { median: Math.round(median(buildMs)), runs: buildMs.map(Math.round), cpuMedian: Math.round(median(buildCpuMs)), target: TARGETS.buildMs },
    fileBytes: { value: fileBytes, target: TARGETS.fileBytes },
    openUntilChartsDrawnMs: {
      median: Math.round(median(openMs)),
      runs: openMs.map(Math.round),
      mainThreadMedian: Math.round(median(openMainThreadMs)),
      target: TARGETS.openMs,
    },
    // Wall times stretch on a shared machine: the CPU figures above and this say how much.
    loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
    cores: availableParallelism(),
    withinTargets: median(buildMs) <= TARGETS.buildMs && fileBytes <= TARGETS.fileBytes && median(openMs) <= TARGETS.openMs,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
