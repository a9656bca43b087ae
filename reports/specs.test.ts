import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFixtureStore, openReportFixtureStore } from '../test/support/report-fixtures.js';
import { type ReportData, loadReportData } from './data.js';
import { NO_GPU_VISIBLE, type ReportChart, headlineChart, reportCharts, reportDatasets, withDatasets } from './specs.js';

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
let reports: Record<'text' | 'classification' | 'jsonAnalysis' | 'baseOnly', ReportData>;

beforeAll(async () => {
  fixture = await openReportFixtureStore();
  const { store, runs } = fixture;
  reports = {
    text: await loadReportData(store, { runId: runs.text.finetuned, baselineId: runs.text.base }),
    classification: await loadReportData(store, { runId: runs.classification.finetuned, baselineId: runs.classification.base }),
    jsonAnalysis: await loadReportData(store, { runId: runs.jsonAnalysis.finetuned, baselineId: runs.jsonAnalysis.base }),
    baseOnly: await loadReportData(store, { runId: runs.text.base }),
  };
});
afterAll(() => fixture.dispose());

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
    const common = ['headline', 'quality', 'quality-cost', 'latency', 'tokens', 'resources'];
    expect(chartIds(reports.text)).toEqual(common);
    expect(chartIds(reports.classification)).toEqual([...common, 'confusion', 'per-class', 'label-distribution']);
    expect(chartIds(reports.jsonAnalysis)).toEqual([...common, 'json-rates', 'alert-confusion', 'risk-error']);
  });

  it('draws quality, GPU time and GPU memory per batch side by side, naming the run without a GPU', () => {
    const chart = headlineChart(reports.text);
    expect(panelMarks(chart)).toEqual(['line', 'line', 'line']);
    expect(JSON.stringify(chart.spec)).toContain(`${NO_GPU_VISIBLE}: qwen3-0.6b`);
  });

  it('says "no GPU visible" in place of the GPU panels when no run had a GPU', () => {
    const headline = headlineChart(reports.baseOnly);
    expect(panelMarks(headline)).toEqual(['line', 'text', 'text']);
    expect(JSON.stringify(headline.spec)).toContain(NO_GPU_VISIBLE);
    const resources = reportCharts(reports.baseOnly).find((chart) => chart.id === 'resources');
    expect(resources === undefined ? [] : panelMarks(resources)).toEqual(['line', 'line', 'text', 'text']);
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
