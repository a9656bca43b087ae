/**
 * Exact McNemar test for two classifiers scored on the same samples, as statsmodels 0.13
 * `mcnemar(table, exact=True)`: statistic = min(b, c), p = min(1, 2·binom.cdf(min(b, c), b + c, 0.5)).
 */

const LN_TWO_PI = Math.log(2 * Math.PI);

/**
 * stirlerr(m) = ln(m!) − (m + ½)·ln(m) + m − ½·ln(2π) for m = 0..15, as R nmath stirlerr.c
 * `sferr_halves` at integer m (checked against 60-digit decimal arithmetic); the direct formula
 * cancels down to ~1e-14 here.
 */
const SMALL_STIRLING_ERRORS = [
  0, 0.0810614667953272582196702, 0.0413406959554092940938221, 0.02767792568499833914878929,
  0.02079067210376509311152277, 0.01664469118982119216319486, 0.01387612882307074799874572,
  0.01189670994589177009505572, 0.01041126526197209649747856, 0.00925546218271273291772863,
  0.00833056343336287125646931, 0.00757367548795184079497202, 0.00694284010720952986566415,
  0.00640899418800420706843963, 0.00595137011275884773562441, 0.00555473355196280137103868,
];

/**
 * stirlerr(m) for integer m ≥ 1: the table, then Loader's asymptotic series
 * 1/12m − 1/360m³ + 1/1260m⁵ − 1/1680m⁷ + 1/1188m⁹ (next term < 2e-16).
 */
function stirlingError(m: number): number {
  const tabulated = SMALL_STIRLING_ERRORS[m];
  if (tabulated !== undefined) return tabulated;
  const inverseSquare = 1 / (m * m);
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - inverseSquare / 1188) * inverseSquare) * inverseSquare) * inverseSquare) / m;
}

/** bd0(x, μ) = x·ln(x/μ) + μ − x without cancellation near x = μ (Loader 2000, R `bd0`). */
function deviance(x: number, mean: number): number {
  if (Math.abs(x - mean) < 0.1 * (x + mean)) {
    let v = (x - mean) / (x + mean);
    let sum = (x - mean) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; ; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
  }
  return x * Math.log(x / mean) + mean - x;
}

/**
 * P(X = k) for X ~ Binomial(trials, ½), by Loader's saddle-point formula (R `dbinom_raw`): relative
 * error ~1e-15 near the centre, growing with |ln P| in the far tail (~1e-13 at P ≈ 1e-60).
 */
function binomialPmfHalf(k: number, trials: number): number {
  if (k === 0 || k === trials) return Math.pow(0.5, trials);
  const half = trials / 2;
  const logCore =
    stirlingError(trials) - stirlingError(k) - stirlingError(trials - k) - deviance(k, half) - deviance(trials - k, half);
  const logFactor = LN_TWO_PI + Math.log(k) + Math.log1p(-k / trials);
  return Math.exp(logCore - 0.5 * logFactor);
}

/**
 * P(X ≤ k) for X ~ Binomial(trials, ½) and k ≤ trials/2 (scipy `binom.cdf(k, trials, 0.5)`): P(X = k)
 * times Σ_{i ≤ k} P(X = i)/P(X = k), the ratios built downward by P(i − 1)/P(i) = i/(trials − i + 1)
 * and summed largest first until they no longer change the sum.
 */
export function binomialLowerTailHalf(k: number, trials: number): number {
  if (!Number.isInteger(trials) || trials < 0 || !Number.isInteger(k) || k < 0 || 2 * k > trials) {
    throw new RangeError(`binomialLowerTailHalf needs integers 0 ≤ k ≤ trials/2, got k=${k}, trials=${trials}`);
  }
  let ratioSum = 1;
  let ratio = 1;
  for (let i = k; i > 0; i--) {
    ratio *= i / (trials - i + 1);
    const next = ratioSum + ratio;
    if (next === ratioSum) break;
    ratioSum = next;
  }
  return binomialPmfHalf(k, trials) * ratioSum;
}

export interface McNemarResult {
  /** Samples run A got right and run B got wrong (statsmodels `table[0, 1]`). */
  readonly b: number;
  /** Samples run A got wrong and run B got right (`table[1, 0]`). */
  readonly c: number;
  /** min(b, c). */
  readonly statistic: number;
  readonly pValue: number;
}

/** Exact (binomial, two-sided) McNemar test on per-sample correctness of runs A and B, aligned by sample. */
export function mcnemarExact(aCorrect: readonly boolean[], bCorrect: readonly boolean[]): McNemarResult {
  if (aCorrect.length !== bCorrect.length) {
    throw new RangeError(`McNemar needs aligned samples, got ${aCorrect.length} and ${bCorrect.length}`);
  }
  let b = 0;
  let c = 0;
  aCorrect.forEach((aRight, i) => {
    const bRight = bCorrect[i];
    if (aRight && !bRight) b++;
    else if (!aRight && bRight) c++;
  });
  const statistic = Math.min(b, c);
  return { b, c, statistic, pValue: Math.min(1, 2 * binomialLowerTailHalf(statistic, b + c)) };
}
