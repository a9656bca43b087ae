/** Per-sample columns for the usual corpus figures: means of defined values, and F-scores from TP / FP / FN counts. */
import { fsum } from '../rouge/fsum.js';
import type { SummedStatistic } from './bootstrap.js';

/** The plain mean over the samples where the value is defined (math.fsum / n), and that n. */
export function meanOfDefined(values: readonly (number | null | undefined)[]): { value: number | null; n: number } {
  const defined = values.filter((v): v is number => typeof v === 'number');
  return { value: defined.length ? fsum(defined) / defined.length : null, n: defined.length };
}

/** Mean over the samples where the value is defined (a column of values and one of 0/1 "defined"). */
export function definedMean(values: readonly (number | null | undefined)[]): SummedStatistic {
  const sum = new Float64Array(values.length);
  const count = new Float64Array(values.length);
  values.forEach((v, i) => {
    if (typeof v === 'number' && Number.isFinite(v)) {
      sum[i] = v;
      count[i] = 1;
    }
  });
  return { columns: [sum, count], finalize: (s) => (s[1]! > 0 ? s[0]! / s[1]! : NaN) };
}

/** Precision, recall or F1 of a positive class from per-sample TP / FP / FN indicators. */
export function countsStatistic(tp: Float64Array, fp: Float64Array, fn: Float64Array, figure: 'precision' | 'recall' | 'f1'): SummedStatistic {
  const ratio = (num: number, den: number) => (den > 0 ? num / den : 0); // zero_division=0, as scikit-learn
  return {
    columns: [tp, fp, fn],
    finalize: ([t, p, n]) =>
      figure === 'precision' ? ratio(t!, t! + p!) : figure === 'recall' ? ratio(t!, t! + n!) : ratio(2 * t!, 2 * t! + p! + n!),
  };
}

export function indicatorColumns(truth: readonly boolean[], predicted: readonly boolean[]) {
  const tp = new Float64Array(truth.length);
  const fp = new Float64Array(truth.length);
  const fn = new Float64Array(truth.length);
  truth.forEach((t, i) => {
    const p = predicted[i] as boolean;
    if (t && p) tp[i] = 1;
    else if (!t && p) fp[i] = 1;
    else if (t && !p) fn[i] = 1;
  });
  return { tp, fp, fn };
}
