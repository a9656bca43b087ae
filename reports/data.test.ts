import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStore } from '../harness/store/index.js';
import { classificationReport } from '../metrics/classification.js';
import { parseJsonAnalysis } from '../metrics/tasks/index.js';
import {
  type FixtureStore,
  HOSTILE_OUTPUT,
  HOSTILE_SAMPLE_ID,
  type ReportFixtureRuns,
  type ReportFixtureStore,
  openFixtureStore,
  openReportFixtureStore,
  writeGpuTelemetryPair,
} from '../test/support/report-fixtures.js';
import { formatNumber } from '../core/format.js';
import { loadReportData, qualityPerKj } from './data.js';
import { historyCharts, loadHistoryData, renderHistoryHtml } from './history.js';
import { reportCharts, reportDatasets } from './specs.js';
import { renderReportHtml } from './html.js';
import { renderReportMarkdown } from './markdown.js';
import { NO_ANSWER, withStoreQueries } from '../harness/store/index.js';

let fixture: ReportFixtureStore;
let store: RunStore;
let runs: ReportFixtureRuns;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  ({ store, runs } = fixture);
});
afterAll(() => fixture.dispose());

/** Per-sample scores of `name`, straight from the store's row readers. */
async function scoresOf(runId: string, name: string): Promise<Map<string, number>> {
  const scores = (await store.sampleMetrics(runId)).filter((score) => score.name === name && score.value !== null);
  return new Map(scores.map((score) => [score.sampleId, score.value ?? Number.NaN]));
}

