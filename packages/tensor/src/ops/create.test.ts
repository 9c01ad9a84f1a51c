import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { NDArray, wrapChecked } from '../ndarray.js';
import { arange, array, eye, full, linspace, ones, scalar, zeros, zerosLike } from './create.js';
import { astype } from './util.js';

describe('creation', () => {
  it('builds from nested arrays in row-major order', () => {
    const a = array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('builds from a typed array with a shape, and scalars', () => {
    const a = array(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
    expect(a.dtype).toBe('float64');
    expect(a.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(scalar(2.5).item()).toBe(2.5);
    expect(scalar(2.5).shape).toEqual([]);
  });

  it('rejects ragged input and names the path of the bad row', () => {
    expect(() => array([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => array([[1, 2], [3]])).toThrow('element at [1] has length 1, expected 2');
    expect(() =>
      array([
        [[1], [2]],
        [[3], 4],
      ] as never),
    ).toThrow('element at [1][1] is 4');
    expect(() => array([[1, 'a']] as never)).toThrow('element at [0][1] is "a", expected a number');
  });

  it('rejects bad shapes and dtypes with the op and the offending value', () => {
    expect(() => zeros([2, -1])).toThrow(ArgumentError);
    expect(() => zeros([2, -1])).toThrow('zeros: shape [2, -1] has an invalid dimension -1 at index 1');
    expect(() => zeros([1.5])).toThrow('invalid dimension 1.5');
    expect(() => ones([Number.NaN])).toThrow('invalid dimension NaN');
    expect(() => zeros([2], { dtype: 'float16' as never })).toThrow(DTypeError);
    expect(() => zeros([2], { dtype: 'float16' as never })).toThrow(
      "zeros: unknown dtype \"float16\"; expected 'float32', 'float64' or 'int32'",
    );
    expect(() => zeros('3' as never)).toThrow('zeros: shape must be an array of integers, got "3"');
  });

  it('fills, ranges and identities', () => {
    expect([...full([3], 7).data]).toEqual([7, 7, 7]);
    expect([...arange(5).data]).toEqual([0, 1, 2, 3, 4]);
    expect([...arange(1, 2, 0.25).data]).toEqual([1, 1.25, 1.5, 1.75]);
    expect([...arange(5, 0, -2).data]).toEqual([5, 3, 1]);
    expect([...linspace(0, 1, 5).data]).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(zerosLike(array([1, 2], { dtype: 'int32' })).dtype).toBe('int32');
    expect(() => arange(0, 1, 0)).toThrow('arange: step must not be 0');
  });
});

describe('the NDArray constructor and wrapChecked', () => {
  it('the constructor keeps a private copy of the shape; wrapChecked keeps the caller’s (already checked) shape', () => {
    const shape = [2, 3];
    const data = new Float64Array(6).map((_, i) => i);
    const copied = new NDArray(data, shape);
    const kept = wrapChecked(data, shape);
    expect(copied.shape).not.toBe(shape);
    expect(kept.shape).toBe(shape);
    for (const a of [copied, kept]) {
      expect(a).toBeInstanceOf(NDArray);
      expect(a.data).toBe(data);
      expect(a.dtype).toBe('float64');
      expect(a.size).toBe(6);
      expect(a.toArray()).toEqual([
        [0, 1, 2],
        [3, 4, 5],
      ]);
    }
    expect(wrapChecked(new Int32Array([7]), []).item()).toBe(7);
  });

  it('the constructor still refuses data that does not fit the shape', () => {
    expect(() => new NDArray(new Float32Array(5), [2, 3])).toThrow(ShapeError);
    expect(() => new NDArray(new Float32Array(6), [2, -3])).toThrow(ArgumentError);
  });
});

describe('int32 values that do not fit', () => {
  it('are refused where an Int32Array would wrap them or store 0, naming the element', () => {
    expect(() => array([1, 3e9], { dtype: 'int32' })).toThrow(
      'array: element at [1] is 3000000000, which int32 cannot hold (integers from -2147483648 to 2147483647)',
    );
    expect(() => array([[1], [Number.NaN]], { dtype: 'int32' })).toThrow('array: element at [1][0] is NaN, which int32 cannot hold');
    expect(() => array(new Float64Array([0, Number.POSITIVE_INFINITY]), { dtype: 'int32' })).toThrow('array: element 1 is Infinity');
    expect(() => full([2], -3e9, { dtype: 'int32' })).toThrow("full: 'value' is -3000000000, which int32 cannot hold");
    expect(() => astype(array([0.5, Number.NaN]), 'int32')).toThrow('astype: element 1 is NaN, which int32 cannot hold');
    // The ends of the range fit; fractions are truncated toward zero, as NumPy and PyTorch do.
    expect(array([2147483647, -2147483648, 1.9, -1.9], { dtype: 'int32' }).toArray()).toEqual([2147483647, -2147483648, 1, -1]);
    expect(astype(array([2.5, -2.5], { dtype: 'float64' }), 'int32').toArray()).toEqual([2, -2]);
  });
});
