import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { sizeOf } from '../shape.js';
import { concat, split, stack } from './concat.js';
import { arange, array, zeros } from './create.js';
import { flip } from './flip.js';
import { gather, indexAdd, scatterAdd, take } from './gather.js';
import { oneHot } from './onehot.js';
import { pad } from './pad.js';
import { broadcastTo, inversePermutation, permute, swapAxes, transpose } from './permute.js';
import { flatten, reshape, squeeze, unsqueeze } from './reshape.js';
import { type SliceSpec, slice, sliceUpdate } from './slice.js';
import { where } from './where.js';

const counting = (shape: number[]) =>
  new NDArray(
    Float64Array.from({ length: sizeOf(shape) }, (_, i) => i),
    shape,
  );

/** Python's range semantics for one axis, written independently of resolveSlice. */
function pythonRange(n: number, start: number | undefined, stop: number | undefined, step: number): number[] {
  const norm = (v: number) => (v < 0 ? v + n : v);
  const out: number[] = [];
  if (step > 0) {
    const lo = start === undefined ? 0 : Math.max(0, Math.min(n, norm(start)));
    const hi = stop === undefined ? n : Math.max(0, Math.min(n, norm(stop)));
    for (let i = lo; i < hi; i += step) out.push(i);
  } else {
    const lo = start === undefined ? n - 1 : Math.max(-1, Math.min(n - 1, norm(start)));
    const hi = stop === undefined ? -1 : Math.max(-1, Math.min(n - 1, norm(stop)));
    for (let i = lo; i > hi; i += step) out.push(i);
  }
  return out;
}

describe('reshape and friends', () => {
  it('infers one -1 and rejects impossible shapes', () => {
    expect(reshape(arange(12), [3, -1]).shape).toEqual([3, 4]);
    expect(() => reshape(arange(12), [5, -1])).toThrow('reshape: cannot reshape [12] (12 elements) into [5, -1]');
    expect(() => reshape(arange(12), [-1, -1])).toThrow(ArgumentError);
    expect(flatten(zeros([2, 3, 4]), 1).shape).toEqual([2, 12]);
    expect(squeeze(zeros([1, 3, 1])).shape).toEqual([3]);
    expect(() => squeeze(zeros([2, 3]), 0)).toThrow('squeeze: axis 0 of [2, 3] has size 2, not 1');
    expect(unsqueeze(zeros([3]), -1).shape).toEqual([3, 1]);
  });
});

