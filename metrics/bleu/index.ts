export { sacrebleuBleuTokens, tokenize13a } from './tokenizer13a.js';
export {
  BLEU_MAX_ORDER,
  bleuSegmentStats,
  chooseReferenceLength,
  corpusSegmentStats,
  hfAndSacrebleuSegmentStats,
  sumSegmentStats,
  type Bleu13aVariant,
  type BleuCorpusStats,
  type BleuSegmentStats,
  type HfAndSacrebleuSegmentStats,
  type ReferenceLengthRule,
} from './stats.js';
export { hfBleuCorpus, hfBleuFromStats, type HfBleuOptions, type HfBleuResult, type HfBleuUndefinedReason } from './hfBleu.js';
export { sacrebleuCorpus, sacrebleuFromStats, sacrebleuSentence, type SacrebleuOptions, type SacrebleuScore } from './sacrebleu.js';
export { nltkCorpusBleu, nltkCorpusBleuFromStats } from './nltkBleu.js';
