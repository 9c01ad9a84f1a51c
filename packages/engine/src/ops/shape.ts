import * as T from '@backprop/tensor';
import { ArgumentError, type DType, DTypeError, formatShape, type Shape } from '@backprop/tensor';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from './util.js';

/** The same values with a new shape (one `-1` may be inferred). Backward: reshape back. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'reshape');
  return record('reshape', [x], T.reshape(x.value, shape), (dy) => [reshape(dy, x.shape)]);
}

/** Merges axes `startAxis..endAxis` into one. */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  checkTensor(x, 'flatten');
  return reshape(x, T.flatten(x.value, startAxis, endAxis).shape);
}

/** Removes size-1 axes (the given ones, or all). */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  checkTensor(x, 'squeeze');
  return reshape(x, T.squeeze(x.value, axes).shape);
}

/** Inserts a size-1 axis at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor(x, 'unsqueeze');
  return reshape(x, T.unsqueeze(x.value, axis).shape);
}

/** Reorders axes. Backward: the inverse permutation. */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  checkTensor(x, 'permute');
  if (!Array.isArray(axes)) {
    throw new ArgumentError(`permute: axes must be an array of ${x.ndim} axes, got ${String(axes)}`, {
      where: 'permute',
      argument: 'axes',
    });
  }
  const order = axes.map((a) => T.normalizeAxis(a, x.ndim, 'permute'));
  return record('permute', [x], T.permute(x.value, order), (dy) => [permute(dy, T.inversePermutation(order))], { attrs: { order } });
}

/** Reverses the axes (or applies `axes`). */
export function transpose(x: Tensor, axes?: readonly number[]): Tensor {
  checkTensor(x, 'transpose');
  return permute(x, axes ?? x.shape.map((_, i) => x.ndim - 1 - i));
}

/** Swaps two axes. */
export function swapAxes(x: Tensor, axis0: number, axis1: number): Tensor {
  checkTensor(x, 'swapAxes');
  const order = x.shape.map((_, i) => i);
  const a = T.normalizeAxis(axis0, x.ndim, 'swapAxes');
  const b = T.normalizeAxis(axis1, x.ndim, 'swapAxes');
  order[a] = b;
  order[b] = a;
  return permute(x, order);
}

/** Repeats along broadcast dimensions. Backward: sum back over them. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'broadcastTo');
  if (T.sameShape(x.shape, T.checkShape(shape, 'broadcastTo'))) return x;
  return record('broadcastTo', [x], T.broadcastTo(x.value, shape), (dy) => [sumTo(dy, x.shape)]);
}

/**
 * Sums `x` down to `shape` (the inverse of broadcasting: leading extra axes and axes where
 * `shape` has 1 are summed). This is how every broadcasting op undoes broadcasting in backward.
 */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'sumTo');
  if (T.sameShape(x.shape, T.checkShape(shape, 'sumTo'))) return x;
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  const summed = T.reshape(T.sum(x.value, axes, { keepDims: true }), shape);
  if (lead < 0 || summed.size !== T.sizeOf(shape)) {
    throw new T.ShapeError(`sumTo: cannot sum ${formatShape(x.shape)} down to ${formatShape(shape)}`, {
      where: 'sumTo',
      shapes: [x.shape, shape],
    });
  }
  return record('sumTo', [x], summed, (dy) => [broadcastTo(dy, x.shape)]);
}

/** Converts to another dtype. Between float types the gradient is converted back. */
export function astype(x: Tensor, dtype: DType): Tensor {
  checkTensor(x, 'astype');
  if (x.dtype === dtype) return x;
  if (x.requiresGrad && dtype === 'int32') {
    throw new DTypeError('astype: converting a tensor that requires a gradient to int32 would cut the graph; detach() it first', {
      where: 'astype',
    });
  }
  return record('astype', [x], T.astype(x.value, dtype), (dy) => [astype(dy, x.dtype)]);
}

/** `grad` made to fit `input`: broadcasting summed away and the dtype matched. */
export function fitTo(grad: Tensor, input: Tensor): Tensor {
  return astype(sumTo(grad, input.shape), input.dtype);
}
