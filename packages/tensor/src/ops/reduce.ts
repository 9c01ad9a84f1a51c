import type { ReduceOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { type DType, floatingOf } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import { normalizeAxes, reducedShape } from '../shape.js';
import { add, div, sub } from './binary.js';
import { isFiniteMask } from './predicates.js';
import { reshape } from './reshape.js';
import { exp, log, square } from './unary.js';
import { astype, checkArray, empty } from './util.js';
import { where } from './where.js';

/** Which axes to reduce: one axis, a list, or all (`undefined`). Negative axes count from the end. */
export type Axes = number | readonly number[] | undefined;

/** Options of the reductions. */
export interface ReduceOptions {
  /** Keep reduced axes as size-1 dimensions (so the result broadcasts against the input). */
  keepDims?: boolean;
}

const reduceKeys = optionKeys({ keepDims: true } satisfies Record<keyof ReduceOptions, true>);

function applyReduce(op: ReduceOp, x: NDArray, axis: Axes, options: ReduceOptions | undefined, outType?: DType): NDArray {
  checkArray(x, op);
  checkOptionKeys(options, reduceKeys, op);
  const dtype = outType ?? x.dtype;
  const axes = normalizeAxes(axis, x.ndim, op);
  const out = empty(dtype, reducedShape(x.shape, axes, options?.keepDims === true));
  if (x.size === 0 && (op === 'max' || op === 'min')) return emptyExtreme(op, x, axes, out);
  getBackend().reduce(op, astype(x, dtype).data, x.shape, axes, out.data);
  return out;
}

/**
 * max/min/argmax/argmin of an array with no elements: an empty result where only the kept axes
 * are empty (`[0, 3]` over axis 1 gives `[0]`, as PyTorch), an error where a reduced axis is
 * (there is no value to return: these reductions have no identity).
 */
function emptyExtreme(op: string, x: NDArray, axes: readonly number[], out: NDArray): NDArray {
  if (out.size === 0) return out;
  throw new ArgumentError(
    `${op}: cannot reduce over an empty axis (shape [${x.shape.join(', ')}], axes [${axes.join(', ')}]): it has no value to return`,
    { where: op },
  );
}

/** Σ over `axis` (all axes by default). @example sum(array([[1, 2], [3, 4]]), 0) // [4, 6] */
export function sum(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  return applyReduce('sum', x, axis, options);
}

/** Product over `axis`. */
export function prod(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  return applyReduce('prod', x, axis, options);
}

/** Largest element over `axis` (NaN if any is NaN). */
export function max(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  return applyReduce('max', x, axis, options);
}

/** Smallest element over `axis` (NaN if any is NaN). */
export function min(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  return applyReduce('min', x, axis, options);
}

/** Number of elements reduced by `axis`. */
export function reducedCount(x: NDArray, axis: Axes, op: string): number {
  return normalizeAxes(axis, x.ndim, op).reduce((p, a) => p * x.shape[a], 1);
}

/** Arithmetic mean over `axis` (integers give float32). */
export function mean(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  const total = applyReduce('sum', x, axis, options, floatingOf(checkArray(x, 'mean').dtype));
  return div(total, axis === undefined ? x.size : reducedCount(x, axis, 'mean'));
}

/** Options of {@link variance}. */
export interface VarianceOptions extends ReduceOptions {
  /**
   * Subtracted from the count in the denominator: 1 (the default, as `torch.var`) gives the
   * unbiased estimate, 0 the population variance.
   */
  correction?: number;
}

const varianceKeys = optionKeys({ keepDims: true, correction: true } satisfies Record<keyof VarianceOptions, true>);

/** Variance over `axis`: Σ(x − mean)² / (N − correction). */
export function variance(x: NDArray, axis?: Axes, options?: VarianceOptions): NDArray {
  checkOptionKeys(options, varianceKeys, 'variance');
  options ??= {};
  const correction = options.correction ?? 1;
  if (typeof correction !== 'number' || !Number.isFinite(correction) || correction < 0) {
    throw new ArgumentError(`variance: 'correction' must be a non-negative number, got ${String(correction)}`, {
      where: 'variance',
      argument: 'correction',
    });
  }
  const centred = sub(x, mean(x, axis, { keepDims: true }));
  const total = sum(square(centred), axis, { keepDims: options.keepDims });
  return div(total, Math.max(0, reducedCount(x, axis, 'variance') - correction));
}

/**
 * log Σ exp(x) over `axis`, computed stably as m + log Σ exp(x − m) with m the maximum
 * (a row of −Infinity gives −Infinity, not NaN).
 */
export function logSumExp(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  checkArray(x, 'logSumExp');
  checkOptionKeys(options, reduceKeys, 'logSumExp');
  const xf = astype(x, floatingOf(x.dtype));
  const m = max(xf, axis, { keepDims: true });
  const shift = where(isFiniteMask(m), m, 0);
  const result = add(log(sum(exp(sub(xf, shift)), axis, { keepDims: true })), shift);
  return options?.keepDims === true ? result : reshape(result, reducedShape(x.shape, normalizeAxes(axis, x.ndim, 'logSumExp'), false));
}

function applyArg(op: 'argmax' | 'argmin', x: NDArray, axis: Axes, options?: ReduceOptions): NDArray {
  checkArray(x, op);
  checkOptionKeys(options, reduceKeys, op);
  const axes = normalizeAxes(axis, x.ndim, op);
  const out = empty('int32', reducedShape(x.shape, axes, options?.keepDims === true));
  if (x.size === 0) return emptyExtreme(op, x, axes, out);
  getBackend().argReduce(op, x.data, x.shape, axes, out.data as Int32Array);
  return out;
}

/**
 * Index of the first largest element over `axis` (int32). Over several axes (or all), the
 * index is row-major within the reduced axes, like NumPy's flat index.
 */
export function argmax(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  return applyArg('argmax', x, axis, options);
}

/** Index of the first smallest element over `axis` (int32); see {@link argmax}. */
export function argmin(x: NDArray, axis?: Axes, options?: ReduceOptions): NDArray {
  return applyArg('argmin', x, axis, options);
}