describe('loadReportData for a text pair', () => {
  it('describes both runs, candidate first, and which of them saw a GPU', async () => {
    const data = await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base });
    expect(data.runs.map((run) => [run.id, run.role, run.model, run.gpuVisible])).toEqual([
      [runs.text.finetuned, 'candidate', 'qwen3-0.6b-logs', true],
      [runs.text.base, 'baseline', 'qwen3-0.6b', false],
    ]);
    expect(data.candidate.predictions).toBe(48);
    expect(data.comparability).toEqual({ sameSplit: true, samePrompt: true, sameDecoding: true });
    expect(data.qualityMetric).toEqual({ name: 'rougeL', higherIsBetter: true, source: 'sample-metric' });
    expect(data.classification).toBeNull();
    expect(data.jsonAnalysis).toBeNull();
  });

  it('joins each batch with the mean quality of the samples it produced', async () => {
    const data = await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base });
    for (const runId of [runs.text.finetuned, runs.text.base]) {
      const scores = await scoresOf(runId, 'rougeL');
      const predictions = await store.predictions(runId);
      const storedBatches = await store.batches(runId);
      const rows = data.batches.filter((batch) => batch.runId === runId);
      expect(rows.map((row) => row.batchIndex)).toEqual(storedBatches.map((batch) => batch.batchIndex));
      for (const row of rows) {
        const values = predictions.filter((p) => p.batchIndex === row.batchIndex).map((p) => scores.get(p.sampleId) ?? Number.NaN);
        expect(row.quality).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 12);
        const stored = storedBatches.find((batch) => batch.batchIndex === row.batchIndex);
        expect(row.rssPeakMb).toBeCloseTo((stored?.rssPeakBytes ?? Number.NaN) / 1024 / 1024, 9);
        expect(row.gpuTimeMs).toBe(stored?.gpuTimeMs);
      }
    }
    expect(data.batches.filter((batch) => batch.runId === runs.text.base).every((batch) => batch.gpuTimeMs === null && batch.gpuMemPeakMb === null)).toBe(true);
  });

  it('totals each run and places it by its corpus metric and interval', async () => {
    const data = await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base });
    const [candidate, baseline] = data.costs;
    const batches = await store.batches(runs.text.finetuned);
    expect(candidate?.wallMs).toBeCloseTo(batches.reduce((total, batch) => total + batch.wallMs, 0), 9);
    expect(candidate?.gpuTimeMs).toBeCloseTo(batches.reduce((total, batch) => total + (batch.gpuTimeMs ?? 0), 0), 9);
    expect(baseline?.gpuTimeMs).toBeNull();
    expect(baseline?.gpuMemPeakMb).toBeNull();
    const corpus = (await store.metrics(runs.text.finetuned)).find((metric) => metric.name === 'rougeL');
    expect(candidate).toMatchObject({ quality: corpus?.value, qualityCiLow: corpus?.ciLow, qualityCiHigh: corpus?.ciHigh, samples: 48 });
  });

  it('lists the worst samples of the candidate, worst first, with both outputs', async () => {
    const data = await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base, sampleLimit: 5 });
    const scores = await scoresOf(runs.text.finetuned, 'rougeL');
    const expected = [...scores].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1)).slice(0, 5);
    expect(data.samples.worst.map((sample) => sample.sampleId)).toEqual(expected.map(([id]) => id));
    const hostile = data.samples.worst[0];
    expect(hostile?.sampleId).toBe(HOSTILE_SAMPLE_ID);
    expect(hostile?.outputs.map((output) => output.model)).toEqual(['qwen3-0.6b-logs', 'qwen3-0.6b']);
    expect(hostile?.outputs[0]?.output).toBe(HOSTILE_OUTPUT);
    expect(hostile?.outputs[0]?.quality).toBe(0);
  });

  it('cuts long inputs and marks the cut', async () => {
    const data = await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base });
    const input = data.samples.worst.find((sample) => sample.sampleId === HOSTILE_SAMPLE_ID)?.input ?? '';
    expect(input.startsWith(HOSTILE_OUTPUT)).toBe(true);
    expect(input.endsWith('…')).toBe(true);
    expect([...input].length).toBe(601);
  });

  it('lists the samples whose score moved most between the runs, with the signed change', async () => {
    const data = await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base, sampleLimit: 4 });
    const candidate = await scoresOf(runs.text.finetuned, 'rougeL');
    const baseline = await scoresOf(runs.text.base, 'rougeL');
    const deltas = [...candidate].map(([id, value]) => [id, value - (baseline.get(id) ?? Number.NaN)] as const);
    const expected = deltas.sort(([a, x], [b, y]) => Math.abs(y) - Math.abs(x) || (a < b ? -1 : 1)).slice(0, 4);
    expect(data.samples.mostChanged.map((sample) => sample.sampleId)).toEqual(expected.map(([id]) => id));
    for (const [i, sample] of data.samples.mostChanged.entries()) expect(sample.delta).toBeCloseTo(expected[i]?.[1] ?? Number.NaN, 12);
  });

  it('ranks by a requested per-sample metric, and refuses one the run does not have', async () => {
    const data = await loadReportData(store, { runId: runs.text.finetuned, qualityMetric: 'fuzzy' });
    expect(data.qualityMetric?.name).toBe('fuzzy');
    await expect(loadReportData(store, { runId: runs.text.finetuned, qualityMetric: 'bleu' })).rejects.toThrow(/"bleu" has no per-sample scores/);
  });

  it('reports a single run without a baseline', async () => {
    const data = await loadReportData(store, { runId: runs.text.base });
    expect(data.runs).toHaveLength(1);
    expect(data.baseline).toBeNull();
    expect(data.comparability).toBeNull();
    expect(data.samples.mostChanged).toEqual([]);
    expect(data.samples.worst).toHaveLength(20);
  });

  it('tells two runs of the same model apart by run id', async () => {
    const data = await loadReportData(store, { runId: runs.text.base, baselineId: runs.classification.base });
    expect(data.runs.map((run) => run.model)).toEqual([`qwen3-0.6b [${runs.text.base}]`, `qwen3-0.6b [${runs.classification.base}]`]);
    expect(data.comparability).toEqual({ sameSplit: false, samePrompt: false, sameDecoding: true });
  });

  it('fails with the run id for an unknown run, and on a writable store', async () => {
    await expect(loadReportData(store, { runId: 'no-such-run' })).rejects.toThrow('run no-such-run is not in the store');
    await expect(loadReportData(store, { runId: runs.text.base, baselineId: 'gone' })).rejects.toThrow('run gone is not in the store');
    await expect(withStoreQueries({ path: fixture.path, readOnly: false }, () => Promise.resolve(0))).rejects.toThrow(/readOnly: true/);
  });
});

