/**
 * numpy 1.24 `np.percentile(values, percent)` with its default method 'linear' (numpy `_quantile`):
 * quantile = percent / 100, virtual index h = (m − 1)·quantile, then numpy `_lerp` between the order
 * statistics at floor(h) and floor(h) + 1; h ≥ m − 1 gives the maximum.
 */
export function percentileOfSorted(sorted: Float64Array, percent: number): number {
  const count = sorted.length;
  if (count === 0) throw new RangeError('percentile of an empty sample');
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`percent must be in [0, 100], got ${percent}`);
  const virtualIndex = (count - 1) * (percent / 100);
  if (virtualIndex >= count - 1) return sorted[count - 1]!;
  const below = Math.floor(virtualIndex);
  const gamma = virtualIndex - below;
  const lower = sorted[below]!;
  const upper = sorted[below + 1]!;
  const difference = upper - lower;
  // numpy `_lerp`: a + (b − a)·t, but b − (b − a)·(1 − t) where t ≥ 0.5 (keeps the result monotone in t).
  return gamma >= 0.5 ? upper - difference * (1 - gamma) : lower + difference * gamma;
}

/** `np.percentile(values, percent)` (method 'linear'). NaN is refused where numpy would return NaN. */
export function percentile(values: Float64Array | readonly number[], percent: number): number {
  const sorted = Float64Array.from(values).sort();
  if (Number.isNaN(sorted[sorted.length - 1])) throw new RangeError('percentile of a sample containing NaN');
  return percentileOfSorted(sorted, percent);
}
