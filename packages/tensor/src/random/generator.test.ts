import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { arange } from '../ops/create.js';
import { mean, variance } from '../ops/reduce.js';
import { Generator, manualSeed } from './generator.js';
import { permutation, rand, randint, randn, shuffle } from './sample.js';

/** An independent xoshiro128** and splitmix32 in BigInt arithmetic, straight from the published definitions. */
function referenceStream(seed: number, count: number): number[] {
  const mask = 0xffffffffn;
  let state = BigInt.asUintN(32, BigInt(seed | 0) ^ BigInt.asUintN(32, BigInt(Math.floor(seed / 4294967296) | 0) * 0x9e3779b9n));
  const split = (): bigint => {
    state = (state + 0x9e3779b9n) & mask;
    let z = state;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & mask;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & mask;
    return (z ^ (z >> 16n)) & mask;
  };
  const s = [split(), split(), split(), split()];
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & mask;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & mask, 7n) * 9n) & mask));
    const t = (s[1] << 9n) & mask;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

describe('Generator (xoshiro128**)', () => {
  it('matches an independent BigInt implementation of the published algorithm', () => {
    for (const seed of [0, 1, 42, -7, 2 ** 40 + 3]) {
      const g = new Generator(seed);
      const ours = Array.from({ length: 50 }, () => g.nextUint32());
      expect(ours).toEqual(referenceStream(seed, 50));
    }
  });

  it('is deterministic per seed and resumable from its state', () => {
    expect([...randn([5], { seed: 3 }).data]).toEqual([...randn([5], { seed: 3 }).data]);
    expect([...randn([5], { seed: 3 }).data]).not.toEqual([...randn([5], { seed: 4 }).data]);
    manualSeed(9);
    const first = [...rand([4]).data];
    manualSeed(9);
    expect([...rand([4]).data]).toEqual(first);
    const g = new Generator(5);
    g.nextNormal();
    const state = g.getState();
    const next = [g.nextNormal(), g.nextUint32()];
    g.setState(state);
    expect([g.nextNormal(), g.nextUint32()]).toEqual(next);
    // Snapshots are canonical (unsigned words): the same state reads the same, fresh or restored.
    const fresh = new Generator(20_240_601);
    const snapshot = fresh.getState();
    fresh.setState(snapshot);
    expect(fresh.getState()).toEqual(snapshot);
    expect(snapshot.slice(0, 4).every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
  });

  it('has the right moments and ranges', () => {
    const normal = randn([200_000], { seed: 1, dtype: 'float64' });
    expect(Math.abs(mean(normal).item())).toBeLessThan(0.01);
    expect(Math.abs(variance(normal).item() - 1)).toBeLessThan(0.01);
    const uniform = rand([200_000], { seed: 2, dtype: 'float64' });
    expect(Math.abs(mean(uniform).item() - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance(uniform).item() - 1 / 12)).toBeLessThan(0.002);
    const ints = randint(-3, 4, [10_000], { seed: 3 });
    expect(Math.min(...ints.data)).toBe(-3);
    expect(Math.max(...ints.data)).toBe(3);
  });

  it('permutes without losing or repeating anything', () => {
    const p = [...permutation(100, { seed: 1 }).data];
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...shuffle(arange(10), { seed: 4 }).data].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('rejects bad seeds and ranges', () => {
    expect(() => new Generator(1.5)).toThrow(ArgumentError);
    expect(() => randint(3, 3, [1])).toThrow('randint: need integers low < high');
  });
});
