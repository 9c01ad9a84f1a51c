import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { sizeOf, stridesOf } from '../shape.js';
import { array, zeros } from './create.js';
import { argmax, argmin, logSumExp, max, mean, min, prod, sum, variance } from './reduce.js';

const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

/** Naive reduction: group input elements by their kept index. */
function naive(x: NDArray, axes: number[], combine: (values: number[]) => number): number[] {
  const keptShape = x.shape.filter((_, i) => !axes.includes(i));
  const groups: number[][] = Array.from({ length: sizeOf(keptShape) }, () => []);
  const keptStrides = stridesOf(keptShape);
  const strides = stridesOf(x.shape);
  for (let flat = 0; flat < x.size; flat++) {
    let k = 0;
    let j = 0;
    for (let d = 0; d < x.ndim; d++) {
      const index = Math.floor(flat / strides[d]) % x.shape[d];
      if (!axes.includes(d)) k += index * keptStrides[j++];
    }
    groups[k].push(x.data[flat]);
  }
  return groups.map(combine);
}

describe('reductions over every axis combination', () => {
  it('sum, prod, max, min, mean, variance agree with naive grouping on random shapes', () => {
    fc.assert(
      fc.property(shapes, fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
        const x = new NDArray(
          Float64Array.from({ length: sizeOf(shape) }, (_, i) => Math.sin(i * 12.9898 + seed) * 2),
          shape,
        );
        for (let mask = 0; mask < 1 << shape.length; mask++) {
          const axes = shape.map((_, i) => i).filter((i) => mask & (1 << i));
          const close = (a: NDArray, expected: number[]) => {
            expect(a.size).toBe(expected.length);
            expected.forEach((e, i) => expect(a.data[i]).toBeCloseTo(e, 10));
          };
          close(
            sum(x, axes),
            naive(x, axes, (v) => v.reduce((p, c) => p + c, 0)),
          );
          close(
            prod(x, axes),
            naive(x, axes, (v) => v.reduce((p, c) => p * c, 1)),
          );
          close(
            max(x, axes),
            naive(x, axes, (v) => Math.max(...v)),
          );
          close(
            min(x, axes),
            naive(x, axes, (v) => Math.min(...v)),
          );
          close(
            mean(x, axes),
            naive(x, axes, (v) => v.reduce((p, c) => p + c, 0) / v.length),
          );
          close(
            variance(x, axes, { correction: 0 }),
            naive(x, axes, (v) => {
              const m = v.reduce((p, c) => p + c, 0) / v.length;
              return v.reduce((p, c) => p + (c - m) ** 2, 0) / v.length;
            }),
          );
          const kept = sum(x, axes, { keepDims: true });
          expect(kept.shape).toEqual(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('accumulates float32 sums in float64', () => {
    const x = new NDArray(new Float32Array(1_000_000).fill(0.1), [1_000_000]);
    expect(sum(x).item()).toBeCloseTo(100000, 0);
  });

  it('argmax/argmin return the first extreme; over several axes a flat index', () => {
    const x = array([
      [1, 5, 5],
      [7, 0, 7],
    ]);
    expect([...argmax(x, 1).data]).toEqual([1, 0]);
    expect([...argmin(x, 0).data]).toEqual([0, 1, 0]);
    expect(argmax(x).item()).toBe(3);
    expect(argmax(x, 1).dtype).toBe('int32');
  });

  it('logSumExp is stable for huge and all -Infinity inputs', () => {
    expect(logSumExp(array([1000, 1000])).item()).toBeCloseTo(1000 + Math.log(2), 3);
    expect(logSumExp(array([-Infinity, -Infinity])).item()).toBe(-Infinity);
  });

  it('names the op and the bad axis', () => {
    const x = array([
      [1, 2],
      [3, 4],
    ]);
    expect(() => sum(x, 2)).toThrow(ArgumentError);
    expect(() => sum(x, 2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2; valid axes are [-2, 1]');
    expect(() => sum(x, 1.5)).toThrow('sum: axis 1.5 is not an integer axis for a tensor of rank 2; valid axes are [-2, 1]');
    expect(() => sum(x, [0, -2])).toThrow('sum: axes [0, -2] name the same axis twice');
    expect(() => max(array([]))).toThrow('max: cannot reduce over an empty axis (shape [0], axes [0]): it has no value to return');
    // With no elements but only kept axes empty, the result is empty (as PyTorch); over an empty axis, an error.
    const rows = zeros([0, 3]);
    expect(max(rows, 1).shape).toEqual([0]);
    expect(argmin(rows, -1, { keepDims: true }).shape).toEqual([0, 1]);
    expect(logSumExp(rows, 1).shape).toEqual([0]);
    expect(() => max(rows, 0)).toThrow('max: cannot reduce over an empty axis (shape [0, 3], axes [0])');
    expect(() => argmax(rows)).toThrow('argmax: cannot reduce over an empty axis (shape [0, 3], axes [0, 1])');
    expect(() => variance(x, 0, { correction: -1 })).toThrow("variance: 'correction' must be a non-negative number");
  });
});
