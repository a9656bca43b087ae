/**
 * Correctly rounded floating-point sum, as Python's `math.fsum` (CPython `math_fsum`: Shewchuk's
 * exact partials, then a half-even correction of the final rounding).
 * Non-finite inputs fall back to ordinary summation (NaN / ±Infinity), where Python may raise instead.
 */
export function fsum(values: Iterable<number>): number {
  const partials: number[] = [];
  let plainSum = 0;
  for (const value of values) {
    plainSum += value;
    let x = value;
    let kept = 0;
    for (const partial of partials) {
      let y = partial;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[kept++] = lo;
      x = hi;
    }
    partials.length = kept;
    partials.push(x);
  }
  if (!Number.isFinite(plainSum)) return plainSum;

  let n = partials.length;
  if (n === 0) return 0;
  n -= 1;
  let hi = partials[n] ?? 0;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    n -= 1;
    const y = partials[n] ?? 0;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half to even across the remaining partials, as CPython does.
  const below = partials[n - 1] ?? 0;
  if (n > 0 && ((lo < 0 && below < 0) || (lo > 0 && below > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
