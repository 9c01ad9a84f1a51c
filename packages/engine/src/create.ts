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

const tensorKeys = T.optionKeys({ dtype: true, requiresGrad: true } satisfies Record<keyof TensorOptions, true>);
const arrayKeys = [...tensorKeys, 'shape'];
const fromArrayKeys = ['requiresGrad'];
const randomKeys = T.optionKeys({ dtype: true, requiresGrad: true, seed: true, generator: true } satisfies Record<
  keyof RandomTensorOptions,
  true
>);

/** `options` for the tensor package (without `requiresGrad`), once it is checked to hold only `known` keys. */
function arrayOptions<O extends TensorOptions>(
  options: O | undefined,
  known: readonly string[],
  op: string,
): Omit<O, 'requiresGrad'> | undefined {
  T.checkOptionKeys(options, known, op);
  if (typeof options !== 'object' || options === null || !('requiresGrad' in options)) return options;
  const { requiresGrad: _, ...rest } = options;
  return rest;
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
  return leaf(T.array(values as T.NestedArray, arrayOptions(options, arrayKeys, 'tensor')), options);
}

/** Wraps an existing NDArray (shared, not copied). */
export function fromArray(value: NDArray, options?: { requiresGrad?: boolean }): Tensor {
  T.checkOptionKeys(options, fromArrayKeys, 'fromArray');
  return leaf(value, options);
}

/** Zeros. */
export const zeros = (shape: Shape, options?: TensorOptions): Tensor =>
  leaf(T.zeros(shape, arrayOptions(options, tensorKeys, 'zeros')), options);
/** Ones. */
export const ones = (shape: Shape, options?: TensorOptions): Tensor =>
  leaf(T.ones(shape, arrayOptions(options, tensorKeys, 'ones')), options);
/** `value` everywhere. */
export const full = (shape: Shape, value: number, options?: TensorOptions): Tensor =>
  leaf(T.full(shape, value, arrayOptions(options, tensorKeys, 'full')), options);
/** Zeros shaped like `x`. */
export const zerosLike = (x: Tensor, options?: TensorOptions): Tensor =>
  leaf(T.zerosLike(checkTensor(x, 'zerosLike').value, arrayOptions(options, tensorKeys, 'zerosLike')), options);
/** Ones shaped like `x`. */
export const onesLike = (x: Tensor, options?: TensorOptions): Tensor =>
  leaf(T.onesLike(checkTensor(x, 'onesLike').value, arrayOptions(options, tensorKeys, 'onesLike')), options);
/** `[start, stop)` by `step`. */
export const arange = (start: number, stop?: number, step = 1, options?: TensorOptions): Tensor =>
  leaf(T.arange(start, stop, step, arrayOptions(options, tensorKeys, 'arange')), options);
/** `count` points from `start` to `stop`. */
export const linspace = (start: number, stop: number, count: number, options?: TensorOptions): Tensor =>
  leaf(T.linspace(start, stop, count, arrayOptions(options, tensorKeys, 'linspace')), options);
/** Identity matrix. */
export const eye = (rows: number, cols = rows, options?: TensorOptions): Tensor =>
  leaf(T.eye(rows, cols, arrayOptions(options, tensorKeys, 'eye')), options);
/** Uniform [0, 1). */
export const rand = (shape: Shape, options?: RandomTensorOptions): Tensor => {
  untraced('rand');
  return leaf(T.rand(shape, arrayOptions(options, randomKeys, 'rand')), options);
};
/** Standard normal. @example randn([3, 4], { dtype: 'float64', seed: 1 }) */
export const randn = (shape: Shape, options?: RandomTensorOptions): Tensor => {
  untraced('randn');
  return leaf(T.randn(shape, arrayOptions(options, randomKeys, 'randn')), options);
};
/** Uniform [low, high). */
export const uniform = (shape: Shape, low = 0, high = 1, options?: RandomTensorOptions): Tensor => {
  untraced('uniform');
  return leaf(T.uniform(shape, low, high, arrayOptions(options, randomKeys, 'uniform')), options);
};
/** Normal with `mean` and `std`. */
export const normal = (shape: Shape, mean = 0, std = 1, options?: RandomTensorOptions): Tensor => {
  untraced('normal');
  return leaf(T.normal(shape, mean, std, arrayOptions(options, randomKeys, 'normal')), options);
};
/** Integers in [low, high) (int32). */
export const randint = (low: number, high: number, shape: Shape, options?: Omit<RandomTensorOptions, 'requiresGrad'>): Tensor => {
  untraced('randint');
  return leaf(T.randint(low, high, shape, options));
};
