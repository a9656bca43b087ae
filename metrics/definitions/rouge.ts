import { defineMetric, rate } from '../definition.js';
import { rougeScore, rougeScoreMulti } from '../rouge/index.js';
import { definedMean } from '../statistics/index.js';
import { exactMean, TEXT_ROUGE_TYPES } from '../textMetrics.js';

const figures = TEXT_ROUGE_TYPES.map(rate);

/**
 * Google rouge_score ROUGE-1/2/L/Lsum F-measures (best reference, `score_multi`); corpus figures
 * are their means, as HF evaluate's "rouge" reports them.
 */
export const rouge = defineMetric<readonly number[]>({
  name: 'rouge',
  description: 'rouge_score ROUGE-1/2/L/Lsum F-measure, mean over samples (HF evaluate "rouge")',
  figures,
  sampleFigures: figures,
  score: (pair) => {
    const first = pair.references[0] ?? '';
    const scores = pair.references.length <= 1 ? rougeScore(pair.output, first, { types: TEXT_ROUGE_TYPES }) : rougeScoreMulti(pair.output, pair.references, { types: TEXT_ROUGE_TYPES });
    return TEXT_ROUGE_TYPES.map((type) => scores[type].fmeasure);
  },
  sampleValues: (fmeasures) => Object.fromEntries(TEXT_ROUGE_TYPES.map((type, i) => [type, fmeasures[i] as number])),
  corpus: (states) => Object.fromEntries(TEXT_ROUGE_TYPES.map((type, i) => [type, exactMean(Float64Array.from(states, (f) => f[i] as number))])),
  statistics: (states) => Object.fromEntries(TEXT_ROUGE_TYPES.map((type, i) => [type, definedMean(states.map((f) => f[i]))])),
});
