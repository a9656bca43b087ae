export {
  DEFAULT_ROUGE_TYPES,
  meanFmeasure,
  rougeCounts,
  rougeScore,
  rougeScoreMulti,
  scoreFromCounts,
} from './rouge.js';
export type {
  DefaultRougeType,
  RougeCounts,
  RougeNType,
  RougeOptions,
  RougeScore,
  RougeScores,
  RougeType,
  SentenceSplitter,
} from './rouge.js';
export { lcsIndices } from './lcs.js';
export { tokenize } from './tokenize.js';
export type { TokenizeOptions } from './tokenize.js';
export { PorterStemmer } from './porter.js';
export type { PorterMode } from './porter.js';
export { fsum } from './fsum.js';
