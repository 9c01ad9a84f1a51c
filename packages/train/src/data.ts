import { isTensor, type Tensor } from '@backprop/engine';
import {
  allocate,
  checkOptionKeys,
  type DType,
  formatShape,
  isNDArray,
  NDArray,
  type NestedArray,
  optionKeys,
  permutation,
  Generator as RandomGenerator,
  ShapeError,
  take,
  array as toNDArray,
} from '@backprop/tensor';
import { badOption, checkDatasetArg } from './errors.js';

/** Anything a dataset can be built from: nested number arrays, NDArrays or tensors. */
export type ArrayInput = NestedArray | NDArray | Tensor;

/** Features `x` and targets `y`, one row per sample (axis 0). */
export interface Dataset {
  readonly x: NDArray;
  readonly y: NDArray;
  /** Number of samples. */
  readonly length: number;
}

function asArray(value: ArrayInput, name: string, dtype?: DType): NDArray {
  if (isTensor(value)) return value.value;
  if (isNDArray(value)) return value;
  if (!Array.isArray(value))
    throw badOption('dataset', name, `'${name}' must be an array, NDArray or Tensor, got ${value === null ? 'null' : typeof value}`);
  return toNDArray(value as NestedArray, dtype ? { dtype } : {});
}

function firstNonFinite(a: NDArray): number {
  if (a.dtype === 'int32') return -1;
  const d = a.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1;
}

/**
 * A dataset from features and targets (nested arrays, NDArrays or tensors) with the same number
 * of rows. NaN or Infinity anywhere is an error naming the row and column.
 * @example const data = dataset([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]);
 */
export function dataset(x: ArrayInput, y: ArrayInput): Dataset {
  const features = asArray(x, 'x');
  const targets = asArray(y, 'y');
  if (features.ndim < 1 || targets.ndim < 1 || features.shape[0] !== targets.shape[0]) {
    throw new ShapeError(
      `dataset: x ${formatShape(features.shape)} and y ${formatShape(targets.shape)} must have the same number of rows`,
      {
        where: 'dataset',
        shapes: [features.shape, targets.shape],
      },
    );
  }
  for (const [name, a] of [
    ['x', features],
    ['y', targets],
  ] as const) {
    const bad = firstNonFinite(a);
    if (bad >= 0) {
      const rowSize = a.size / a.shape[0];
      throw badOption(
        'dataset',
        name,
        `${name} holds ${a.data[bad]} at row ${Math.floor(bad / rowSize)}, column ${bad % rowSize}; clean or impute the data first`,
      );
    }
  }
  return { x: features, y: targets, length: features.shape[0] };
}

/** A dataset, or an `[x, y]` pair made into one (what `fit` and `evaluate` accept). */
export function asDataset(data: Dataset | readonly [ArrayInput, ArrayInput], where: string): Dataset {
  if (Array.isArray(data) && data.length === 2) return dataset(data[0], data[1]);
  const d = data as Dataset;
  if (!d || typeof d !== 'object' || !('x' in d) || !('y' in d))
    throw badOption(where, 'data', 'data must be a dataset (from dataset()) or an [x, y] pair');
  return d;
}

/** The rows of a dataset at `indices`. */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  checkDatasetArg(data, 'subset');
  if (indices === null || typeof indices !== 'object' || typeof (indices as ArrayLike<number>).length !== 'number')
    throw badOption('subset', 'indices', "'indices' must be a list of row numbers");
  const rows = Array.from(indices);
  rows.forEach((i, position) => {
    if (!Number.isInteger(i) || i < 0 || i >= data.length)
      throw badOption(
        'subset',
        'indices',
        `index ${String(i)} at position ${position} is not a row of the ${data.length} samples (0 to ${data.length - 1})`,
      );
  });
  const idx = toNDArray(rows, { dtype: 'int32' });
  return { x: take(data.x, idx, 0), y: take(data.y, idx, 0), length: rows.length };
}

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Shuffle the order (default false). */
  shuffle?: boolean;
  /** Seed or generator of the shuffle. */
  seed?: number;
  generator?: RandomGenerator;
  /** Drop a last, smaller batch (default false). */
  dropLast?: boolean;
}

const batchKeys = optionKeys({ batchSize: true, shuffle: true, seed: true, generator: true, dropLast: true } satisfies Record<
  keyof BatchOptions,
  true
>);

/**
 * Iterates over `[x, y]` mini-batches of NDArrays.
 * @example for (const [x, y] of batches(data, { batchSize: 64, shuffle: true, seed: 1 })) { ... }
 */
export function* batches(data: Dataset, options: BatchOptions = {}): Generator<[NDArray, NDArray], void, undefined> {
  options ??= {};
  checkOptionKeys(options, batchKeys, 'batches');
  checkDatasetArg(data, 'batches');
  const size = checkBatchSize(options.batchSize ?? 32, 'batches');
  const order = sampleOrder(data.length, options);
  for (let start = 0; start < data.length; start += size) {
    const end = Math.min(start + size, data.length);
    if (options.dropLast && end - start < size) break;
    yield batchAt(data, order, start, end);
  }
}

