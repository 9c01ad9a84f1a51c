import { type DType, type DTypeArrayMap, dtypeOf, type TypedArray } from './dtype.js';
import { ArgumentError, formatShape, ShapeError } from './errors.js';
import { formatArray } from './format.js';
import { checkedSizeOf, checkShape, type Shape, sizeOf } from './shape.js';

/** The error of a constructor call whose shape is invalid or does not match its data. */
function badArray(data: TypedArray, shape: Shape): Error {
  checkShape(shape, 'NDArray');
  return new ShapeError(`NDArray: data has ${data.length} elements but shape ${formatShape(shape)} needs ${sizeOf(shape)}`, {
    where: 'NDArray',
    shapes: [shape],
  });
}

/** Nested JavaScript arrays of numbers, as `toArray()` returns them. */
export type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array: a contiguous row-major typed array and a shape. NDArrays are treated
 * as immutable by every function of this package (each returns a new array).
 *
 * @example
 * const a = new NDArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * a.toArray(); // [[1, 2], [3, 4]]
 */
export class NDArray<D extends DType = DType> {
  // The fields are `declare`d and set only by the constructor: without an initializer step, an
  // array costs less to make — small networks make millions of them.
  /**
   * The flat, row-major element storage. Arrays made by ops may be views into a buffer shared
   * with other small arrays (see `allocate`): to read its bytes, use
   * `new Uint8Array(data.buffer, data.byteOffset, data.byteLength)`, not the whole `data.buffer`.
   */
  declare readonly data: DTypeArrayMap[D];
  /** The dimensions, outermost first. */
  declare readonly shape: readonly number[];
  /** The element type. */
  declare readonly dtype: D;
  /** Total number of elements. */
  declare readonly size: number;

  /**
   * Wraps `data` (not copied) with `shape`.
   * @throws ShapeError if `data.length` is not the product of `shape`.
   */
  constructor(data: DTypeArrayMap[D], shape: Shape, /** @internal see {@link wrapChecked} */ checked?: true) {
    this.data = data;
    this.dtype = dtypeOf(data as TypedArray) as D;
    if (checked === true) {
      this.shape = shape;
      this.size = data.length;
      return;
    }
    // One pass over the shape; the errors are built out of line (this runs for every op's output).
    const size = checkedSizeOf(shape);
    if (size < 0 || data.length !== size) throw badArray(data, shape);
    // A private copy (typed readonly; not frozen: Object.freeze cost more than the rest of the
    // constructor, and small networks create millions of arrays).
    this.shape = shape.slice();
    this.size = size;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The elements as nested JavaScript arrays (a plain number for a scalar). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = this.shape[dim];
      const inner = stride / n;
      const out: NestedArray[] = new Array(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[offset + i];
      } else {
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  /** The single element of a one-element array. */
  item(): number {
    if (this.size !== 1) {
      throw new ArgumentError(`item: only a one-element array can be converted to a number, got shape ${formatShape(this.shape)}`, {
        where: 'item',
      });
    }
    return this.data[0];
  }

  /** A readable rendering, summarised with `...` for large arrays. */
  toString(): string {
    return `array(${formatArray(this.data, this.shape)}, dtype=${this.dtype})`;
  }
}

/** True if `value` is an NDArray (also from another copy of this package). */
export function isNDArray(value: unknown): value is NDArray {
  return (
    value instanceof NDArray ||
    (typeof value === 'object' && value !== null && 'data' in value && 'shape' in value && 'dtype' in value && 'size' in value)
  );
}

/**
 * @internal An NDArray of `data` and `shape` that the caller has already checked: `shape` is a
 * valid shape whose product is `data.length`, and it is a fresh array (or one no one mutates: it
 * is kept, not copied). For the engine's tiny-tensor paths, where an op's output costs its
 * bookkeeping rather than its arithmetic and V8 compiles the constructor's checks into every op.
 */
export function wrapChecked<D extends DType>(data: DTypeArrayMap[D], shape: readonly number[]): NDArray<D> {
  return new NDArray(data, shape, true);
}
