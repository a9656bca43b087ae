/** Headless SVG export of report charts (READMEs, papers): vega's View with no renderer, no browser. */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { ReportData } from './data.js';
import { type Datasets, type ReportChart, headlineChart, reportDatasets, withDatasets } from './specs.js';

/** `chart` with `datasets` attached, as a standalone SVG document. */
export async function renderChartSvg(chart: ReportChart, datasets: Datasets): Promise<string> {
  const view = new View(parse(compile(withDatasets(chart, datasets)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The headline chart (per-batch quality beside GPU time and GPU memory) as SVG. */
export function renderHeadlineSvg(data: ReportData): Promise<string> {
  return renderChartSvg(headlineChart(data), reportDatasets(data));
}