describe('loadReportData for classification', () => {
  it('counts gold × predicted labels and scores each class as scikit-learn does', async () => {
    const data = await loadReportData(store, { runId: runs.classification.finetuned, baselineId: runs.classification.base });
    const samples = new Map((await store.samples('split-classification')).map((sample) => [sample.id, sample.label ?? '']));
    for (const runId of [runs.classification.finetuned, runs.classification.base]) {
      const breakdown = data.classification?.find((run) => run.runId === runId);
      const predictions = await store.predictions(runId);
      const truths = predictions.map((p) => samples.get(p.sampleId) ?? '');
      const predicted = predictions.map((p) => p.label ?? NO_ANSWER);
      const expected = classificationReport(truths, predicted, { labels: ['anomalous', 'normal'] });
      expect(breakdown?.accuracy).toBe(expected.accuracy);
      expect(breakdown?.perClass.map((score) => [score.label, score.precision, score.recall, score.f1, score.support])).toEqual(
        expected.perLabel.labels.map((label, i) => [label, expected.perLabel.precision[i], expected.perLabel.recall[i], expected.perLabel.f1[i], expected.perLabel.support[i]]),
      );
      const cell = (truth: string, label: string) => breakdown?.confusion.find((c) => c.truth === truth && c.predicted === label)?.count ?? 0;
      for (const truth of ['anomalous', 'normal']) {
        for (const label of ['anomalous', 'normal', NO_ANSWER]) {
          expect(cell(truth, label)).toBe(truths.filter((t, i) => t === truth && predicted[i] === label).length);
        }
      }
    }
    const finetuned = data.classification?.[0];
    // Unparsable answers (the hostile one among them) show as "(no answer)", not as a class of their own.
    const unanswered = (await store.predictions(runs.classification.finetuned)).filter((p) => p.label === null).length;
    expect(unanswered).toBeGreaterThan(0);
    expect(finetuned?.distribution.find((share) => share.source === 'predicted' && share.label === NO_ANSWER)?.count).toBe(unanswered);
    expect(finetuned?.perClass.map((score) => score.label)).toEqual(['anomalous', 'normal']);
    expect(data.qualityMetric?.name).toBe('correct');
  });
});

describe('loadReportData for JSON analysis', () => {
  it('reads parse and schema rates, alert decisions and risk errors from the scorer’s stored parse', async () => {
    const data = await loadReportData(store, { runId: runs.jsonAnalysis.finetuned, baselineId: runs.jsonAnalysis.base });
    const references = new Map((await store.samples('split-json-analysis')).map((sample) => [sample.id, JSON.parse(sample.reference ?? '') as { risk_score: number; should_alert_user: boolean }]));
    for (const runId of [runs.jsonAnalysis.finetuned, runs.jsonAnalysis.base]) {
      const breakdown = data.jsonAnalysis?.find((run) => run.runId === runId);
      const parsed = (await store.predictions(runId)).map((p) => ({ parse: parseJsonAnalysis(p.text ?? ''), reference: references.get(p.sampleId) }));
      expect(breakdown?.n).toBe(48);
      expect(breakdown?.parseRate).toBeCloseTo(parsed.filter((p) => p.parse.parsed).length / 48, 12);
      expect(breakdown?.schemaValidRate).toBeCloseTo(parsed.filter((p) => p.parse.schemaValid).length / 48, 12);
      for (const [truth, predicted] of [[true, true], [true, false], [false, true], [false, false]] as const) {
        const count = parsed.filter((p) => p.reference?.should_alert_user === truth && p.parse.value?.should_alert_user === predicted).length;
        expect(breakdown?.alertConfusion.find((c) => c.truth === String(truth) && c.predicted === String(predicted))?.count ?? 0).toBe(count);
      }
      const unanswered = parsed.filter((p) => p.parse.value === undefined).length;
      expect(unanswered).toBeGreaterThan(0);
      expect(breakdown?.alertConfusion.filter((c) => c.predicted === NO_ANSWER).reduce((total, c) => total + c.count, 0)).toBe(unanswered);
      const errors = parsed.flatMap((p) => (p.parse.value === undefined ? [] : [p.parse.value.risk_score - (p.reference?.risk_score ?? 0)]));
      expect(breakdown?.riskErrors.reduce((total, bin) => total + bin.count, 0)).toBe(errors.length);
      for (const bin of breakdown?.riskErrors ?? []) {
        expect(bin.count).toBe(errors.filter((error) => error >= bin.binStart && error < bin.binStart + 10).length);
      }
    }
  });
});

