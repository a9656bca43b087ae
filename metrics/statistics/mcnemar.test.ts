import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { binomialLowerTailHalf, mcnemarExact } from './mcnemar.js';

const McNemarFixture = z.object({
  cases: z.array(
    z.object({
      table: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]),
      b: z.number(),
      c: z.number(),
      statistic: z.number(),
      p_value_statsmodels: z.number(),
      p_value_binomtest: z.number(),
      p_value_exact: z.number(),
    }),
  ),
});
const fixture = McNemarFixture.parse(
  JSON.parse(readFileSync(new URL('../../test/fixtures/statistics/mcnemar.json', import.meta.url), 'utf8')),
);

function expectRelativelyClose(actual: number, expected: number, tolerance: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * expected);
}

/** Per-sample correctness of runs A and B laid out from statsmodels' table: rows A right/wrong, columns B right/wrong. */
function correctness([[bothRight, onlyA], [onlyB, bothWrong]]: [[number, number], [number, number]]): [boolean[], boolean[]] {
  const a: boolean[] = [];
  const b: boolean[] = [];
  const push = (count: number, aRight: boolean, bRight: boolean) => {
    for (let i = 0; i < count; i++) {
      a.push(aRight);
      b.push(bRight);
    }
  };
  push(bothRight, true, true);
  push(onlyA, true, false);
  push(onlyB, false, true);
  push(bothWrong, false, false);
  return [a, b];
}

describe('mcnemarExact', () => {
  it('matches statsmodels mcnemar(exact=True), scipy binomtest and the exact rational p-value', () => {
    for (const { table, b, c, statistic, p_value_statsmodels, p_value_binomtest, p_value_exact } of fixture.cases) {
      const label = `b=${b} c=${c}`;
      const result = mcnemarExact(...correctness(table));
      expect(result, label).toMatchObject({ b, c, statistic });
      // scipy's binom.cdf is itself ~1e-14 off the exact value at b + c ≈ 10^5.
      expectRelativelyClose(result.pValue, p_value_statsmodels, 1e-12, `${label} statsmodels`);
      expectRelativelyClose(result.pValue, p_value_binomtest, 1e-12, `${label} binomtest`);
      expectRelativelyClose(result.pValue, p_value_exact, 1e-12, `${label} exact`);
    }
  });

  it('refuses misaligned runs', () => {
    expect(() => mcnemarExact([true], [true, false])).toThrow(RangeError);
  });
});

describe('binomialLowerTailHalf', () => {
  it('equals Σ_{i ≤ k} C(n, i) / 2^n computed exactly, for every n ≤ 200', () => {
    for (let trials = 0; trials <= 200; trials++) {
      let binomial = 1n;
      let partialSum = 0n;
      for (let k = 0; 2 * k <= trials; k++) {
        partialSum += binomial;
        binomial = (binomial * BigInt(trials - k)) / BigInt(k + 1);
        const exact = Number(partialSum) / 2 ** trials;
        // P(k) = exp(exponent): far tails (exponent down to -139 here) amplify its last-bit errors.
        expectRelativelyClose(binomialLowerTailHalf(k, trials), exact, 1e-13, `k=${k} n=${trials}`);
      }
    }
  });

  it('refuses k above n/2 and non-integers', () => {
    expect(() => binomialLowerTailHalf(3, 5)).toThrow(RangeError);
    expect(() => binomialLowerTailHalf(1.5, 5)).toThrow(RangeError);
    expect(() => binomialLowerTailHalf(-1, 5)).toThrow(RangeError);
  });
});
