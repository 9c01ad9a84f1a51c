import { allocate, NDArray } from '@backprop/tensor';
import { badOption } from './errors.js';
import { moments } from './moments.js';

/** A fitted scaler as plain JSON, stored with the model so predictions see the same scaling. */
export type ScalerJSON =
  | { type: 'standardize'; mean: number[]; std: number[] }
  | { type: 'minMax'; min: number[]; max: number[]; range: [number, number] };

/** Per-feature statistics: a sample's features are all its elements after the batch axis. */
function columns(x: NDArray, where: string): [rows: number, features: number] {
  if (x.ndim < 1 || x.shape[0] === 0) throw badOption(where, 'x', 'needs at least one sample');
  return [x.shape[0], x.size / x.shape[0]];
}

/** Throws at the first NaN or ±Infinity, naming its sample and feature (statistics fitted through one would silently be NaN). */
function checkFinite(x: NDArray, features: number, where: string): void {
  for (let i = 0; i < x.size; i++) {
    if (Number.isFinite(x.data[i])) continue;
    throw badOption(
      where,
      'x',
      `x holds ${x.data[i]} at sample ${Math.floor(i / features)}, feature ${i % features}; scalers are fitted on finite values (drop or fill in missing ones first)`,
    );
  }
}

function apply(x: NDArray, features: number, where: string, fn: (v: number, j: number) => number): NDArray {
  const [, n] = columns(x, where);
  if (n !== features) throw badOption(where, 'x', `the scaler was fitted on ${features} features per sample, this data has ${n}`);
  const out = x.dtype === 'float64' ? new Float64Array(x.size) : new Float32Array(x.size);
  for (let i = 0; i < x.size; i++) out[i] = fn(x.data[i], i % features);
  return new NDArray(out, x.shape);
}

/**
 * Standardisation: each feature becomes (x − mean)/std, with the mean and (population) standard
 * deviation of the training data; constant features get std 1.
 * @example const scaler = Standardizer.fit(train.x); const x = scaler.transform(test.x);
 */
export class Standardizer {
  private constructor(
    readonly mean: number[],
    readonly std: number[],
  ) {}

  /**
   * Learns mean and (population) standard deviation per feature, in float64 and without
   * cancellation (the corrected two-pass algorithm). A feature with a single value gets exactly
   * that value as its mean and std 1, so it becomes exactly 0.
   * @throws ArgumentError for NaN or ±Infinity in `x`, naming the sample and feature.
   */
  static fit(x: NDArray): Standardizer {
    const [rows, features] = columns(x, 'Standardizer.fit');
    checkFinite(x, features, 'Standardizer.fit');
    const { mean, squares } = moments(x.data, features);
    // Constant features (squares exactly 0) keep std 1, so they become exactly 0.
    const std = squares.map((sq) => (sq > 0 ? Math.sqrt(sq / rows) : 1));
    return new Standardizer(mean, std);
  }

  /** (x − mean)/std per feature. */
  transform(x: NDArray): NDArray {
    return apply(x, this.mean.length, 'Standardizer.transform', (v, j) => (v - this.mean[j]) / this.std[j]);
  }

  /** x·std + mean per feature. */
  inverseTransform(x: NDArray): NDArray {
    return apply(x, this.mean.length, 'Standardizer.inverseTransform', (v, j) => v * this.std[j] + this.mean[j]);
  }

  toJSON(): ScalerJSON {
    return { type: 'standardize', mean: [...this.mean], std: [...this.std] };
  }

  /** @internal */
  static fromStats(mean: number[], std: number[]): Standardizer {
    return new Standardizer(mean, std);
  }
}

/**
 * Min-max scaling of each feature to `range` (default [0, 1]) using the training minimum and
 * maximum; constant features map to the lower end.
 * @example const scaler = MinMaxScaler.fit(train.x);
 */
export class MinMaxScaler {
  private constructor(
    readonly min: number[],
    readonly max: number[],
    readonly range: [number, number],
  ) {}

