import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { sizeOf, stridesOf } from '../shape.js';
import { add, div, equal, greater, maximum, mul, pow, sub } from './binary.js';
import { array } from './create.js';

/** Naive broadcasting: the value of `x` at an output multi-index. */
function at(x: NDArray, index: number[]): number {
  const offset = index.length - x.ndim;
  const strides = stridesOf(x.shape);
  let flat = 0;
  for (let d = 0; d < x.ndim; d++) flat += (x.shape[d] === 1 ? 0 : index[offset + d]) * strides[d];
  return x.data[flat];
}

function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const visit = (prefix: number[]): void => {
    if (prefix.length === shape.length) out.push(prefix);
    else for (let i = 0; i < shape[prefix.length]; i++) visit([...prefix, i]);
  };
  visit([]);
  return out;
}

/** Two shapes that broadcast: a common shape with some dims set to 1 and some leading dims dropped. */
const broadcastPair = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
    ),
  )
  .map(([shape, onesA, onesB, dropA, dropB]) => [
    shape.map((d, i) => (onesA[i] ? 1 : d)).slice(dropA),
    shape.map((d, i) => (onesB[i] ? 1 : d)).slice(dropB),
  ]);

const filled = (shape: number[], seed: number) =>
  new NDArray(
    Float64Array.from({ length: sizeOf(shape) }, (_, i) => ((i * 7 + seed) % 11) - 5),
    shape,
  );

describe('binary ops broadcast like NumPy', () => {
  it('add/sub/mul/maximum agree with a naive broadcast on random shapes', () => {
    fc.assert(
      fc.property(broadcastPair, ([shapeA, shapeB]) => {
        const a = filled(shapeA, 1);
        const b = filled(shapeB, 3);
        const expectedShape = [];
        const nd = Math.max(shapeA.length, shapeB.length);
        for (let i = 0; i < nd; i++) {
          const da = shapeA[shapeA.length - nd + i] ?? 1;
          const db = shapeB[shapeB.length - nd + i] ?? 1;
          expectedShape.push(Math.max(da, db));
        }
        for (const [fn, ref] of [
          [add, (x: number, y: number) => x + y],
          [sub, (x: number, y: number) => x - y],
          [mul, (x: number, y: number) => x * y],
          [maximum, Math.max],
        ] as const) {
          const out = fn(a, b);
          expect(out.shape).toEqual(expectedShape);
          indices(expectedShape).forEach((index, flat) => {
            expect(out.data[flat]).toBe(ref(at(a, index), at(b, index)));
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  it('names the op and both shapes when shapes do not broadcast', () => {
    const a = array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = array([1, 2]);
    expect(() => add(a, b)).toThrow(ShapeError);
    expect(() => add(a, b)).toThrow('add: shapes [2, 3] and [2] cannot be broadcast together (dimension 1: 3 vs 2)');
  });

  it('promotes dtypes: int32 < float32 < float64; numbers take the array dtype', () => {
    const i = array([1, 2], { dtype: 'int32' });
    const f = array([0.5, 0.5]);
    const d = array([1, 1], { dtype: 'float64' });
    expect(add(i, i).dtype).toBe('int32');
    expect(add(i, f).dtype).toBe('float32');
    expect(add(f, d).dtype).toBe('float64');
    expect(add(i, 1).dtype).toBe('int32');
    expect(add(i, 0.5).dtype).toBe('float32');
    expect(div(i, i).dtype).toBe('float32');
    expect([...div(i, array([2, 4], { dtype: 'int32' })).data]).toEqual([0.5, 0.5]);
    expect(greater(f, 0.2).dtype).toBe('int32');
  });

  it('comparisons return 1/0 masks and pow takes scalars or tensors', () => {
    expect([...equal(array([1, 2, 3]), array([1, 0, 3])).data]).toEqual([1, 0, 1]);
    expect([...pow(array([1, 2, 3]), 2).data]).toEqual([1, 4, 9]);
    expect([...pow(2, array([1, 2, 3])).data]).toEqual([2, 4, 8]);
  });

  it('propagates NaN through maximum like NumPy', () => {
    expect(Number.isNaN(maximum(array([Number.NaN]), array([1])).data[0])).toBe(true);
    expect(Number.isNaN(maximum(array([1]), array([Number.NaN])).data[0])).toBe(true);
  });

  it('rejects non-arrays by name', () => {
    expect(() => add({} as never, 1)).toThrow("add: argument 'a' must be an NDArray, got object");
  });
});
