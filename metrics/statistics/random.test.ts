import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Xoshiro128StarStar, resampleIndices, type Xoshiro128State } from './random.js';

const RandomFixture = z.object({
  seeded_states: z.array(z.object({ seed: z.number(), state: z.tuple([z.number(), z.number(), z.number(), z.number()]) })),
  draws: z.array(z.object({ seed: z.number(), bound: z.number(), values: z.array(z.number()) })),
  resample_indices: z.object({ n: z.number(), resamples: z.number(), seed: z.number(), indices: z.array(z.number()) }),
});
const fixture = RandomFixture.parse(
  JSON.parse(readFileSync(new URL('../../test/fixtures/statistics/random.json', import.meta.url), 'utf8')),
);

const TWO_POW_32 = 2 ** 32;

function draws(generator: Xoshiro128StarStar, count: number, bound: number): number[] {
  const out = new Uint32Array(count);
  generator.fillBelow(out, bound);
  return Array.from(out);
}

describe('Xoshiro128StarStar', () => {
  it('reproduces the reference xoshiro128** outputs for state (0, 1, 2, 3)', () => {
    // Published test vector of the C reference implementation.
    const expected = [5760, 17280, 2966400, 32451840, 2604340873, 3891234569, 1254043636, 216095511, 3291724652, 2070429911];
    expect(draws(new Xoshiro128StarStar([0, 1, 2, 3]), expected.length, TWO_POW_32)).toEqual(expected);
  });

  it('seeds from the first two SplitMix64 outputs, low word first', () => {
    // SplitMix64 reference outputs: seed 0 → e220a8397b1dcdaf, 6e789e6aa1b965f4; seed 42 → bdd732262feb6e95, 28efe333b266f103.
    const published: [number, Xoshiro128State][] = [
      [0, [0x7b1dcdaf, 0xe220a839, 0xa1b965f4, 0x6e789e6a]],
      [42, [0x2feb6e95, 0xbdd73226, 0xb266f103, 0x28efe333]],
    ];
    for (const [seed, state] of published) {
      expect(draws(Xoshiro128StarStar.fromSeed(seed), 16, TWO_POW_32)).toEqual(draws(new Xoshiro128StarStar(state), 16, TWO_POW_32));
    }
  });

  it('seeds as the Python generator does', () => {
    for (const { seed, state } of fixture.seeded_states) {
      expect(draws(Xoshiro128StarStar.fromSeed(seed), 8, TWO_POW_32)).toEqual(draws(new Xoshiro128StarStar(state), 8, TWO_POW_32));
    }
  });

  it('draws the same bounded integers as the Python generator, rejection and bounds above 2^21 included', () => {
    for (const { seed, bound, values } of fixture.draws) {
      expect(draws(Xoshiro128StarStar.fromSeed(seed), values.length, bound), `bound ${bound}`).toEqual(values);
    }
  });

  it('continues the stream across calls', () => {
    const whole = draws(Xoshiro128StarStar.fromSeed(9), 12, 97);
    const generator = Xoshiro128StarStar.fromSeed(9);
    expect([...draws(generator, 5, 97), ...draws(generator, 7, 97)]).toEqual(whole);
  });

  it('refuses bad seeds, bounds and states', () => {
    expect(() => Xoshiro128StarStar.fromSeed(-1)).toThrow(RangeError);
    expect(() => Xoshiro128StarStar.fromSeed(1.5)).toThrow(RangeError);
    expect(() => Xoshiro128StarStar.fromSeed(2 ** 53)).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar([TWO_POW_32, 0, 0, 1])).toThrow(RangeError);
    expect(() => draws(Xoshiro128StarStar.fromSeed(1), 1, 0)).toThrow(RangeError);
    expect(() => draws(Xoshiro128StarStar.fromSeed(1), 1, TWO_POW_32 + 1)).toThrow(RangeError);
  });
});

describe('resampleIndices', () => {
  it('lays resamples out row by row, as the Python generator does', () => {
    const { n, resamples, seed, indices } = fixture.resample_indices;
    expect(Array.from(resampleIndices(n, resamples, seed))).toEqual(indices);
  });

  it('refuses an empty sample and a negative resample count', () => {
    expect(() => resampleIndices(0, 3, 1)).toThrow(RangeError);
    expect(() => resampleIndices(5, -1, 1)).toThrow(RangeError);
  });
});
