import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { percentile } from './percentile.js';

const PercentileFixture = z.object({
  percentile_cases: z.array(z.object({ values: z.array(z.number()), percents: z.array(z.number()), expected: z.array(z.number()) })),
});
const fixture = PercentileFixture.parse(
  JSON.parse(readFileSync(new URL('../../test/fixtures/statistics/bootstrap.json', import.meta.url), 'utf8')),
);

describe('percentile', () => {
  it('equals numpy np.percentile (method linear) bit for bit', () => {
    for (const { values, percents, expected } of fixture.percentile_cases) {
      percents.forEach((percent, q) => {
        expect(percentile(values, percent), `${values.length} values, ${percent}%`).toBe(expected[q]);
      });
    }
  });

  it('refuses an empty sample, NaN and percents outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1, Number.NaN], 10)).toThrow(RangeError);
    expect(() => percentile([1, 2], 100.5)).toThrow(RangeError);
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
  });
});
