/**
 * `logbench`: run a suite and judge its runs from code, as the CLI does. The metric functions are
 * `logbench/metrics`, the stored runs `logbench/store`.
 */
export { loadSuite, SuiteError, type LoadedSuite } from './harness/suite/load.js';
export type { ModelSpec, Suite } from './harness/suite/schema.js';
// What a provider plugin (`provider: {module: ./my_provider.ts}`) exports and builds.
export { defineProvider, type ProviderDefinition, type ProviderModel, type ProviderContext, type RunnerContext } from './harness/providers/definition.js';
export type { Prediction, RenderedRequest, Runner } from './harness/runners/runner.js';
export { runSuite, type ModelRunResult, type RunOptions, type RunProgress, type SuiteRunResult } from './harness/run/runSuite.js';
export {
  compareStoredRuns,
  comparisonText,
  gateMarkdown,
  gateText,
  resolveRun,
  runGate,
  type GateOptions,
  type GateReport,
  type GateVerdict,
  type MetricDifference,
  type MetricVerdict,
  type RunComparison,
} from './harness/gate/index.js';
// runGate throws a CliError carrying the CLI's exit code (2 not comparable, 3 usage or infrastructure).
export { CliError, ExitCode } from './core/errors.js';
