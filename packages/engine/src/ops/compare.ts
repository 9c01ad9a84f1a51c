import * as T from '@backprop/tensor';
import type { Tensor, TensorLike } from '../tensor.js';
import { constant, operands } from './util.js';

// Comparisons are not differentiable: they return int32 masks (1 or 0) outside the graph.

function compare(op: string, fn: (a: T.NDArray, b: T.NDArray) => T.NDArray, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, op);
  return constant(fn(x.value, y.value));
}

/** 1 where a = b (int32 mask, no gradient). */
export const equal = (a: TensorLike, b: TensorLike): Tensor => compare('equal', T.equal, a, b);
/** 1 where a ≠ b. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => compare('notEqual', T.notEqual, a, b);
/** 1 where a < b. */
export const less = (a: TensorLike, b: TensorLike): Tensor => compare('less', T.less, a, b);
/** 1 where a ≤ b. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare('lessEqual', T.lessEqual, a, b);
/** 1 where a > b. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare('greater', T.greater, a, b);
/** 1 where a ≥ b. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare('greaterEqual', T.greaterEqual, a, b);
