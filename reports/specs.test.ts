import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureStore,
  type ReportFixtureStore,
  fixtureSamples,
  openFixtureStore,
  openReportFixtureStore,
  writeFixtureRun,
  writeGpuTelemetryPair,
} from '../test/support/report-fixtures.js';
import { type ReportData, loadReportData } from './data.js';
import { BATCH_AXIS, CHART_CONFIG, NO_GPU_VISIBLE, type ReportChart, headlineChart, headlineCost, reportCharts, reportDatasets, valueScale, withDatasets } from './specs.js';

/** Collects what Vega-Lite would print while compiling. */
class CapturingLogger {
  readonly messages: string[] = [];
  level(): number {
    return 2;
  }
  error(...args: unknown[]): this {
    this.messages.push(`error: ${args.map(String).join(' ')}`);
    return this;
  }
  warn(...args: unknown[]): this {
    this.messages.push(`warn: ${args.map(String).join(' ')}`);
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

let fixture: ReportFixtureStore;
let telemetry: FixtureStore<{ dcgm: { base: string; finetuned: string }; remote: string; unscraped: string }>;
let reports: Record<'text' | 'classification' | 'jsonAnalysis' | 'baseOnly' | 'dcgm' | 'remote' | 'unscraped', ReportData>;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  telemetry = await openFixtureStore(async (store) => {
    const dcgm = await writeGpuTelemetryPair(store, { samples: 40 });
    const samples = fixtureSamples('text', 40, 9);
    await store.upsertSamples('split-remote', samples);
    // Behind an endpoint without GPU telemetry: what the harness sees is latency and tokens.
    const common = { task: 'text', suiteName: 'remote', splitHash: 'split-remote', samples, batchSize: 8, gpu: false, skill: 0.6, seed: 9 } as const;
    const remote = await writeFixtureRun(store, { ...common, runId: 'remote', modelId: 'hosted', startedAt: new Date(Date.UTC(2025, 7, 1)), endpoint: 'https://api.example.com/v1' });
    // A node whose exporter never answered: every batch stored the scrape's failure.
    const unscraped = await writeFixtureRun(store, {
      ...common, runId: 'unscraped', modelId: 'vllm-node', startedAt: new Date(Date.UTC(2025, 7, 2)), endpoint: 'http://gpu-node-2:8000/v1', failedScrapes: [0, 1, 2, 3, 4],
    });
    return { dcgm, remote, unscraped };
  });
  const { store, runs } = fixture;
  reports = {
    text: await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base }),
    classification: await loadReportData(store, { runId: runs.classification.finetuned, baselineId: runs.classification.base }),
    jsonAnalysis: await loadReportData(store, { runId: runs.jsonAnalysis.finetuned, baselineId: runs.jsonAnalysis.base }),
    baseOnly: await loadReportData(store, { runId: runs.text.base }),
    dcgm: await loadReportData(telemetry.store, { runId: telemetry.runs.dcgm.finetuned, baselineId: telemetry.runs.dcgm.base }),
    remote: await loadReportData(telemetry.store, { runId: telemetry.runs.remote }),
    unscraped: await loadReportData(telemetry.store, { runId: telemetry.runs.unscraped }),
  };
});
afterAll(async () => {
  await fixture.dispose();
  await telemetry.dispose();
});

function chartIds(data: ReportData): string[] {
  return reportCharts(data).map((chart) => chart.id);
}

/** The mark types of a concatenated chart's panels. */
function panelMarks(chart: ReportChart): unknown[] {
  const spec = chart.spec as { hconcat?: { mark?: unknown }[]; concat?: { mark?: unknown }[] };
  return (spec.hconcat ?? spec.concat ?? []).map((panel) => (typeof panel.mark === 'object' && panel.mark !== null ? (panel.mark as { type: unknown }).type : panel.mark));
}

