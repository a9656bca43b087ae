import { defineMetric, rate } from '../definition.js';
import { fuzzRatio } from '../fuzzy.js';
import { definedMean } from '../statistics/index.js';
import { exactMean } from '../textMetrics.js';
import { firstReference } from './textPair.js';

/** thefuzz `fuzz.ratio` / 100 against the first reference; the corpus figure is its mean. */
export const fuzzy = defineMetric<number>({
  name: 'fuzzy',
  description: 'thefuzz fuzz.ratio / 100 (Indel similarity), mean over samples',
  figures: [rate('fuzzy')],
  sampleFigures: [rate('fuzzy')],
  score: (pair) => fuzzRatio(pair.output, firstReference(pair)) / 100,
  sampleValues: (value) => ({ fuzzy: value }),
  corpus: (values) => ({ fuzzy: exactMean(Float64Array.from(values)) }),
  statistics: (values) => ({ fuzzy: definedMean(values) }),
});
