import { CHRF, CHRF_PLUS_PLUS, chrfFromStatistics, chrfPairStatistics, chrfStatistic, sumChrfStatistics, type ChrfStatistics } from '../chrf.js';
import { defineMetric } from '../definition.js';

const SCALE = [0, 100] as const;

export interface ChrfState {
  chrf: ChrfStatistics;
  chrfpp: ChrfStatistics;
}

/** sacreBLEU 2.6 chrF (`CHRF()`) and chrF++ (`CHRF(word_order=2)`), sentence and corpus, 0–100. */
export const chrf = defineMetric<ChrfState>({
  name: 'chrf',
  description: 'sacreBLEU chrF and chrF++ (character 6-grams, beta 2; chrF++ adds word 1-2-grams), 0-100',
  figures: [
    { name: 'chrf', higherIsBetter: true, range: SCALE },
    { name: 'chrfpp', higherIsBetter: true, range: SCALE },
  ],
  sampleFigures: [
    { name: 'chrf', higherIsBetter: true, range: SCALE },
    { name: 'chrfpp', higherIsBetter: true, range: SCALE },
  ],
  score: (pair) => chrfPairStatistics(pair.output, pair.references),
  sampleValues: (state) => ({ chrf: chrfFromStatistics(state.chrf), chrfpp: chrfFromStatistics(state.chrfpp) }),
  corpus: (states) => ({
    chrf: chrfFromStatistics(sumChrfStatistics(states.map((s) => s.chrf), CHRF)),
    chrfpp: chrfFromStatistics(sumChrfStatistics(states.map((s) => s.chrfpp), CHRF_PLUS_PLUS)),
  }),
  statistics: (states) => ({
    chrf: chrfStatistic(states.map((s) => s.chrf), CHRF),
    chrfpp: chrfStatistic(states.map((s) => s.chrfpp), CHRF_PLUS_PLUS),
  }),
});
