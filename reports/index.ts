export {
  loadReportData,
  type ClassificationBreakdown,
  type Comparability,
  type JsonAnalysisBreakdown,
  type LabelShare,
  type PerClassScore,
  type QualityMetric,
  type ReportBatch,
  type ReportData,
  type ReportMetric,
  type ReportOptions,
  type ReportRun,
  type RiskErrorBin,
  type RunCost,
  type SampleOutput,
  type SampleView,
} from './data.js';
export { NO_ANSWER, type LabelCount } from '../harness/store/index.js';
export { NO_GPU_VISIBLE, headlineChart, reportCharts, reportDatasets, withDatasets, type Datasets, type ReportChart } from './specs.js';
export { gpuDefinitions, renderReportHtml, type PageLink, type RenderReportOptions } from './html.js';
export { renderReportMarkdown } from './markdown.js';
export { renderChartSvg, renderHeadlineSvg } from './svg.js';
export { historyCharts, loadHistoryData, renderHistoryHtml, type HistoryData, type HistoryMetric, type HistoryRun, type RenderHistoryOptions } from './history.js';
export { publishSite, type PublishedReport, type PublishedSite } from './publish.js';
export { storedComparison, storedVerdict, verdictSentence, type StoredComparison, type VerdictInput } from './verdict.js';
