import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../backend/js/index.js';
import { getBackend, setBackend } from '../backend/registry.js';
import { wasmBackend } from '../backend/wasm/index.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { randn } from '../random/sample.js';
import { add } from './binary.js';
import { zeros } from './create.js';
import { matmul } from './matmul.js';
import { swapAxes, transpose } from './permute.js';
import { reshape } from './reshape.js';

/** The first index where two arrays differ (Object.is: NaN equals NaN, +0 differs from −0), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

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

  describe('rowBias', () => {
    // Each case: a, b, the flags, the bias; the expected value is matmul then add of the bias with a trailing axis.
    const cases = (dtype: 'float32' | 'float64') => [
      { a: randn([8, 9], { seed: 5, dtype }), b: randn([9, 676], { seed: 6, dtype }), bias: randn([8], { seed: 7, dtype }) },
      {
        a: randn([3, 7], { seed: 8, dtype }),
        b: randn([5, 7], { seed: 9, dtype }),
        bias: randn([3], { seed: 10, dtype }),
        transposeB: true,
      },
      // A convolution's weight-gradient shape (few columns, A·Bᵀ), batched.
      {
        a: randn([4, 8, 676], { seed: 11, dtype }),
        b: randn([4, 9, 676], { seed: 12, dtype }),
        bias: randn([8], { seed: 13, dtype }),
        transposeB: true,
      },
      // Grouped: a bias per group, broadcast over the batch.
      { a: randn([2, 4, 9], { seed: 14, dtype }), b: randn([3, 2, 9, 50], { seed: 15, dtype }), bias: randn([2, 4], { seed: 16, dtype }) },
      {
        a: randn([70, 300], { seed: 17, dtype }),
        b: randn([65, 300], { seed: 18, dtype }),
        bias: randn([70], { seed: 19, dtype }),
        transposeB: true,
      },
    ];
    for (const backend of [jsBackend, wasmBackend]) {
      it(`equals matmul and then add, bit for bit (${backend.name}; float32 and float64; plain, batched, grouped)`, () => {
        const previous = getBackend();
        setBackend(backend);
        try {
          for (const dtype of ['float32', 'float64'] as const) {
            for (const { a, b, bias, transposeB } of cases(dtype)) {
              const flags = { transposeB };
              const expected = add(matmul(a, b, flags), reshape(bias, [...bias.shape, 1]));
              const actual = matmul(a, b, { ...flags, rowBias: bias });
              expect(actual.shape).toEqual(expected.shape);
              expect(actual.dtype).toBe(dtype);
              expect(firstDifference(actual.data, expected.data)).toBe(-1);
            }
          }
        } finally {
          setBackend(previous);
        }
      });
    }

    it('is added after a product shared by two threads (WebAssembly, 256×512×256)', () => {
      const previous = getBackend();
      setBackend(wasmBackend);
      try {
        const [a, b, bias] = [randn([256, 512], { seed: 20 }), randn([512, 256], { seed: 21 }), randn([256], { seed: 22 })];
        const expected = add(matmul(a, b), reshape(bias, [256, 1]));
        expect(firstDifference(matmul(a, b, { rowBias: bias }).data, expected.data)).toBe(-1);
      } finally {
        setBackend(previous);
      }
    });

    it('names the op, the operands and the bias when the bias does not fit', () => {
      const [a, b] = [zeros([2, 3, 4]), zeros([4, 5])];
      expect(() => matmul(a, b, { rowBias: zeros([4]) })).toThrow(ShapeError);
      expect(() => matmul(a, b, { rowBias: zeros([4]) })).toThrow(
        'matmul: rowBias of shape [4] does not fit the product [2, 3, 4] @ [4, 5]: expected [3] or [..., 3] broadcasting to its batch [2]',
      );
      expect(() => matmul(a, b, { rowBias: zeros([3, 3]) })).toThrow('matmul: rowBias of shape [3, 3]');
      expect(() => matmul(a, b, { rowBias: zeros([1, 2, 3]) })).toThrow('matmul: rowBias of shape [1, 2, 3]');
      expect(() => matmul(zeros([4, 5]), zeros([5, 2]), { rowBias: zeros([1, 4]) })).toThrow('broadcasting to its batch []');
      expect(() => matmul(zeros([4]), zeros([4, 2]), { rowBias: zeros([1]) })).toThrow(
        'matmul: rowBias needs both operands with at least two dimensions',
      );
      expect(() => matmul(zeros([4, 5]), zeros([5, 2]), { rowBias: [1, 2, 3, 4] as never })).toThrow(/matmul.*rowBias/);
    });
  });
});
