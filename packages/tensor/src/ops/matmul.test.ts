import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors.js';
import { randn } from '../random/sample.js';
import { zeros } from './create.js';
import { matmul } from './matmul.js';
import { swapAxes, transpose } from './permute.js';

describe('matmul', () => {
  it('transpose flags equal explicit transposes (random sizes, float64)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (m, n, k) => {
        const a = randn([m, k], { seed: m, dtype: 'float64' });
        const b = randn([k, n], { seed: n, dtype: 'float64' });
        const expected = [...matmul(a, b).data];
        const viaFlags = [
          matmul(transpose(a), b, { transposeA: true }),
          matmul(a, transpose(b), { transposeB: true }),
          matmul(transpose(a), transpose(b), { transposeA: true, transposeB: true }),
        ];
        for (const c of viaFlags) [...c.data].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
      }),
      { numRuns: 40 },
    );
  });

  it('a large blocked product agrees with a naive triple loop', () => {
    const [m, n, k] = [130, 70, 300];
    const a = randn([m, k], { seed: 1, dtype: 'float64' });
    const b = randn([k, n], { seed: 2, dtype: 'float64' });
    const c = matmul(a, b);
    for (const [i, j] of [
      [0, 0],
      [129, 69],
      [64, 33],
      [5, 68],
    ]) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j];
      expect(c.data[i * n + j]).toBeCloseTo(s, 10);
    }
  });

  it('broadcasts batch dimensions and supports flags on batches', () => {
    const a = randn([2, 1, 3, 4], { seed: 3 });
    const b = randn([5, 4, 2], { seed: 4 });
    expect(matmul(a, b).shape).toEqual([2, 5, 3, 2]);
    const viaFlag = matmul(a, swapAxes(b, -1, -2), { transposeB: true });
    [...viaFlag.data].forEach((v, i) => expect(v).toBeCloseTo(matmul(a, b).data[i], 5));
  });

  it('names the op and both shapes on a mismatch', () => {
    expect(() => matmul(zeros([32, 64]), zeros([128, 10]))).toThrow(ShapeError);
    expect(() => matmul(zeros([32, 64]), zeros([128, 10]))).toThrow('matmul: inner dimensions differ: [32, 64] @ [128, 10]');
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 1]))).toThrow('matmul: shapes [2] and [3] cannot be broadcast together');
    expect(() => matmul(zeros([]), zeros([2]))).toThrow('matmul: both operands need at least one dimension');
    expect(() => matmul(zeros([3]), zeros([3, 2]), { transposeA: true })).toThrow(ArgumentError);
  });
});
