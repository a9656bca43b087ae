import { describe, expect, it } from 'vitest';
import { fsum } from './fsum.js';

describe('fsum (math.fsum)', () => {
  it('rounds the exact sum once', () => {
    expect(fsum(Array.from({ length: 10 }, () => 0.1))).toBe(1);
    expect(fsum([1e100, 1, -1e100])).toBe(1);
    expect(fsum([1e16, 1, 1e-16])).toBe(10000000000000002);
  });

  it('rounds half to even across partials', () => {
    // Exact sum is 1 + 2^-53 + 2^-106: above the halfway point, so it rounds up.
    expect(fsum([1, 2 ** -53, 2 ** -106])).toBe(1 + 2 ** -52);
    // Exactly halfway: ties to the even neighbour 1.
    expect(fsum([1, 2 ** -53])).toBe(1);
  });

  it('sums an empty input to 0 and passes non-finite values through', () => {
    expect(fsum([])).toBe(0);
    expect(fsum([1, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
    expect(fsum([Number.NaN, 1])).toBeNaN();
  });
});