  /**
   * Learns each feature's minimum and maximum.
   * @throws ArgumentError for NaN or ±Infinity in `x` (naming the sample and feature) or a bad `range`.
   */
  static fit(x: NDArray, range: [number, number] = [0, 1]): MinMaxScaler {
    const [, features] = columns(x, 'MinMaxScaler.fit');
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] < range[1]))
      throw badOption('MinMaxScaler.fit', 'range', `range must be [low, high] with low < high, got ${JSON.stringify(range)}`);
    checkFinite(x, features, 'MinMaxScaler.fit');
    const min = new Array<number>(features).fill(Number.POSITIVE_INFINITY);
    const max = new Array<number>(features).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < x.size; i++) {
      const j = i % features;
      min[j] = Math.min(min[j], x.data[i]);
      max[j] = Math.max(max[j], x.data[i]);
    }
    return new MinMaxScaler(min, max, [range[0], range[1]]);
  }

  transform(x: NDArray): NDArray {
    const [low, high] = this.range;
    return apply(x, this.min.length, 'MinMaxScaler.transform', (v, j) => {
      const span = this.max[j] - this.min[j];
      return span > 0 ? low + ((v - this.min[j]) / span) * (high - low) : low;
    });
  }

  inverseTransform(x: NDArray): NDArray {
    const [low, high] = this.range;
    return apply(
      x,
      this.min.length,
      'MinMaxScaler.inverseTransform',
      (v, j) => this.min[j] + ((v - low) / (high - low)) * (this.max[j] - this.min[j]),
    );
  }

  toJSON(): ScalerJSON {
    return { type: 'minMax', min: [...this.min], max: [...this.max], range: [...this.range] };
  }

  /** @internal */
  static fromStats(min: number[], max: number[], range: [number, number]): MinMaxScaler {
    return new MinMaxScaler(min, max, range);
  }
}

/** Any fitted scaler. */
export type Scaler = Standardizer | MinMaxScaler;

/**
 * Rebuilds a scaler from its JSON (as stored in a model file), validating every field.
 * @example const scaler = scalerFromJSON(modelFile.preprocessing);
 */
export function scalerFromJSON(json: unknown): Scaler {
  const j = json as Record<string, unknown>;
  const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (j?.type === 'standardize' && numbers(j.mean) && numbers(j.std) && j.mean.length === j.std.length && j.std.every((s) => s > 0)) {
    return Standardizer.fromStats([...j.mean], [...j.std]);
  }
  if (
    j?.type === 'minMax' &&
    numbers(j.min) &&
    numbers(j.max) &&
    j.min.length === j.max.length &&
    numbers(j.range) &&
    j.range.length === 2 &&
    j.range[0] < j.range[1]
  ) {
    return MinMaxScaler.fromStats([...j.min], [...j.max], [j.range[0], j.range[1]]);
  }
  throw badOption('scalerFromJSON', 'json', `not a valid scaler description: ${JSON.stringify(json)?.slice(0, 120)}`);
}

/**
 * Maps categorical labels (strings or numbers) to class indices 0..k−1 in order of first
 * appearance (or a given class list), and back; its `classes` are stored in model files.
 * @example const enc = LabelEncoder.fit(['cat', 'dog', 'cat']); enc.encode(['dog']) // Int32Array [1]
 */
export class LabelEncoder {
  readonly #index: Map<string, number>;
  constructor(readonly classes: readonly string[]) {
    // Distinct as names: 1 and '1' would be one class to encode().
    if (!Array.isArray(classes) || classes.length === 0 || new Set(classes.map(String)).size !== classes.length) {
      throw badOption('LabelEncoder', 'classes', 'classes must be a non-empty list of distinct names');
    }
    this.#index = new Map(classes.map((c, i) => [String(c), i]));
  }
  static fit(values: readonly (string | number)[]): LabelEncoder {
    return new LabelEncoder([...new Set(values.map(String))]);
  }
  encode(values: readonly (string | number)[]): Int32Array {
    return Int32Array.from(values, (v, i) => {
      const k = this.#index.get(String(v));
      if (k === undefined)
        throw badOption(
          'LabelEncoder.encode',
          'values',
          `unknown class ${JSON.stringify(v)} at position ${i}; known: ${this.classes.join(', ')}`,
        );
      return k;
    });
  }
  /**
   * The class name of each index.
   * @throws ArgumentError for an index that is not a class (it used to come back as a made-up name: 3 → '3').
   */
  decode(indices: ArrayLike<number>): string[] {
    return Array.from(indices, (k, i) => {
      if (Number.isInteger(k) && k >= 0 && k < this.classes.length) return this.classes[k];
      throw badOption(
        'LabelEncoder.decode',
        'indices',
        `index ${k} at position ${i} is not a class: the encoder has ${this.classes.length} (0 to ${this.classes.length - 1})`,
      );
    });
  }
}

/**
 * One-hot rows `[n, numClasses]` (float32) for integer class labels; a label outside
 * [0, numClasses) is an error naming its position.
 * @example oneHotLabels([2, 0], 3) // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHotLabels(labels: ArrayLike<number> | NDArray, numClasses: number): NDArray {
  const values = labels instanceof NDArray ? labels.data : labels;
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw badOption('oneHotLabels', 'numClasses', `'numClasses' must be a positive integer, got ${String(numClasses)}`);
  const out = allocate('float32', values.length * numClasses);
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses)
      throw badOption('oneHotLabels', 'labels', `label ${c} at position ${i} is not a class from 0 to ${numClasses - 1}`);
    out[i * numClasses + c] = 1;
  }
  return new NDArray(out, [values.length, numClasses]);
}
