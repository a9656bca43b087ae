/**
 * `logbench/metrics`: the pure metric functions, each matching its Python reference (named in its
 * module). Internals (tokenizers, LCS kernels, segment statistics) stay private to their folders.
 */
export { fuzzRatio, fuzzyMatch, indelDistance, levenshteinDistance, levenshteinRatio, normalizedLevenshteinSimilarity } from './fuzzy.js';
export {
  DEFAULT_ROUGE_TYPES,
  rougeScore,
  rougeScoreMulti,
  type RougeOptions,
  type RougeScore,
  type RougeScores,
  type RougeType,
  type SentenceSplitter,
} from './rouge/index.js';
export {
  hfBleuCorpus,
  nltkCorpusBleu,
  sacrebleuCorpus,
  sacrebleuSentence,
  type HfBleuOptions,
  type HfBleuResult,
  type SacrebleuScore,
} from './bleu/index.js';
export { CHRF, CHRF_PLUS_PLUS, chrfCorpus, chrfSentence, type ChrfParameters } from './chrf.js';
export {
  accuracy,
  classificationReport,
  confusionMatrix,
  precisionRecallF1,
  type Average,
  type ClassificationOptions,
  type ClassificationReport,
  type ClassLabel,
  type Label,
  type PrecisionRecallF1,
} from './classification.js';
export {
  DEFAULT_CONFIDENCE,
  DEFAULT_RESAMPLES,
  accuracyDifference,
  bootstrapCI,
  differenceSummary,
  mcnemarExact,
  pairedBootstrap,
  percentile,
  type BootstrapInterval,
  type BootstrapOptions,
  type DifferenceSummary,
  type McNemarResult,
  type PairedBootstrapResult,
  type SampleValues,
} from './statistics/index.js';
// Writing a metric plugin: a definition (checked by `defineMetric`) and the registry it joins.
export { defineMetric, type FigureInfo, type MetricDefinition, type TaskDefinition, type TextPair } from './definition.js';
export { METRICS, TASKS, higherIsBetter } from './registry.js';
export { countsStatistic, definedMean, meanOfDefined } from './statistics/index.js';
