/**
 * Bootstrap throughput: 10,000 resamples of every text metric of 1,000 deterministic pairs.
 * Per-pair metrics are computed once; the timed part is resampling only. `ms_median_of_3` is one
 * `bootstrapCIs` call over all seven metrics sharing each resample's indices; `per_metric_ms`
 * times each metric alone (its own index draws included), also median of 3 (wall clock).
 */
import { hfAndSacrebleuSegmentStats } from '../metrics/bleu/index.js';
import { fuzzyMatch } from '../metrics/fuzzy.js';
import { rougeScore } from '../metrics/rouge/index.js';
import {
  bootstrapCIs,
  hfBleuStatistic,
  meanStatistic,
  sacrebleuStatistic,
  type SummedStatistic,
} from '../metrics/statistics/index.js';
import { makeTextPairs } from './corpus.js';

const PAIRS = 1_000;
const RESAMPLES = 10_000;
const SEED = 20240611;
const REPEATS = 3;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function median(values: number[]): number {
  values.sort((x, y) => x - y);
  return Math.round(values[Math.floor(values.length / 2)]! * 10) / 10;
}

/** Median wall and CPU time of REPEATS runs; CPU time shows the cost when other processes share the cores. */
function medianTiming(run: () => unknown): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    run();
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    const { user, system } = process.cpuUsage(cpuStart);
    cpu.push((user + system) / 1e3);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

const pairs = makeTextPairs(PAIRS);
const rouge = pairs.map(({ prediction, reference }) => rougeScore(prediction, reference));
const bleu = hfAndSacrebleuSegmentStats(
  pairs.map((pair) => pair.prediction),
  pairs.map((pair) => [pair.reference]),
);
const statistics: Record<string, SummedStatistic> = {
  rouge1: meanStatistic(rouge.map((score) => score.rouge1.fmeasure)),
  rouge2: meanStatistic(rouge.map((score) => score.rouge2.fmeasure)),
  rougeL: meanStatistic(rouge.map((score) => score.rougeL.fmeasure)),
  rougeLsum: meanStatistic(rouge.map((score) => score.rougeLsum.fmeasure)),
  fuzzy: meanStatistic(pairs.map(({ prediction, reference }) => fuzzyMatch(prediction, reference))),
  hf_bleu: hfBleuStatistic(bleu.hf),
  sacrebleu: sacrebleuStatistic(bleu.sacrebleu),
};
const options = { resamples: RESAMPLES, seed: SEED };

const perMetricMs: Record<string, number> = {};
for (const [name, statistic] of Object.entries(statistics)) {
  perMetricMs[name] = medianTiming(() => bootstrapCIs({ [name]: statistic }, options)).wallMs;
}
const all = medianTiming(() => bootstrapCIs(statistics, options));

console.log(
  JSON.stringify({
    resamples: RESAMPLES,
    pairs: PAIRS,
    ms_median_of_3: all.wallMs,
    cpu_ms_median_of_3: all.cpuMs,
    per_metric_ms: perMetricMs,
  }),
);
