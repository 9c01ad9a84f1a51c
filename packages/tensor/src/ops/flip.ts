import { getBackend } from '../backend/registry.js';
import type { NDArray } from '../ndarray.js';
import { normalizeAxes, stridesOf } from '../shape.js';
import type { Axes } from './reduce.js';
import { checkArray, empty } from './util.js';

/** Reverses the order of elements along `axes` (all axes by default). @example flip(array([1, 2, 3])) // [3, 2, 1] */
export function flip(x: NDArray, axes?: Axes): NDArray {
  checkArray(x, 'flip');
  const flipped = normalizeAxes(axes, x.ndim, 'flip');
  const strides = stridesOf(x.shape);
  let offset = 0;
  const read = strides.map((s, axis) => {
    if (!flipped.includes(axis) || x.shape[axis] === 0) return s;
    offset += (x.shape[axis] - 1) * s;
    return -s;
  });
  const out = empty(x.dtype, x.shape);
  getBackend().copy(x.data, offset, read, out.data, 0, strides, x.shape);
  return out;
}
