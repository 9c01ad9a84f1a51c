import { allocate, checkDType, type DType, type DTypeArrayMap } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { isNDArray, NDArray } from '../ndarray.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import type { Shape } from '../shape.js';
import { describe, sizeOf } from '../shape.js';

/** An NDArray or a plain number standing for a scalar. */
export type ArrayOrScalar = NDArray | number;

/** Throws an `ArgumentError` naming `op` and `name` unless `value` is an NDArray. */
export function checkArray(value: unknown, op: string, name = 'x'): NDArray {
  if (!isNDArray(value)) {
    throw new ArgumentError(`${op}: argument '${name}' must be an NDArray, got ${describe(value)}`, { where: op, argument: name });
  }
  return value;
}

/** A new zero-filled NDArray. */
export function empty<D extends DType>(dtype: D, shape: Shape): NDArray<D> {
  return new NDArray(allocate(dtype, sizeOf(shape)), shape);
}

/** Wraps a number as a scalar NDArray of `dtype`, or checks an NDArray argument. */
export function toArray(value: ArrayOrScalar, dtype: DType, op: string, name: string): NDArray {
  if (typeof value === 'number') {
    const data = allocate(dtype, 1);
    data[0] = value;
    return new NDArray(data, []);
  }
  return checkArray(value, op, name);
}

/**
 * Throws unless every value fits int32: an Int32Array would store NaN and ±∞ as 0 and wrap what
 * lies beyond ±2³¹ (3e9 became −1294967296), silently. Fractions are truncated toward zero, as
 * NumPy and PyTorch do. `at(i)` names the place of element `i` in messages.
 */
export function checkInt32Values(values: ArrayLike<number>, op: string, at: (i: number) => string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > -2147483649 && v < 2147483648)) {
      throw new ArgumentError(`${op}: ${at(i)} is ${describe(v)}, which int32 cannot hold (integers from -2147483648 to 2147483647)`, {
        where: op,
        argument: 'values',
      });
    }
  }
}

/** A copy of `x` converted to `dtype` (returns `x` itself when it already has it); to int32, every value must fit. */
export function astype<D extends DType>(x: NDArray, dtype: D): NDArray<D> {
  checkArray(x, 'astype');
  checkDType(dtype, 'astype');
  if (x.dtype === dtype) return x as NDArray<D>;
  if (dtype === 'int32') checkInt32Values(x.data, 'astype', (i) => `element ${i}`);
  const data = allocate(dtype, x.size) as DTypeArrayMap[D];
  data.set(x.data);
  return new NDArray(data, x.shape);
}

const dtypeKeys = optionKeys({ dtype: true });

/** Reads an optional `dtype` option, defaulting to float32; `known` are the keys `options` may have. */
export function dtypeOption(
  options: { dtype?: DType } | undefined,
  op: string,
  fallback: DType = 'float32',
  known: readonly string[] = dtypeKeys,
): DType {
  checkOptionKeys(options, known, op);
  return options?.dtype === undefined ? fallback : checkDType(options.dtype, op);
}

/** Checks that a number-valued option is finite; an ArgumentError naming `op` and the option `name` otherwise. */
export function checkFinite(value: unknown, op: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${op}: '${name}' must be a finite number, got ${describe(value)}`, { where: op, argument: name });
  }
  return value;
}

/** Checks that a value is a non-negative integer (a count or a size). */
export function checkCount(value: unknown, op: string, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ArgumentError(`${op}: '${name}' must be a non-negative integer, got ${describe(value)}`, { where: op, argument: name });
  }
  return value;
}

/** A copy of `x` with its own buffer. */
export function clone(x: NDArray): NDArray {
  checkArray(x, 'clone');
  const data = allocate(x.dtype, x.size);
  data.set(x.data);
  return new NDArray(data, x.shape);
}