describe('reportCharts', () => {
  it('compiles every chart of every report without a Vega-Lite warning', () => {
    for (const data of Object.values(reports)) {
      const datasets = reportDatasets(data);
      for (const chart of reportCharts(data)) {
        const logger = new CapturingLogger();
        compile(withDatasets(chart, datasets), { logger });
        expect(logger.messages, chart.id).toEqual([]);
        for (const name of chart.datasets) expect(datasets[name]?.length, `${chart.id} reads ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('puts the headline first and shows task breakdowns only for their task', () => {
    const common = ['headline', 'quality-cost', 'quality', 'latency', 'tokens', 'resources'];
    expect(chartIds(reports.text)).toEqual(common);
    expect(chartIds(reports.classification)).toEqual([...common, 'confusion', 'per-class', 'label-distribution']);
    expect(chartIds(reports.jsonAnalysis)).toEqual([...common, 'json-rates', 'alert-confusion', 'risk-error']);
  });

  it('draws quality, GPU time and GPU memory per batch side by side, naming the run without a GPU', () => {
    const chart = headlineChart(reports.text);
    expect(panelMarks(chart)).toEqual(['line', 'line', 'line']);
    expect(JSON.stringify(chart.spec)).toContain(`${NO_GPU_VISIBLE}: qwen3-0.6b`);
  });

  // Issue #13: the headline is never two empty panels; without a GPU it shows the compute that did the work.
  it('shows CPU time and peak RSS beside quality when no run had a GPU and the model ran inside logbench', () => {
    expect(headlineCost(reports.baseOnly)).toBe('in-process');
    const headline = headlineChart(reports.baseOnly);
    expect(headline.title).toBe('Quality next to CPU time and memory, per batch');
    expect(panelMarks(headline)).toEqual(['line', 'line', 'line']);
    const panels = (headline.spec as { hconcat: { title: string; encoding: { y: { field: string } } }[] }).hconcat;
    expect(panels.map((panel) => panel.encoding.y.field)).toEqual(['quality', 'cpuMs', 'rssPeakMb']);
    expect((headline.spec as { title: { text: string } }).title.text).toMatch(new RegExp(`^${NO_GPU_VISIBLE}: the models ran inside logbench, so its CPU time and peak memory`));
    // The quality-against-cost chart follows: CPU time in place of GPU time.
    const cost = reportCharts(reports.baseOnly).find((chart) => chart.id === 'quality-cost');
    expect(JSON.stringify(cost?.spec)).toContain('quality vs CPU time');
    const resources = reportCharts(reports.baseOnly).find((chart) => chart.id === 'resources');
    expect(resources === undefined ? [] : panelMarks(resources)).toEqual(['line', 'line', 'text', 'text']);
  });

  it('shows request latency and tokens beside quality for an endpoint without GPU telemetry, and says so', () => {
    expect(headlineCost(reports.remote)).toBe('remote');
    const headline = headlineChart(reports.remote);
    expect(headline.title).toBe('Quality next to request latency and tokens, per batch');
    expect(panelMarks(headline)).toEqual(['line', 'line', 'line']);
    const spec = JSON.stringify(headline.spec);
    for (const field of ['latencyP50Ms', 'latencyP95Ms', 'tokensIn', 'tokensOut']) expect(spec).toContain(field);
    expect((headline.spec as { title: { text: string } }).title.text).toBe(
      'no GPU telemetry for hosted: request latency and tokens stand for the compute (gpu_metrics_url records GPU figures)',
    );
    expect(JSON.stringify(reportCharts(reports.remote).find((chart) => chart.id === 'quality-cost')?.spec)).toContain('quality vs tokens');
    // Where an exporter was named but never answered, the note gives the stored reason instead of suggesting one.
    expect(headlineCost(reports.unscraped)).toBe('remote');
    expect((headlineChart(reports.unscraped).spec as { title: { text: string } }).title.text).toBe(
      'no GPU figures for vllm-node (scrape failed: connect ECONNREFUSED 127.0.0.1:9400): request latency and tokens stand for the compute',
    );
  });

  it('adds GPU energy per batch to the headline and quality per kJ to quality against cost where energy is known', () => {
    expect(headlineCost(reports.dcgm)).toBe('gpu');
    const headline = headlineChart(reports.dcgm);
    expect(headline.title).toBe('Quality next to GPU time, GPU memory and energy, per batch');
    expect(panelMarks(headline)).toEqual(['line', 'line', 'line', 'line']);
    expect(JSON.stringify(headline.spec)).toContain('"field":"energyJ"');
    expect((headline.spec as { title?: unknown }).title).toBeUndefined();
    const cost = reportCharts(reports.dcgm).find((chart) => chart.id === 'quality-cost');
    const panels = (cost?.spec as { hconcat: { title: string }[] }).hconcat.map((panel) => panel.title);
    expect(panels).toEqual(['quality vs GPU time', 'quality vs wall time', 'quality vs GPU energy']);
    expect(JSON.stringify(cost?.spec)).toContain("' per kJ'");
    const costs = reportDatasets(reports.dcgm)['costs'] as { energyKj: number; energyJ: number; qualityPerKj: number; quality: number }[];
    for (const row of costs) {
      expect(row.energyKj).toBe(row.energyJ / 1000);
      expect(row.qualityPerKj).toBeCloseTo(row.quality / row.energyKj, 12);
    }
  });

  it('ticks the batch axis at whole batches and spaces every axis label from its neighbours', () => {
    expect(BATCH_AXIS.axis).toEqual({ tickMinStep: 1, format: 'd' });
    for (const data of Object.values(reports)) {
      for (const chart of reportCharts(data)) {
        expect((chart.spec as { config?: unknown }).config, chart.id).toMatchObject(CHART_CONFIG);
        const json = JSON.stringify(chart.spec);
        // Every x encoding of batchIndex is the shared batch axis.
        const batchAxes = json.match(/"x":\{"field":"batchIndex"[^}]*\}(,"axis":\{[^}]*\})?/g) ?? [];
        for (const axis of batchAxes) expect(axis, chart.id).toContain('"tickMinStep":1');
      }
    }
  });

  it('labels numbers without padding zeros and gives a constant series a domain from 0 (issue #13: "30,000.000000", "1.000000")', () => {
    expect(CHART_CONFIG.numberFormat).toBe(',~r');
    expect(valueScale([1, 1, null, 1], false)).toEqual({ domain: [0, 1] });
    expect(valueScale([30_000, 30_000], false)).toEqual({ domain: [0, 30_000] });
    expect(valueScale([0, 0], true)).toEqual({ domain: [0, 1] });
    expect(valueScale([-2, -2], false)).toEqual({ domain: [-2, 0] });
    expect(valueScale([0.2, 0.4], false)).toEqual({ zero: false });
    expect(valueScale([null], true)).toEqual({ zero: true });
    // A run pair whose every batch scored 1: the quality panels read 0 to 1, not one tick at "1.000000".
    const perfect = { ...reports.text, batches: reports.text.batches.map((batch) => ({ ...batch, quality: 1 })), costs: reports.text.costs.map((cost) => ({ ...cost, quality: 1, qualityCiLow: null, qualityCiHigh: null })) };
    const quality = (headlineChart(perfect).spec as { hconcat: { encoding: { y: { scale: unknown } } }[] }).hconcat[0];
    expect(quality?.encoding.y.scale).toEqual({ domain: [0, 1] });
    const cost = reportCharts(perfect).find((chart) => chart.id === 'quality-cost')?.spec as { hconcat: { layer: { encoding: { y: { scale?: unknown } } }[] }[] };
    expect(cost.hconcat[0]?.layer[1]?.encoding.y.scale).toEqual({ domain: [0, 1] });
  });

  it('fails loudly when a chart reads a dataset the report lacks', () => {
    const chart = headlineChart(reports.text);
    expect(() => withDatasets(chart, {})).toThrow('chart headline reads dataset "batches"');
  });
});

describe('reportDatasets', () => {
  it('shades confusion cells by their share of the true class', () => {
    const rows = reportDatasets(reports.classification)['confusion'] as { model: string; truth: string; share: number }[];
    const totals = new Map<string, number>();
    for (const row of rows) totals.set(`${row.model}/${row.truth}`, (totals.get(`${row.model}/${row.truth}`) ?? 0) + row.share);
    for (const total of totals.values()) expect(total).toBeCloseTo(1, 12);
  });

  it('gives costs in seconds, GPU time null without a GPU', () => {
    const costs = reportDatasets(reports.text)['costs'] as { model: string; wallS: number; wallMs: number; gpuTimeS: number | null }[];
    expect(costs.map((cost) => cost.wallS)).toEqual(costs.map((cost) => cost.wallMs / 1000));
    expect(costs.find((cost) => cost.model === 'qwen3-0.6b')?.gpuTimeS).toBeNull();
  });
});
