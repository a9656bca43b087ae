import { describe, expect, it } from 'vitest';
import { formatPValue } from './format.js';

describe('formatPValue', () => {
  it('never claims more precision than its test has: a bootstrap p below 1/R reads <1/R', () => {
    expect(formatPValue(0, 100)).toBe('<0.01');
    expect(formatPValue(0, 1000)).toBe('<0.001');
    expect(formatPValue(0, 100_000)).toBe('<0.001');
    expect(formatPValue(0.01, 100)).toBe('0.01');
    // An exact test (McNemar) has no resamples.
    expect(formatPValue(0.0004, null)).toBe('<0.001');
    expect(formatPValue(0.0123)).toBe('0.0123');
    expect(formatPValue(null)).toBe('—');
  });
});
