/**
 * Percentile bootstrap (Efron & Tibshirani 1993, §13.3) for per-sample means and for corpus metrics
 * that sum per-sample statistics and then finalize them (BLEU), plus Koehn (2004) paired bootstrap
 * resampling between two runs on the same split. Resample r draws the r-th n indices of
 * `resampleIndices(n, resamples, seed)`; the same seed gives every metric the same resamples.
 */
import { fsum } from '../rouge/index.js';
import { percentileOfSorted } from './percentile.js';
import { Xoshiro128StarStar } from './random.js';

export const DEFAULT_RESAMPLES = 10_000;
export const DEFAULT_CONFIDENCE = 0.95;

/** A metric whose value over a (re)sample is `finalize` of its per-sample statistics summed over it. */
export interface SummedStatistic {
  /** One column per additive statistic; element i belongs to sample i. Columns keep each resample sum a scalar loop. */
  readonly columns: readonly Float64Array[];
  /** The metric from the column sums over one sample of the original size. */
  readonly finalize: (sums: Float64Array) => number;
}

export type SampleValues = Float64Array | readonly number[];

export interface ResamplingOptions {
  /** Default 10,000. */
  readonly resamples?: number;
  /** Seed of the resample indices (`Xoshiro128StarStar.fromSeed`); record it with the result. */
  readonly seed: number;
}

export interface BootstrapOptions extends ResamplingOptions {
  /** Two-sided confidence level of the percentile interval, default 0.95. */
  readonly confidence?: number;
}

export interface BootstrapInterval {
  /** The metric on the full sample. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: number;
  /** Samples, i.e. the size of every resample. */
  readonly n: number;
}

/** The mean of per-sample values (a per-sample metric's corpus value, e.g. HF evaluate ROUGE). */
export function meanStatistic(values: SampleValues): SummedStatistic {
  const column = Float64Array.from(values);
  if (column.some((value) => !Number.isFinite(value))) throw new RangeError('bootstrap values must be finite numbers');
  const n = column.length;
  return { columns: [column], finalize: (sums) => sums[0]! / n };
}

function sampleCount({ columns }: SummedStatistic): number {
  const n = columns[0]?.length;
  if (n === undefined) throw new RangeError('a summed statistic needs at least one column');
  if (columns.some((column) => column.length !== n)) throw new RangeError('the columns of a summed statistic differ in length');
  return n;
}

/**
 * The metric on the full sample. Columns are summed exactly (`fsum`, as Python's `math.fsum`), so a
 * mean equals the reported corpus value (`meanFmeasure`) bit for bit.
 */
export function fullSampleValue(statistic: SummedStatistic): number {
  sampleCount(statistic); // refuses ragged columns
  return statistic.finalize(Float64Array.from(statistic.columns, fsum));
}

/**
 * The distinct columns of `statistics` (same array or same contents) and, per statistic, where each
 * of its columns sits among them: metrics that share statistics (HF BLEU and sacreBLEU share all
 * but, with several references, the reference length) sum them once per resample.
 */
function distinctColumns(statistics: readonly SummedStatistic[]): { columns: Float64Array[]; positions: Int32Array[] } {
  const columns: Float64Array[] = [];
  const positions = statistics.map((statistic) =>
    Int32Array.from(statistic.columns, (column) => {
      const found = columns.findIndex((known) => known === column || sameContents(known, column));
      return found >= 0 ? found : columns.push(column) - 1;
    }),
  );
  return { columns, positions };
}

function sameContents(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function commonSampleCount(statistics: readonly SummedStatistic[]): number {
  const counts = statistics.map(sampleCount);
  const n = counts[0];
  if (n === undefined) throw new RangeError('bootstrap needs at least one statistic');
  if (counts.some((count) => count !== n)) throw new RangeError(`statistics cover different sample counts: ${counts.join(', ')}`);
  if (n === 0) throw new RangeError('bootstrap of an empty sample');
  return n;
}

function resampleCount(options: ResamplingOptions): number {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isSafeInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  return resamples;
}

/**
 * Bootstrap replicates: element r of list s is statistic s on resample r. All statistics share each
 * resample's indices, drawn once into one reused buffer; the inner loops allocate nothing.
 */
export function bootstrapReplicates(statistics: readonly SummedStatistic[], options: ResamplingOptions): Float64Array[] {
  const n = commonSampleCount(statistics);
  const resamples = resampleCount(options);
  const generator = Xoshiro128StarStar.fromSeed(options.seed);
  const indices = new Uint32Array(n);
  const { columns, positions } = distinctColumns(statistics);
  const columnSums = new Float64Array(columns.length);
  const replicates = statistics.map(() => new Float64Array(resamples));
  const sums = statistics.map((statistic) => new Float64Array(statistic.columns.length));
  for (let r = 0; r < resamples; r++) {
    generator.fillBelow(indices, n);
    // Each column summed over the resample in draw order.
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c]!;
      let total = 0;
      for (let j = 0; j < n; j++) total += column[indices[j]!]!;
      columnSums[c] = total;
    }
    for (let s = 0; s < statistics.length; s++) {
      const statisticSums = sums[s]!;
      const statisticPositions = positions[s]!;
      for (let k = 0; k < statisticPositions.length; k++) statisticSums[k] = columnSums[statisticPositions[k]!]!;
      replicates[s]![r] = statistics[s]!.finalize(statisticSums);
    }
  }
  return replicates;
}