describe('permute / transpose', () => {
  it('permute then the inverse permutation is the identity (random shapes)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.shuffledSubarray(
              shape.map((_, i) => i),
              { minLength: shape.length, maxLength: shape.length },
            ),
          ),
        ),
        ([shape, order]) => {
          const x = counting(shape);
          const y = permute(x, order);
          expect(y.shape).toEqual(order.map((a) => shape[a]));
          expect([...permute(y, inversePermutation(order)).data]).toEqual([...x.data]);
        },
      ),
    );
  });

  it('transposes matrices and swaps axes', () => {
    expect(
      transpose(
        array([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ).toArray(),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(swapAxes(zeros([2, 3, 4]), 0, -1).shape).toEqual([4, 3, 2]);
    expect(() => permute(zeros([2, 3]), [0, 0])).toThrow('permute: axes [0, 0] repeat an axis');
  });

  it('broadcastTo repeats rows and rejects incompatible targets', () => {
    expect(broadcastTo(array([1, 2]), [2, 2]).toArray()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(() => broadcastTo(array([1, 2]), [3])).toThrow(ShapeError);
  });
});

describe('slice', () => {
  it('follows Python slice semantics, including negative steps (random specs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.option(fc.integer({ min: -9, max: 9 }), { nil: undefined }),
        fc.option(fc.integer({ min: -9, max: 9 }), { nil: undefined }),
        fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
        (n, start, stop, step) => {
          const out = slice(counting([n]), [{ start, stop, step }]);
          expect([...out.data]).toEqual(pythonRange(n, start, stop, step));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops axes picked by an index, and sliceUpdate writes a region', () => {
    const x = counting([3, 4]);
    expect(slice(x, [1]).toArray()).toEqual([4, 5, 6, 7]);
    expect(slice(x, [null, -1]).toArray()).toEqual([3, 7, 11]);
    expect(slice(x, [{ start: 1 }, { step: 2 }]).toArray()).toEqual([
      [4, 6],
      [8, 10],
    ]);
    expect(sliceUpdate(zeros([2, 3]), [null, 1], array([5, 6])).toArray()).toEqual([
      [0, 5, 0],
      [0, 6, 0],
    ]);
    expect(() => slice(x, [3])).toThrow('slice: index 3 is out of range for axis 0 of size 3 (shape [3, 4])');
    expect(() => slice(x, [{ step: 0 }])).toThrow('slice: step on axis 0 must not be 0');
    // What would otherwise read as the whole axis is refused: a range written as an array, a
    // misspelt key, a string or a boolean.
    const loose = (spec: unknown) => () => slice(x, [null, spec as SliceSpec]);
    expect(loose([0, 2])).toThrow('slice: the spec of axis 1 must be an index, null or { start, stop, step }, got [0, 2]');
    expect(loose({ begin: 1 })).toThrow("slice: unknown key 'begin' in the spec of axis 1; a range is { start, stop, step }");
    expect(loose('1')).toThrow('slice: the spec of axis 1 must be an index, null or { start, stop, step }, got "1"');
    expect(loose(true)).toThrow('got boolean');
    expect(loose(1.5)).toThrow('slice: index 1.5 on axis 1 must be an integer');
  });
});

describe('concat / stack / split', () => {
  it('split undoes concat along any axis', () => {
    const parts = [counting([2, 1, 3]), counting([2, 2, 3]), counting([2, 4, 3])];
    const joined = concat(parts, 1);
    expect(joined.shape).toEqual([2, 7, 3]);
    const back = split(joined, [1, 2, 4], 1);
    back.forEach((p, i) => expect([...p.data]).toEqual([...parts[i].data]));
    expect(split(arange(5), 2).map((p) => p.shape[0])).toEqual([2, 2, 1]);
    expect(stack([array([1, 2]), array([3, 4])], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(() => concat([zeros([2, 3]), zeros([3, 2])], 0)).toThrow('concat: shapes [2, 3], [3, 2] differ outside axis 0');
    expect(() => split(arange(5), [2, 2])).toThrow('split: sizes [2, 2] add up to 4, but the axis has length 5');
  });
});

describe('indexing', () => {
  it('take picks along an axis; indexAdd accumulates repeats', () => {
    const table = counting([4, 2]);
    expect(take(table, [3, 0, 3], 0).toArray()).toEqual([
      [6, 7],
      [0, 1],
      [6, 7],
    ]);
    expect(take(table, array([[1], [-1]], { dtype: 'int32' }), 0).shape).toEqual([2, 1, 2]);
    expect(indexAdd(zeros([3]), 0, [0, 2, 0], array([1, 1, 1])).toArray()).toEqual([2, 0, 1]);
    expect(() => take(table, [4], 0)).toThrow('take: index 4 at position 0 is out of range for axis 0 of size 4');
  });

  it('gather / scatterAdd follow PyTorch', () => {
    const x = array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const index = array(
      [
        [2, 0],
        [1, 1],
      ],
      { dtype: 'int32' },
    );
    expect(gather(x, 1, index).toArray()).toEqual([
      [3, 1],
      [5, 5],
    ]);
    expect(
      scatterAdd(
        zeros([2, 3]),
        1,
        index,
        array([
          [1, 1],
          [1, 1],
        ]),
      ).toArray(),
    ).toEqual([
      [1, 0, 1],
      [0, 2, 0],
    ]);
  });

  it('where, oneHot, pad and flip', () => {
    expect(where(array([1, 0, 1], { dtype: 'int32' }), array([1, 2, 3]), 0).toArray()).toEqual([1, 0, 3]);
    expect(oneHot(array([0, 2], { dtype: 'int32' }), 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    expect(() => oneHot(array([3], { dtype: 'int32' }), 3)).toThrow('oneHot: label 3 at position 0 is out of range for 3 classes');
    expect(
      pad(
        array([[1]]),
        [
          [1, 0],
          [0, 2],
        ],
        9,
      ).toArray(),
    ).toEqual([
      [9, 9, 9],
      [1, 9, 9],
    ]);
    expect(flip(counting([2, 2]), 1).toArray()).toEqual([
      [1, 0],
      [3, 2],
    ]);
    expect(flip(counting([2, 2])).toArray()).toEqual([
      [3, 2],
      [1, 0],
    ]);
  });
});
