/**
 * One shape for "run A versus run B on one metric" that `logbench compare`, the gates and the
 * reports share, whichever test produced it.
 */
import { pairedBootstrap, type BootstrapOptions, type PairedBootstrapResult } from './bootstrap.js';
import { mcnemarExact } from './mcnemar.js';

/**
 * 'paired-bootstrap': Koehn's one-sided p in the observed direction; 'paired-bootstrap-two-sided':
 * the two-sided bootstrap p; 'mcnemar-exact': exact McNemar p on per-sample correctness, with the
 * paired bootstrap interval of the accuracy difference. Intervals are always percentile intervals.
 */
export type DifferenceMethod = 'paired-bootstrap' | 'paired-bootstrap-two-sided' | 'mcnemar-exact';

export interface DifferenceSummary {
  /** Run A's metric (the candidate, by convention). */
  readonly a: number;
  /** Run B's metric (the baseline). */
  readonly b: number;
  /** a − b. */
  readonly delta: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly pValue: number;
  readonly n: number;
  readonly method: DifferenceMethod;
  /** McNemar only: samples exactly one run got right (the pairs the test sees). */
  readonly discordant?: number;
}

export type PValueSides = 'one-sided' | 'two-sided';

export function differenceSummary(result: PairedBootstrapResult, sides: PValueSides): DifferenceSummary {
  const { a, b, delta, ciLow, ciHigh, n } = result;
  return sides === 'one-sided'
    ? { a, b, delta, ciLow, ciHigh, pValue: result.pValue, n, method: 'paired-bootstrap' }
    : { a, b, delta, ciLow, ciHigh, pValue: result.pValueTwoSided, n, method: 'paired-bootstrap-two-sided' };
}

/** Accuracy of A versus B: exact McNemar p-value, paired bootstrap percentile interval of the accuracy difference. */
export function accuracyDifference(
  aCorrect: readonly boolean[],
  bCorrect: readonly boolean[],
  options: BootstrapOptions,
): DifferenceSummary {
  const { pValue, b: onlyA, c: onlyB } = mcnemarExact(aCorrect, bCorrect);
  const indicator = (correct: readonly boolean[]): number[] => correct.map((right) => (right ? 1 : 0));
  const { a, b, delta, ciLow, ciHigh, n } = pairedBootstrap(indicator(aCorrect), indicator(bCorrect), options);
  return { a, b, delta, ciLow, ciHigh, pValue, n, method: 'mcnemar-exact', discordant: onlyA + onlyB };
}
