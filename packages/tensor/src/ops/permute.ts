import { getBackend } from '../backend/registry.js';
import { ArgumentError, formatShape, ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { broadcastShapes, broadcastStrides, checkShape, describe, normalizeAxis, type Shape, sameShape, stridesOf } from '../shape.js';
import { checkArray, empty } from './util.js';

/**
 * Reorders the axes: axis `i` of the result is axis `axes[i]` of `x`.
 * @example permute(zeros([2, 3, 4]), [2, 0, 1]).shape // [4, 2, 3]
 */
export function permute(x: NDArray, axes: readonly number[]): NDArray {
  checkArray(x, 'permute');
  const order = checkPermutation(axes, x.ndim, 'permute');
  const strides = stridesOf(x.shape);
  const shape = order.map((a) => x.shape[a]);
  const out = empty(x.dtype, shape);
  getBackend().copy(
    x.data,
    0,
    order.map((a) => strides[a]),
    out.data,
    0,
    stridesOf(shape),
    shape,
  );
  return out;
}

/** Validates a permutation of `0..ndim-1` (negative axes allowed). */
export function checkPermutation(axes: readonly number[], ndim: number, op: string): number[] {
  if (!Array.isArray(axes) || axes.length !== ndim) {
    throw new ArgumentError(`${op}: axes ${describe(axes)} must list each of the ${ndim} axes once`, { where: op, argument: 'axes' });
  }
  const order = axes.map((a) => normalizeAxis(a, ndim, op));
  if (new Set(order).size !== ndim) {
    throw new ArgumentError(`${op}: axes ${describe(axes)} repeat an axis`, { where: op, argument: 'axes' });
  }
  return order;
}

/** The inverse of a permutation: `permute(permute(x, p), inversePermutation(p))` is `x`. */
export function inversePermutation(order: readonly number[]): number[] {
  const inverse = new Array<number>(order.length);
  for (let i = 0; i < order.length; i++) inverse[order[i]] = i;
  return inverse;
}

/** Reverses the axes (NumPy's `transpose`), or applies `axes` when given. @example transpose(m) // mᵀ */
export function transpose(x: NDArray, axes?: readonly number[]): NDArray {
  checkArray(x, 'transpose');
  return permute(x, axes ?? x.shape.map((_, i) => x.ndim - 1 - i));
}

/** Swaps two axes. @example swapAxes(zeros([2, 3, 4]), -1, -2).shape // [2, 4, 3] */
export function swapAxes(x: NDArray, axis0: number, axis1: number): NDArray {
  checkArray(x, 'swapAxes');
  const a = normalizeAxis(axis0, x.ndim, 'swapAxes');
  const b = normalizeAxis(axis1, x.ndim, 'swapAxes');
  const order = x.shape.map((_, i) => i);
  order[a] = b;
  order[b] = a;
  return permute(x, order);
}

/**
 * Repeats `x` along size-1 (or missing leading) dimensions to reach `shape`.
 * @example broadcastTo(array([1, 2]), [3, 2]) // [[1, 2], [1, 2], [1, 2]]
 */
export function broadcastTo(x: NDArray, shape: Shape): NDArray {
  checkArray(x, 'broadcastTo');
  const target = [...checkShape(shape, 'broadcastTo')];
  if (!sameShape(broadcastShapes('broadcastTo', x.shape, target), target)) {
    throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(target)}`, {
      where: 'broadcastTo',
      shapes: [x.shape, target],
    });
  }
  const out = empty(x.dtype, target);
  getBackend().copy(x.data, 0, broadcastStrides(x.shape, target), out.data, 0, stridesOf(target), target);
  return out;
}