describe('energy next to quality (a DCGM-telemetry pair, one scrape of the fine-tune failed)', () => {
  let telemetry: FixtureStore<{ base: string; finetuned: string }>;
  beforeAll(async () => {
    telemetry = await openFixtureStore((writer) => writeGpuTelemetryPair(writer, { samples: 48, failedScrapes: [2] }));
  });
  afterAll(() => telemetry.dispose());

  it('totals each run’s GPU figures from its batches only where every batch measured them, and says how many did', async () => {
    const data = await loadReportData(telemetry.store, { runId: telemetry.runs.finetuned, baselineId: telemetry.runs.base });
    expect(data.runs.map((run) => [run.model, run.gpuSource, run.telemetryNote])).toEqual([
      ['qwen3-4b-log-ft', 'dcgm', 'scrape failed: connect ECONNREFUSED 127.0.0.1:9400'],
      ['qwen3-4b', 'dcgm', null],
    ]);
    const [candidate, baseline] = data.costs;
    // The fine-tune's batch 2 measured nothing on the GPU: none of its GPU totals is given, each says 5 of 6.
    expect(candidate?.batches).toBe(6);
    expect(candidate?.measured).toEqual({ cpuMs: 6, tokens: 6, gpuTimeMs: 5, gpuMemPeakMb: 5, energyJ: 5 });
    expect([candidate?.gpuTimeMs, candidate?.gpuMemPeakMb, candidate?.energyJ, candidate?.qualityPerKj]).toEqual([null, null, null, null]);
    // The base run measured every batch: its totals are the sums (the peak, the largest) of the stored batches.
    const stored = await telemetry.store.batches(telemetry.runs.base);
    const sum = (of: (batch: (typeof stored)[number]) => number | null) => stored.reduce((total, batch) => total + (of(batch) ?? Number.NaN), 0);
    expect(baseline?.measured).toEqual({ cpuMs: 6, tokens: 6, gpuTimeMs: 6, gpuMemPeakMb: 6, energyJ: 6 });
    expect(baseline?.gpuTimeMs).toBeCloseTo(sum((batch) => batch.gpuTimeMs), 9);
    expect(baseline?.energyJ).toBeCloseTo(sum((batch) => batch.energyJ), 9);
    expect(baseline?.gpuMemPeakMb).toBe(Math.max(...stored.map((batch) => batch.gpuMemPeakMb ?? Number.NaN)));
    expect(baseline?.qualityPerKj).toBeCloseTo((baseline?.quality ?? Number.NaN) / ((baseline?.energyJ ?? Number.NaN) / 1000), 12);
    const perBatch = data.batches.filter((batch) => batch.runId === telemetry.runs.finetuned).map((batch) => batch.energyJ);
    expect(perBatch).toEqual((await telemetry.store.batches(telemetry.runs.finetuned)).map((batch) => batch.energyJ));
    expect(qualityPerKj(0.8, false, 2000)).toBeNull();
    expect(qualityPerKj(0.8, true, 2000)).toBeCloseTo(0.4, 12);
  });

  it('shows "5 of 6 batches measured", never a partial total, in the HTML and Markdown cost tables and the quality-against-cost chart', async () => {
    const data = await loadReportData(telemetry.store, { runId: telemetry.runs.finetuned, baselineId: telemetry.runs.base });
    const [, baseline] = data.costs;
    const html = renderReportHtml(data);
    expect(html).toContain('<th>GPU energy</th><th>quality per kJ</th>');
    const candidateRow = /<tr><th>qwen3-4b-log-ft<\/th>(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    // GPU time, peak GPU memory and energy: the coverage; quality per kJ: none.
    expect(candidateRow.match(/5 of 6 batches measured/g)).toHaveLength(3);
    expect(candidateRow).not.toMatch(/ kJ| MiB/);
    expect(html).toContain(`<td class="number">${formatNumber(baseline?.qualityPerKj ?? 0)}</td>`);
    expect(html).toContain(`${formatNumber((baseline?.energyJ ?? 0) / 1000)} kJ`);
    expect(html).toContain('NVIDIA H100 80GB HBM3 (dcgm)');
    const markdown = renderReportMarkdown(data);
    expect(markdown).toMatch(/\| run \| predictions \(errors\) \| wall time \| GPU time \| peak GPU memory \| GPU energy \| quality per kJ \|/);
    expect(markdown).toMatch(/\| qwen3-4b-log-ft \(`[^`]+`\) \| 48 \(\d+\) \| [\d.]+ m?s \| 5 of 6 batches measured \| 5 of 6 batches measured \| 5 of 6 batches measured \| — \|/);
    expect(markdown).toContain(`| ${formatNumber((baseline?.energyJ ?? 0) / 1000)} kJ | ${formatNumber(baseline?.qualityPerKj ?? 0)} |`);
    // The chart draws the base run alone against GPU time and energy, and says why the fine-tune is missing.
    const chart = reportCharts(data).find((c) => c.id === 'quality-cost');
    expect(chart?.description).toContain('Left out where not every batch measured the figure: qwen3-4b-log-ft (GPU time: 5 of 6 batches measured), qwen3-4b-log-ft (GPU energy: 5 of 6 batches measured).');
    const costs = reportDatasets(data).costs as { model: string; gpuTimeS: number | null; energyKj: number | null }[];
    expect(costs.map((cost) => [cost.model, cost.gpuTimeS === null, cost.energyKj === null])).toEqual([
      ['qwen3-4b-log-ft', true, true],
      ['qwen3-4b', false, false],
    ]);
  });

  it('gives a run total on the history page only where every batch measured it (the store’s SQL follows the same rule)', async () => {
    const history = await loadHistoryData(telemetry.store, 'qwen3-log-analysis');
    expect(history.runs.map((run) => [run.model, run.gpuTimeMs === null, run.energyJ === null, run.gpuMemPeakMb === null, run.batches, run.gpuTimeBatches])).toEqual([
      ['qwen3-4b', false, false, false, 6, 6],
      ['qwen3-4b-log-ft', true, true, true, 6, 5],
    ]);
    const [totals] = await withStoreQueries(telemetry.store, (queries) => queries.runTotals([telemetry.runs.finetuned]));
    expect(totals).toMatchObject({ batches: 6, cpuBatches: 6, gpuTimeMs: null, gpuTimeBatches: 5, gpuMemPeakMb: null, gpuMemBatches: 5, energyJ: null, energyBatches: 5 });
    expect(totals?.cpuMs).toBeCloseTo((await telemetry.store.batches(telemetry.runs.finetuned)).reduce((total, batch) => total + (batch.cpuMs ?? 0), 0), 6);
    const cost = historyCharts(history).find((chart) => chart.id === 'history-cost');
    expect(cost?.title).toBe('GPU time, GPU energy and wall time per run');
    const page = renderHistoryHtml(history);
    expect(page).toContain('<td>5 of 6 batches measured</td>');
  });
});
