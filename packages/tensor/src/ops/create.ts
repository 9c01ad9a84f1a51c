import { allocate, type DType } from '../dtype.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { NDArray, type NestedArray } from '../ndarray.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import { checkShape, describe, type Shape, sizeOf } from '../shape.js';
import { checkArray, checkCount, checkFinite, checkInt32Values, dtypeOption, empty } from './util.js';

/** Options shared by the creation functions. */
export interface CreateOptions {
  /** Element type; `float32` unless stated. */
  dtype?: DType;
}

const arrayKeys = optionKeys({ dtype: true, shape: true } satisfies Record<keyof (CreateOptions & { shape?: Shape }), true>);
const likeKeys = optionKeys({ dtype: true } satisfies Record<keyof CreateOptions, true>);

type ArrayLikeInput = NestedArray | readonly NestedArray[] | Float32Array | Float64Array | Int32Array;

/**
 * Creates an NDArray from nested arrays (a ragged or non-numeric input is rejected with the
 * path of the bad element) or from a typed array plus `shape`.
 * @example
 * array([[1, 2], [3, 4]]);                          // float32 [2, 2]
 * array(new Float64Array(6), { shape: [2, 3] });    // float64 [2, 3], shares the buffer's values
 * array([0, 2, 1], { dtype: 'int32' });
 */
export function array(values: ArrayLikeInput, options?: CreateOptions & { shape?: Shape }): NDArray {
  checkOptionKeys(options, arrayKeys, 'array');
  options ??= {};
  if (ArrayBuffer.isView(values)) {
    const typed = values as Float32Array | Float64Array | Int32Array;
    const shape = options.shape === undefined ? [typed.length] : checkShape(options.shape, 'array');
    const dtype = options.dtype ?? (typed instanceof Float64Array ? 'float64' : typed instanceof Int32Array ? 'int32' : 'float32');
    const data = allocate(dtypeOption({ dtype }, 'array'), typed.length);
    if (dtype === 'int32' && !(typed instanceof Int32Array)) checkInt32Values(typed, 'array', (i) => `element ${i}`);
    data.set(typed);
    return new NDArray(data, shape);
  }
  const dtype = dtypeOption(options, 'array', 'float32', arrayKeys);
  const shape = inferShape(values as NestedArray);
  const data = allocate(dtype, sizeOf(shape));
  let cursor = 0;
  const fill = (value: NestedArray, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof value !== 'number') {
        throw new ArgumentError(`array: element at ${pathText(path)} is ${describe(value)}, expected a number`, {
          where: 'array',
          argument: 'values',
        });
      }
      if (dtype === 'int32' && !(value > -2147483649 && value < 2147483648))
        checkInt32Values([value], 'array', () => `element at ${pathText(path)}`);
      data[cursor++] = value;
      return;
    }
    if (!Array.isArray(value)) {
      throw new ShapeError(
        `array: ragged nested array: element at ${pathText(path)} is ${describe(value)}, expected an array of length ${shape[depth]}`,
        {
          where: 'array',
        },
      );
    }
    if (value.length !== shape[depth]) {
      throw new ShapeError(
        `array: ragged nested array: element at ${pathText(path)} has length ${value.length}, expected ${shape[depth]}`,
        {
          where: 'array',
        },
      );
    }
    for (let i = 0; i < value.length; i++) fill(value[i], depth + 1, [...path, i]);
  };
  fill(values as NestedArray, 0, []);
  if (options.shape !== undefined) {
    const target = checkShape(options.shape, 'array');
    if (sizeOf(target) !== data.length) {
      throw new ShapeError(`array: ${data.length} values do not fit shape [${target.join(', ')}]`, {
        where: 'array',
        shapes: [shape, target],
      });
    }
    return new NDArray(data, target);
  }
  return new NDArray(data, shape);
}

