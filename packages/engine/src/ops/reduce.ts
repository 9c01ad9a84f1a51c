import * as T from '@backprop/tensor';
import { ArgumentError, normalizeAxes, reducedShape } from '@backprop/tensor';
import { isGradEnabled } from '../mode.js';
import { record } from '../record.js';
import type { Axes, Tensor } from '../tensor.js';
import { div, mul, sub } from './arithmetic.js';
import { where } from './indexing.js';
import { broadcastTo, permute, reshape } from './shape.js';
import { exp, square } from './unary.js';
import { checkTensor, constant } from './util.js';

/** Options of reductions. */
export interface ReduceOptions {
  /** Keep reduced axes as size 1. */
  keepDims?: boolean;
}

const reduceKeys = T.optionKeys({ keepDims: true } satisfies Record<keyof ReduceOptions, true>);
const varianceKeys = [...reduceKeys, 'correction'];

/** `dy` of a reduction, reshaped so that it broadcasts against the input again. */
function expand(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return broadcastTo(reshape(dy, reducedShape(x.shape, axes, true)), x.shape);
}

/** Σ over `axis`; the gradient is dy broadcast back over the summed axes. @example x.sum(1) */
export function sum(x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor {
  checkTensor(x, 'sum');
  const axes = normalizeAxes(axis, x.ndim, 'sum');
  return record('sum', [x], T.sum(x.value, axes, options), (dy) => [expand(dy, x, axes)], { attrs: { axes } });
}

/** Mean over `axis` = sum / count. */
export function mean(x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor {
  checkTensor(x, 'mean');
  T.checkOptionKeys(options, reduceKeys, 'mean');
  const axes = normalizeAxes(axis, x.ndim, 'mean');
  const count = axes.reduce((p, a) => p * x.shape[a], 1);
  return div(sum(x, axes, options), count);
}

/**
 * Product over `axis`. d/dxᵢ = Πⱼ≠ᵢ xⱼ, computed as y/xᵢ when no reduced xᵢ is 0, and by explicit
 * leave-one-out products otherwise — also when the backward is recorded (`createGraph`), so
 * second and higher derivatives are exact with zero factors too.
 * @example tensor([2, 0, 3]).prod() // 0; its gradient [0, 6, 0]
 */
export function prod(x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor {
  checkTensor(x, 'prod');
  const axes = normalizeAxes(axis, x.ndim, 'prod');
  return record('prod', [x], T.prod(x.value, axes, options), (dy, y) => {
    const hasZero = x.value.data.some((v) => v === 0);
    if (!hasZero) return [mul(expand(dy, x, axes), div(expand(y, x, axes), x))];
    // Recording the backward (createGraph): the leave-one-out products as ops, differentiable again.
    const others = isGradEnabled() ? leaveOneOutRecorded(x, axes) : constant(leaveOneOut(x.value, axes));
    return [mul(expand(dy, x, axes), others)];
  });
}

/** Πⱼ≠ᵢ xⱼ over the reduced axes, by multiplying every element except the one left out. */
function leaveOneOut(x: T.NDArray, axes: readonly number[]): T.NDArray {
  const zeroMask = T.equal(x, 0);
  const safe = T.where(zeroMask, 1, x);
  const nonZeroProduct = T.prod(safe, axes, { keepDims: true });
  const zeroCount = T.sum(zeroMask, axes, { keepDims: true });
  // No zero in the group: y/xᵢ. One zero: the product of the others at that zero, 0 elsewhere.
  // Two or more zeros: 0 everywhere.
  const noZero = T.div(nonZeroProduct, safe);
  const oneZero = T.where(zeroMask, nonZeroProduct, 0);
  return T.where(T.equal(zeroCount, 0), noZero, T.where(T.equal(zeroCount, 1), oneZero, 0));
}

/**
 * Πⱼ≠ᵢ xⱼ over the reduced axes as engine ops, for a backward pass that is itself recorded: each
 * group's n elements as the rows of an n×n matrix with ones on the diagonal, multiplied along the
 * rows (`prod` again, whose own backward handles the zeros). O(n²) per group, so only for the
 * recorded backward through zero factors; the plain backward uses {@link leaveOneOut}.
 */
function leaveOneOutRecorded(x: Tensor, axes: readonly number[]): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...kept, ...axes];
  const keptShape = kept.map((i) => x.shape[i]);
  const n = axes.reduce((size, a) => size * x.shape[a], 1);
  const diagonal = T.zeros([n, n], { dtype: x.dtype });
  for (let i = 0; i < n; i++) diagonal.data[i * n + i] = 1;
  const rows = broadcastTo(reshape(permute(x, order), [...keptShape, 1, n]), [...keptShape, n, n]);
  const products = prod(where(constant(diagonal), 1, rows), -1);
  const inverse = order.map((_, k) => order.indexOf(k));
  return permute(
    reshape(
      products,
      order.map((i) => x.shape[i]),
    ),
    inverse,
  );
}

/** Routes dy to the positions equal to the extreme, split evenly among ties (as `torch.amax`). */
function extreme(op: 'max' | 'min', x: Tensor, axis: Axes, options?: ReduceOptions): Tensor {
  checkTensor(x, op);
  const axes = normalizeAxes(axis, x.ndim, op);
  const value = op === 'max' ? T.max(x.value, axes, options) : T.min(x.value, axes, options);
  return record(op, [x], value, (dy, y) => {
    const hits = T.equal(x.value, T.reshape(y.value, reducedShape(x.shape, axes, true)));
    const share = T.div(hits, T.sum(hits, axes, { keepDims: true }));
    return [mul(expand(dy, x, axes), constant(T.astype(share, x.dtype)))];
  });
}

/** Maximum over `axis`; ties share the gradient equally. */
export const max = (x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor => extreme('max', x, axis, options);
/** Minimum over `axis`; ties share the gradient equally. */
export const min = (x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor => extreme('min', x, axis, options);

/** Index of the first maximum (int32, no gradient). */
export function argmax(x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor {
  checkTensor(x, 'argmax');
  return constant(T.argmax(x.value, axis, options));
}

/** Index of the first minimum (int32, no gradient). */
export function argmin(x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor {
  checkTensor(x, 'argmin');
  return constant(T.argmin(x.value, axis, options));
}

/** Variance over `axis` with `correction` (default 1, unbiased, as `torch.var`); composed, so its gradient is automatic. */
export function variance(x: Tensor, axis?: Axes, options?: ReduceOptions & { correction?: number }): Tensor {
  checkTensor(x, 'variance');
  T.checkOptionKeys(options, varianceKeys, 'variance');
  options ??= {};
  const correction = options.correction ?? 1;
  if (!Number.isFinite(correction) || correction < 0) {
    throw new ArgumentError(`variance: 'correction' must be a non-negative number, got ${correction}`, {
      where: 'variance',
      argument: 'correction',
    });
  }
  const axes = normalizeAxes(axis, x.ndim, 'variance');
  const count = axes.reduce((p, a) => p * x.shape[a], 1);
  const centred = sub(x, mean(x, axes, { keepDims: true }));
  return div(sum(square(centred), axes, { keepDims: options.keepDims }), Math.max(0, count - correction));
}

/** log Σ exp(x) over `axis`, stable; d/dx = softmax(x) = exp(x − y). */
export function logSumExp(x: Tensor, axis?: Axes, options?: ReduceOptions): Tensor {
  checkTensor(x, 'logSumExp');
  const axes = normalizeAxes(axis, x.ndim, 'logSumExp');
  return record('logSumExp', [x], T.logSumExp(x.value, axes, options), (dy, y) => [
    mul(expand(dy, x, axes), exp(sub(x, expand(y, x, axes)))),
  ]);
}
