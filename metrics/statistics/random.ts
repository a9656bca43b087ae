/**
 * Seeded resampling indices, identical on every platform: xoshiro128** 1.1 (Blackman & Vigna 2018,
 * prng.di.unimi.it/xoshiro128starstar.c) seeded by SplitMix64, bounded by Lemire's multiply-shift
 * with rejection. Only exact 32-bit integer arithmetic decides a draw; no Math.random, no float draws.
 * tools/fixtures/make_statistics_fixtures.py reimplements this stream in Python.
 */

const TWO_POW_32 = 4294967296;
const MASK_64 = (1n << 64n) - 1n;

/** SplitMix64 (Vigna, splitmix64.c), the seeder the xoshiro authors recommend; BigInt is fine for four words once per seed. */
function splitMix64(seed: bigint): () => bigint {
  let state = seed;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    return z ^ (z >> 31n);
  };
}

function rotateLeft(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}

export type Xoshiro128State = readonly [number, number, number, number];

export class Xoshiro128StarStar {
  /** s0..s3 as int32 bit patterns; a typed array keeps them unboxed. */
  private readonly state = new Int32Array(4);

  constructor(state: Xoshiro128State) {
    if (state.some((word) => !Number.isInteger(word) || word < 0 || word >= TWO_POW_32)) {
      throw new RangeError('xoshiro128** state words must be integers in [0, 2^32)');
    }
    if (state.every((word) => word === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    this.state.set(state);
  }

  /**
   * State from two SplitMix64 outputs, low word first: s0 = low(z1), s1 = high(z1), s2 = low(z2),
   * s3 = high(z2). SplitMix64's output mixer is a bijection, so two consecutive outputs are never both 0.
   */
  static fromSeed(seed: number): Xoshiro128StarStar {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    const next = splitMix64(BigInt(seed));
    const first = next();
    const second = next();
    const low = (word: bigint): number => Number(word & 0xffffffffn);
    const high = (word: bigint): number => Number(word >> 32n);
    return new Xoshiro128StarStar([low(first), high(first), low(second), high(second)]);
  }

  /**
   * Fills `out` with uniform integers in [0, bound), in order. Lemire (2019), "Fast random integer
   * generation in an interval": m = x·bound as a 64-bit product; reject x while low32(m) < 2^32 mod
   * bound; the draw is high32(m). bound = 2^32 passes every output through unchanged.
   */
  fillBelow(out: Uint32Array, bound: number): void {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
    }
    const threshold = (TWO_POW_32 - bound) % bound;
    const state = this.state;
    let s0 = state[0]!;
    let s1 = state[1]!;
    let s2 = state[2]!;
    let s3 = state[3]!;
    let filled = 0;
    while (filled < out.length) {
      // xoshiro128** next(): result = rotl(s1 * 5, 7) * 9, then the xoshiro128 linear step.
      const output = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
      const shifted = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= shifted;
      s3 = rotateLeft(s3, 11);

      const productLow = Math.imul(output, bound) >>> 0;
      if (productLow < threshold) continue;
      // output·bound rounds to within 2^11 of the exact product, so rounding (product − low) / 2^32 is exact.
      out[filled++] = Math.round((output * bound - productLow) / TWO_POW_32);
    }
    state[0] = s0;
    state[1] = s1;
    state[2] = s2;
    state[3] = s3;
  }
}

/**
 * Bootstrap resample indices: resample r is `indices[r·n, (r+1)·n)`, i.e. the generator seeded with
 * `seed` filling n·resamples draws in [0, n) in order. The bootstrap functions draw the same stream
 * one resample at a time.
 */
export function resampleIndices(n: number, resamples: number, seed: number): Uint32Array {
  if (!Number.isSafeInteger(resamples) || resamples < 0) throw new RangeError(`resamples must be a non-negative integer, got ${resamples}`);
  const indices = new Uint32Array(n * resamples);
  Xoshiro128StarStar.fromSeed(seed).fillBelow(indices, n);
  return indices;
}