function pathText(path: readonly number[]): string {
  return path.length === 0 ? 'the top level' : path.map((i) => `[${i}]`).join('');
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

/** An array of `shape` filled with zeros. @example zeros([2, 3]) */
export function zeros(shape: Shape, options?: CreateOptions): NDArray {
  return empty(dtypeOption(options, 'zeros'), checkShape(shape, 'zeros'));
}

/** An array of `shape` filled with ones. @example ones([3]) */
export function ones(shape: Shape, options?: CreateOptions): NDArray {
  return full(shape, 1, options);
}

/** An array of `shape` filled with `value`. @example full([2, 2], 7) */
export function full(shape: Shape, value: number, options?: CreateOptions): NDArray {
  const out = empty(dtypeOption(options, 'full'), checkShape(shape, 'full'));
  if (typeof value !== 'number')
    throw new ArgumentError(`full: 'value' must be a number, got ${describe(value)}`, { where: 'full', argument: 'value' });
  if (out.dtype === 'int32') checkInt32Values([value], 'full', () => "'value'");
  out.data.fill(value);
  return out;
}

/** Zeros with the shape (and, unless given, the dtype) of `x`. */
export function zerosLike(x: NDArray, options?: CreateOptions): NDArray {
  checkOptionKeys(options, likeKeys, 'zerosLike');
  checkArray(x, 'zerosLike');
  return zeros(x.shape, { dtype: options?.dtype ?? x.dtype });
}

/** Ones with the shape (and, unless given, the dtype) of `x`. */
export function onesLike(x: NDArray, options?: CreateOptions): NDArray {
  checkOptionKeys(options, likeKeys, 'onesLike');
  checkArray(x, 'onesLike');
  return ones(x.shape, { dtype: options?.dtype ?? x.dtype });
}

/** `value` everywhere, with the shape (and, unless given, the dtype) of `x`. */
export function fullLike(x: NDArray, value: number, options?: CreateOptions): NDArray {
  checkOptionKeys(options, likeKeys, 'fullLike');
  checkArray(x, 'fullLike');
  return full(x.shape, value, { dtype: options?.dtype ?? x.dtype });
}

/**
 * Evenly spaced values in `[start, stop)` with `step`, like `numpy.arange`.
 * `arange(5)` is `[0, 1, 2, 3, 4]`.
 * @example arange(0, 1, 0.25) // [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, stop?: number, step = 1, options?: CreateOptions): NDArray {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  checkFinite(start, 'arange', 'start');
  checkFinite(stop, 'arange', 'stop');
  checkFinite(step, 'arange', 'step');
  if (step === 0) throw new ArgumentError('arange: step must not be 0', { where: 'arange', argument: 'step' });
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const out = empty(dtypeOption(options, 'arange'), [length]);
  for (let i = 0; i < length; i++) out.data[i] = start + i * step;
  return out;
}

/** `count` evenly spaced values from `start` to `stop` inclusive. @example linspace(0, 1, 5) */
export function linspace(start: number, stop: number, count: number, options?: CreateOptions): NDArray {
  checkFinite(start, 'linspace', 'start');
  checkFinite(stop, 'linspace', 'stop');
  checkCount(count, 'linspace', 'count');
  const out = empty(dtypeOption(options, 'linspace'), [count]);
  const step = count > 1 ? (stop - start) / (count - 1) : 0;
  for (let i = 0; i < count; i++) out.data[i] = i === count - 1 && count > 1 ? stop : start + i * step;
  return out;
}

/** The `rows×cols` identity matrix (`cols` defaults to `rows`). @example eye(3) */
export function eye(rows: number, cols = rows, options?: CreateOptions): NDArray {
  checkCount(rows, 'eye', 'rows');
  checkCount(cols, 'eye', 'cols');
  const out = empty(dtypeOption(options, 'eye'), [rows, cols]);
  for (let i = 0; i < Math.min(rows, cols); i++) out.data[i * cols + i] = 1;
  return out;
}

/** A scalar (rank-0) array. @example scalar(3.5).item() // 3.5 */
export function scalar(value: number, options?: CreateOptions): NDArray {
  return full([], value, options);
}
