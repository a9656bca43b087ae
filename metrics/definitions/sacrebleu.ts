import { sacrebleuFromStats } from '../bleu/index.js';
import { defineMetric } from '../definition.js';
import { sacrebleuStatistic } from '../statistics/index.js';
import { SegmentStatsSum } from '../textMetrics.js';
import { SENTENCE_BLEU, sentenceBleu, type BleuState } from './bleu.js';
import { bleuSegments } from './textPair.js';

/** sacreBLEU `corpus_bleu` (0–100, its defaults) from summed segment statistics. */
export const sacrebleu = defineMetric<BleuState>({
  name: 'sacrebleu',
  description: 'sacreBLEU 2.x corpus BLEU (0-100, its defaults)',
  figures: [{ name: 'sacrebleu', higherIsBetter: true, range: [0, 100] }],
  sampleFigures: [SENTENCE_BLEU],
  score: bleuSegments,
  sampleValues: sentenceBleu,
  corpus: (states) => {
    const sum = new SegmentStatsSum('closest');
    for (const state of states) sum.add(state.sacrebleu);
    return { sacrebleu: sacrebleuFromStats(sum.asSegments(), { effectiveOrder: false }).score };
  },
  statistics: (states) => ({ sacrebleu: sacrebleuStatistic(states.map((state) => state.sacrebleu)) }),
});