function confidenceLevel(options: BootstrapOptions): number {
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return confidence;
}

/**
 * scipy 1.10 `bootstrap(method='percentile')`: alpha = (1 − confidence)/2, bounds
 * np.percentile(replicates, alpha·100) and np.percentile(replicates, (1 − alpha)·100). Sorts in place.
 */
function percentileInterval(replicates: Float64Array, confidence: number): { low: number; high: number } {
  if (replicates.some(Number.isNaN)) throw new RangeError('a bootstrap replicate is NaN');
  replicates.sort();
  const alpha = (1 - confidence) / 2;
  return { low: percentileOfSorted(replicates, alpha * 100), high: percentileOfSorted(replicates, (1 - alpha) * 100) };
}

/** Percentile intervals of several metrics of one run over shared resamples (same result as one call per metric). */
export function bootstrapCIs<K extends string>(
  statistics: Readonly<Record<K, SummedStatistic>>,
  options: BootstrapOptions,
): Record<K, BootstrapInterval> {
  const names = Object.keys(statistics) as K[];
  const list = names.map((name) => statistics[name]);
  const confidence = confidenceLevel(options);
  const replicates = bootstrapReplicates(list, options);
  const n = commonSampleCount(list);
  const intervals = {} as Record<K, BootstrapInterval>;
  names.forEach((name, s) => {
    intervals[name] = {
      estimate: fullSampleValue(list[s]!),
      ...percentileInterval(replicates[s]!, confidence),
      confidence,
      resamples: replicates[s]!.length,
      seed: options.seed,
      n,
    };
  });
  return intervals;
}

/** Percentile interval of a corpus metric that sums per-sample statistics (e.g. `hfBleuStatistic`). */
export function bootstrapCorpusCI(statistic: SummedStatistic, options: BootstrapOptions): BootstrapInterval {
  return bootstrapCIs({ metric: statistic }, options).metric;
}

/** Percentile interval of the mean of a per-sample metric; ROUGE's corpus value is such a mean. */
export function bootstrapCI(values: SampleValues, options: BootstrapOptions): BootstrapInterval {
  return bootstrapCorpusCI(meanStatistic(values), options);
}

export interface PairedBootstrapResult {
  /** Run A's and run B's metric on the full sample. */
  readonly a: number;
  readonly b: number;
  /** a − b. */
  readonly delta: number;
  /** Percentile interval of the resampled differences a* − b*. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /**
   * Koehn (2004), one-sided in the observed direction: the share of resamples whose difference does
   * not keep the sign of `delta`, #{a* − b* ≤ 0}/R when delta > 0, #{a* − b* ≥ 0}/R when delta < 0,
   * 1 when delta = 0. 0 means "below 1/R".
   */
  readonly pValue: number;
  /**
   * min(1, 2·min(#{a* − b* ≤ 0}, #{a* − b* ≥ 0})/R): the smallest α whose (1 − α) percentile
   * interval excludes 0, up to ties at 0.
   */
  readonly pValueTwoSided: number;
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: number;
  readonly n: number;
}

/**
 * Paired bootstrap resampling (Koehn 2004, "Statistical significance tests for machine translation
 * evaluation"): both runs are scored on the same resampled sample ids, aligned by position.
 * Pass per-sample values (compares means) or two `SummedStatistic`s of one corpus metric (e.g. BLEU).
 */
export function pairedBootstrap(a: SampleValues, b: SampleValues, options: BootstrapOptions): PairedBootstrapResult;
export function pairedBootstrap(a: SummedStatistic, b: SummedStatistic, options: BootstrapOptions): PairedBootstrapResult;
export function pairedBootstrap(
  a: SampleValues | SummedStatistic,
  b: SampleValues | SummedStatistic,
  options: BootstrapOptions,
): PairedBootstrapResult {
  const statisticA = asStatistic(a);
  const statisticB = asStatistic(b);
  const confidence = confidenceLevel(options);
  const [replicatesA, replicatesB] = bootstrapReplicates([statisticA, statisticB], options) as [Float64Array, Float64Array];
  const valueA = fullSampleValue(statisticA);
  const valueB = fullSampleValue(statisticB);
  const delta = valueA - valueB;
  const resamples = replicatesA.length;
  const differences = new Float64Array(resamples);
  let notPositive = 0;
  let notNegative = 0;
  for (let r = 0; r < resamples; r++) {
    const difference = replicatesA[r]! - replicatesB[r]!;
    differences[r] = difference;
    if (difference <= 0) notPositive++;
    if (difference >= 0) notNegative++;
  }
  const interval = percentileInterval(differences, confidence);
  const flips = delta > 0 ? notPositive : delta < 0 ? notNegative : resamples;
  return {
    a: valueA,
    b: valueB,
    delta,
    ciLow: interval.low,
    ciHigh: interval.high,
    pValue: flips / resamples,
    pValueTwoSided: Math.min(1, (2 * Math.min(notPositive, notNegative)) / resamples),
    confidence,
    resamples,
    seed: options.seed,
    n: sampleCount(statisticA),
  };
}

function asStatistic(input: SampleValues | SummedStatistic): SummedStatistic {
  return 'finalize' in input ? input : meanStatistic(input);
}