/** @internal The order {@link batches} takes the samples in: a seeded permutation when shuffling, else `null` (as stored). */
export function sampleOrder(length: number, options: BatchOptions): Int32Array | null {
  return options.shuffle
    ? (permutation(length, { generator: options.generator ?? new RandomGenerator(options.seed ?? 0) }).data as Int32Array)
    : null;
}

/** @internal Samples `start … end − 1` of `order` (`null`: as stored) as a batch: copies, never views of the dataset. */
export function batchAt(data: Dataset, order: Int32Array | null, start: number, end: number): [NDArray, NDArray] {
  return [rows(data.x, order, start, end), rows(data.y, order, start, end)];
}

/**
 * A copy of the rows at positions `start … end − 1` of `order` (`null`: the stored order, one
 * contiguous block). The indices come from a permutation of the rows, so unlike `take` nothing
 * needs checking: this runs for every batch.
 */
function rows(a: NDArray, order: Int32Array | null, start: number, end: number): NDArray {
  const shape = a.shape.slice();
  const stride = a.size / shape[0];
  shape[0] = end - start;
  // Through `allocate`, so a small batch is a piece of a shared buffer rather than an array V8
  // allocates outside its heap (see `allocate`).
  const out = allocate(a.dtype, (end - start) * stride);
  const from = a.data;
  if (order === null) {
    out.set(from.subarray(start * stride, end * stride));
    return new NDArray(out, shape);
  }
  for (let i = start, o = 0; i < end; i++) {
    const row = order[i] * stride;
    for (let j = 0; j < stride; j++) out[o++] = from[row + j];
  }
  return new NDArray(out, shape);
}

/** Checks a batch size. */
export function checkBatchSize(size: unknown, where: string): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    throw badOption(where, 'batchSize', `'batchSize' must be a positive integer, got ${String(size)}`);
  return size;
}

/** The sizes of {@link split}'s parts of `n` samples: each fraction rounded, the last part the remainder. */
export function partSizes(n: number, fractions: readonly number[]): number[] {
  const sizes: number[] = [];
  let start = 0;
  fractions.forEach((f, i) => {
    const end = i === fractions.length - 1 ? n : start + Math.round(f * n);
    sizes.push(end - start);
    start = end;
  });
  return sizes;
}

/** A fraction as people write it (1 − 0.9 shows as 0.1, not 0.09999999999999998). */
const round = (f: number): number => Number(f.toPrecision(12));

/**
 * Splits a dataset into parts by fractions (e.g. `[0.8, 0.2]` or `[0.7, 0.15, 0.15]`) after a
 * seeded shuffle; the last part takes the rounding remainder.
 * @example const [train, test] = split(data, [0.8, 0.2], { seed: 1 });
 */
export function split(data: Dataset, fractions: readonly number[], options: { seed?: number; shuffle?: boolean } = {}): Dataset[] {
  options ??= {};
  checkOptionKeys(options, ['seed', 'shuffle'], 'split');
  checkDatasetArg(data, 'split');
  if (
    !Array.isArray(fractions) ||
    fractions.length < 2 ||
    fractions.some((f) => !(f > 0)) ||
    Math.abs(fractions.reduce((a, b) => a + b, 0) - 1) > 1e-9
  ) {
    throw badOption('split', 'fractions', `fractions must be two or more positive numbers summing to 1, got ${JSON.stringify(fractions)}`);
  }
  const order =
    options.shuffle === false
      ? Int32Array.from({ length: data.length }, (_, i) => i)
      : permutation(data.length, { generator: new RandomGenerator(options.seed ?? 0) }).data;
  const sizes = partSizes(data.length, fractions);
  if (sizes.includes(0)) {
    throw badOption(
      'split',
      'fractions',
      `splitting ${data.length} samples by [${fractions.map(round).join(', ')}] gives parts of ${sizes.join(', ')} samples; every part needs at least one`,
    );
  }
  const parts: Dataset[] = [];
  let start = 0;
  for (const size of sizes) {
    parts.push(subset(data, order.subarray(start, start + size)));
    start += size;
  }
  return parts;
}

/**
 * Train/test split: `testFraction` of the samples (default 0.2) go to the second part.
 * @example const [train, test] = trainTestSplit(data, { testFraction: 0.2, seed: 1 });
 */
export function trainTestSplit(
  data: Dataset,
  options: { testFraction?: number; seed?: number; shuffle?: boolean } = {},
): [Dataset, Dataset] {
  options ??= {};
  checkOptionKeys(options, ['testFraction', 'seed', 'shuffle'], 'trainTestSplit');
  checkDatasetArg(data, 'trainTestSplit');
  const f = options.testFraction ?? 0.2;
  if (!(f > 0 && f < 1)) throw badOption('trainTestSplit', 'testFraction', `'testFraction' must be between 0 and 1, got ${String(f)}`);
  const [train, test] = split(data, [1 - f, f], { seed: options.seed, shuffle: options.shuffle });
  return [train, test];
}
