import { hfBleuFromStats, sacrebleuFromStats, type BleuSegmentStats } from '../bleu/index.js';
import { defineMetric, rate, type FigureInfo } from '../definition.js';
import { hfBleuStatistic } from '../statistics/index.js';
import { SegmentStatsSum } from '../textMetrics.js';
import { bleuSegments } from './textPair.js';

/** sacreBLEU `sentence_bleu` (effective order) of the pair, stored per sample by both BLEU metrics. */
export const SENTENCE_BLEU: FigureInfo = { name: 'sentence_bleu', higherIsBetter: true, range: [0, 100] };

export interface BleuState {
  hf: BleuSegmentStats;
  sacrebleu: BleuSegmentStats;
}

export function sentenceBleu(state: BleuState): Record<string, number> {
  return { sentence_bleu: sacrebleuFromStats([state.sacrebleu], { effectiveOrder: true }).score };
}

/** HF evaluate "bleu": corpus BLEU (0–1) from summed segment statistics, tokenizer_13a, no smoothing. */
export const bleu = defineMetric<BleuState>({
  name: 'bleu',
  description: 'HF evaluate corpus BLEU (0-1; tokenizer_13a, max order 4, no smoothing)',
  figures: [rate('bleu')],
  sampleFigures: [SENTENCE_BLEU],
  score: bleuSegments,
  sampleValues: sentenceBleu,
  corpus: (states) => {
    const sum = new SegmentStatsSum('shortest');
    for (const state of states) sum.add(state.hf);
    return { bleu: hfBleuFromStats(sum.asSegments()).bleu };
  },
  statistics: (states) => ({ bleu: hfBleuStatistic(states.map((state) => state.hf)) }),
});
