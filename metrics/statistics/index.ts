export { Xoshiro128StarStar, resampleIndices, type Xoshiro128State } from './random.js';
export { percentile, percentileOfSorted } from './percentile.js';
export {
  DEFAULT_CONFIDENCE,
  DEFAULT_RESAMPLES,
  bootstrapCI,
  bootstrapCIs,
  bootstrapCorpusCI,
  bootstrapReplicates,
  fullSampleValue,
  meanStatistic,
  pairedBootstrap,
  type BootstrapInterval,
  type BootstrapOptions,
  type PairedBootstrapResult,
  type ResamplingOptions,
  type SampleValues,
  type SummedStatistic,
} from './bootstrap.js';
export { hfBleuStatistic, sacrebleuStatistic } from './bleuStatistic.js';
export { countsStatistic, definedMean, indicatorColumns, meanOfDefined } from './summed.js';
export { mcnemarExact, type McNemarResult } from './mcnemar.js';
export {
  accuracyDifference,
  differenceSummary,
  type DifferenceMethod,
  type DifferenceSummary,
  type PValueSides,
} from './difference.js';
