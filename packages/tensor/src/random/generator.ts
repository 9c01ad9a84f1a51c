import { ArgumentError } from '../errors.js';
import { describe } from '../shape.js';

/**
 * A seedable pseudo-random generator: xoshiro128** (Blackman & Vigna), with its 128-bit state
 * filled from the seed by splitmix32. Only 32-bit integer arithmetic (`Math.imul`, shifts) is
 * used, so the same seed gives the same numbers on every JavaScript engine and platform.
 *
 * @example
 * const g = new Generator(42);
 * g.nextFloat(); // in [0, 1)
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | undefined;

  /** @param seed any safe integer (negative and large values are fine). */
  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Resets the state as if newly constructed with `seed`. */
  seed(seed: number): void {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new ArgumentError(`Generator: seed must be a safe integer, got ${describe(seed)}`, { where: 'Generator', argument: 'seed' });
    }
    // Mix both 32-bit halves of the seed so that 2^32 and 0 differ.
    let state = (seed | 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x9e3779b9);
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = undefined;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A standard normal sample (Box–Muller; the second value of each pair is kept for the next call). */
  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n) without modulo bias (n ≤ 2^32). */
  nextBelow(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * A snapshot of the state, to resume the exact sequence later with {@link Generator.setState}:
   * four unsigned 32-bit words and the spare normal sample (NaN when there is none). Equal states
   * give equal snapshots.
   */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.spareNormal ?? Number.NaN];
  }

  /** Restores a snapshot taken by {@link Generator.getState}. */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 5) {
      throw new ArgumentError('Generator.setState: expected the 5 numbers returned by getState()', {
        where: 'Generator',
        argument: 'state',
      });
    }
    [this.s0, this.s1, this.s2, this.s3] = state.slice(0, 4).map((v) => v | 0);
    this.spareNormal = Number.isNaN(state[4]) ? undefined : state[4];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let global: Generator | undefined;

/** The generator used when no `seed` or `generator` is given (seed 0 until {@link manualSeed}). */
export function globalGenerator(): Generator {
  global ??= new Generator(0);
  return global;
}

/**
 * Reseeds the global generator: initialisation, dropout and shuffling become reproducible.
 * @example manualSeed(42);
 */
export function manualSeed(seed: number): void {
  globalGenerator().seed(seed);
}
