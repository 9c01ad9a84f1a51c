import type { DType, NDArray, Shape } from '@backprop/tensor';
import * as T from '@backprop/tensor';
import { checkTensor } from './ops/util.js';
import { assertNotTracing } from './record.js';
import { Tensor } from './tensor.js';

/** Options of the tensor constructors. */
export interface TensorOptions {
  /** Element type, float32 unless stated. */
  dtype?: DType;
  /** Collect this tensor's gradient in `.grad` (float dtypes only). */
  requiresGrad?: boolean;
}

/** Options of the random constructors. */
export interface RandomTensorOptions extends TensorOptions {
  /** A seed for this call only (otherwise the global generator of `manualSeed`). */
  seed?: number;
  /** A generator to draw from. */
  generator?: T.Generator;
}

function leaf(value: NDArray, options?: TensorOptions): Tensor {
  return new Tensor(value, { requiresGrad: options?.requiresGrad === true });
}

/** Refuses to be traced: `compileBackward` would turn fresh random values into the traced call's constants. */
function untraced(name: string): void {
  assertNotTracing(`${name}()`, 'draws new random values on every call');
}

/**
 * A tensor from nested arrays, a typed array (with `shape`), or a number.
 * @example tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
 */
export function tensor(
  values: T.NestedArray | readonly T.NestedArray[] | Float32Array | Float64Array | Int32Array,
  options?: TensorOptions & { shape?: Shape },
): Tensor {
  return leaf(T.array(values as T.NestedArray, options), options);
}

/** Wraps an existing NDArray (shared, not copied). */
export function fromArray(value: NDArray, options?: { requiresGrad?: boolean }): Tensor {
  return leaf(value, options);
}

/** Zeros. */
export const zeros = (shape: Shape, options?: TensorOptions): Tensor => leaf(T.zeros(shape, options), options);
/** Ones. */
export const ones = (shape: Shape, options?: TensorOptions): Tensor => leaf(T.ones(shape, options), options);
/** `value` everywhere. */
export const full = (shape: Shape, value: number, options?: TensorOptions): Tensor => leaf(T.full(shape, value, options), options);
/** Zeros shaped like `x`. */
export const zerosLike = (x: Tensor, options?: TensorOptions): Tensor =>
  leaf(T.zerosLike(checkTensor(x, 'zerosLike').value, options), options);
/** Ones shaped like `x`. */
export const onesLike = (x: Tensor, options?: TensorOptions): Tensor =>
  leaf(T.onesLike(checkTensor(x, 'onesLike').value, options), options);
/** `[start, stop)` by `step`. */
export const arange = (start: number, stop?: number, step = 1, options?: TensorOptions): Tensor =>
  leaf(T.arange(start, stop, step, options), options);
/** `count` points from `start` to `stop`. */
export const linspace = (start: number, stop: number, count: number, options?: TensorOptions): Tensor =>
  leaf(T.linspace(start, stop, count, options), options);
/** Identity matrix. */
export const eye = (rows: number, cols = rows, options?: TensorOptions): Tensor => leaf(T.eye(rows, cols, options), options);
/** Uniform [0, 1). */
export const rand = (shape: Shape, options?: RandomTensorOptions): Tensor => {
  untraced('rand');
  return leaf(T.rand(shape, options), options);
};
/** Standard normal. @example randn([3, 4], { dtype: 'float64', seed: 1 }) */
export const randn = (shape: Shape, options?: RandomTensorOptions): Tensor => {
  untraced('randn');
  return leaf(T.randn(shape, options), options);
};
/** Uniform [low, high). */
export const uniform = (shape: Shape, low = 0, high = 1, options?: RandomTensorOptions): Tensor => {
  untraced('uniform');
  return leaf(T.uniform(shape, low, high, options), options);
};
/** Normal with `mean` and `std`. */
export const normal = (shape: Shape, mean = 0, std = 1, options?: RandomTensorOptions): Tensor => {
  untraced('normal');
  return leaf(T.normal(shape, mean, std, options), options);
};
/** Integers in [low, high) (int32). */
export const randint = (low: number, high: number, shape: Shape, options?: Omit<RandomTensorOptions, 'requiresGrad'>): Tensor => {
  untraced('randint');
  return leaf(T.randint(low, high, shape, options));
};
