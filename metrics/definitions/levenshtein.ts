import { defineMetric } from '../definition.js';
import { levenshteinDistance } from '../fuzzy.js';
import { definedMean, meanOfDefined } from '../statistics/index.js';
import { firstReference } from './textPair.js';

const DISTANCE = { name: 'levenshtein', higherIsBetter: false, range: [0, Number.POSITIVE_INFINITY] } as const;

/** Levenshtein edit distance (characters) to the first reference; the corpus figure is its mean. */
export const levenshtein = defineMetric<number>({
  name: 'levenshtein',
  description: 'Levenshtein distance in characters (fastest-levenshtein), mean over samples',
  figures: [DISTANCE],
  sampleFigures: [DISTANCE],
  score: (pair) => levenshteinDistance(pair.output, firstReference(pair)),
  sampleValues: (distance) => ({ levenshtein: distance }),
  corpus: (distances) => ({ levenshtein: meanOfDefined(distances).value }),
  statistics: (distances) => ({ levenshtein: definedMean(distances) }),
});
