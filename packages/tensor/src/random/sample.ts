import { allocate, type DType } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { take } from '../ops/gather.js';
import { checkArray, checkCount, checkFinite, dtypeOption, empty } from '../ops/util.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import { checkShape, type Shape } from '../shape.js';
import { Generator, globalGenerator } from './generator.js';

/** Options of the random functions: where the numbers come from, and the element type. */
export interface RandomOptions {
  /** A seed for a fresh generator used by this call only. */
  seed?: number;
  /** A generator to draw from (advanced by the call). */
  generator?: Generator;
  /** Element type; float32 unless stated. */
  dtype?: DType;
}

const randomKeys = optionKeys({ seed: true, generator: true, dtype: true } satisfies Record<keyof RandomOptions, true>);
const drawKeys = optionKeys({ seed: true, generator: true } satisfies Record<keyof Omit<RandomOptions, 'dtype'>, true>);

function source(options: RandomOptions | undefined): Generator {
  if (options?.generator !== undefined) return options.generator;
  if (options?.seed !== undefined) return new Generator(options.seed);
  return globalGenerator();
}

function fill(op: string, shape: Shape, options: RandomOptions | undefined, draw: (g: Generator) => number): NDArray {
  const out = empty(dtypeOption(options, op, 'float32', randomKeys), checkShape(shape, op));
  const g = source(options);
  for (let i = 0; i < out.size; i++) out.data[i] = draw(g);
  return out;
}

/** Uniform samples in [0, 1). @example rand([2, 3], { seed: 1 }) */
export function rand(shape: Shape, options?: RandomOptions): NDArray {
  return fill('rand', shape, options, (g) => g.nextFloat());
}

/** Standard normal samples (mean 0, standard deviation 1). @example randn([32, 64], { seed: 1 }) */
export function randn(shape: Shape, options?: RandomOptions): NDArray {
  return fill('randn', shape, options, (g) => g.nextNormal());
}

/** Uniform samples in [low, high). @example uniform([3], -1, 1) */
export function uniform(shape: Shape, low = 0, high = 1, options?: RandomOptions): NDArray {
  checkFinite(low, 'uniform', 'low');
  checkFinite(high, 'uniform', 'high');
  if (high < low) throw new ArgumentError(`uniform: high ${high} is below low ${low}`, { where: 'uniform', argument: 'high' });
  return fill('uniform', shape, options, (g) => low + (high - low) * g.nextFloat());
}

/** Normal samples with the given mean and standard deviation. @example normal([3], 0, 0.01) */
export function normal(shape: Shape, mean = 0, std = 1, options?: RandomOptions): NDArray {
  checkFinite(mean, 'normal', 'mean');
  checkFinite(std, 'normal', 'std');
  if (std < 0) throw new ArgumentError(`normal: std must be non-negative, got ${std}`, { where: 'normal', argument: 'std' });
  return fill('normal', shape, options, (g) => mean + std * g.nextNormal());
}

/** Uniform integers in [low, high) (int32 unless stated). @example randint(0, 10, [5]) */
export function randint(low: number, high: number, shape: Shape, options?: RandomOptions): NDArray {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low || high - low > 4294967296) {
    throw new ArgumentError(`randint: need integers low < high (at most 2^32 apart), got low ${low}, high ${high}`, {
      where: 'randint',
      argument: 'high',
    });
  }
  return fill('randint', shape, { dtype: 'int32', ...options }, (g) => low + g.nextBelow(high - low));
}

/** A random ordering of `0..n-1` (int32; Fisher–Yates). @example permutation(5, { seed: 3 }) */
export function permutation(n: number, options?: Omit<RandomOptions, 'dtype'>): NDArray {
  checkOptionKeys(options, drawKeys, 'permutation');
  checkCount(n, 'permutation', 'n');
  const order = allocate('int32', n);
  for (let i = 0; i < n; i++) order[i] = i;
  const g = source(options);
  for (let i = n - 1; i > 0; i--) {
    const j = g.nextBelow(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return new NDArray(order, [n]);
}

/** A copy of `x` with its entries along axis 0 in random order. @example shuffle(rows, { seed: 1 }) */
export function shuffle(x: NDArray, options?: Omit<RandomOptions, 'dtype'>): NDArray {
  checkOptionKeys(options, drawKeys, 'shuffle');
  checkArray(x, 'shuffle');
  if (x.ndim === 0) return x;
  return take(x, permutation(x.shape[0], options), 0);
}
