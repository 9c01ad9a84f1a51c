import { ArgumentError, DTypeError } from './errors.js';

/** Element types: `float32` (default), `float64` (gradient checks, precision), `int32` (labels, indices). */
export type DType = 'float32' | 'float64' | 'int32';

/** The typed array that stores each dtype. */
export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
}

/** Any of the typed arrays a tensor can be stored in. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

const constructors = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;
const rank: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** True if `value` names a supported dtype. */
export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'float64' || value === 'int32';
}

/** Throws a `DTypeError` naming `op` unless `value` is a supported dtype. */
export function checkDType(value: unknown, op: string): DType {
  if (!isDType(value)) {
    throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(value)}; expected 'float32', 'float64' or 'int32'`, {
      where: op,
    });
  }
  return value;
}

/** Allocates a zero-filled typed array of `dtype` with `length` elements. */
export function allocate<D extends DType>(dtype: D, length: number): DTypeArrayMap[D] {
  // Nearly every op's output comes through here, so the common case is kept small (V8 inlines it
  // into every caller it optimizes): a float array short enough that allocating it cannot fail.
  // Each constructor is named, not looked up in a table: V8 then allocates without a generic
  // construct call.
  if (length >= 0 && length <= smallArray) {
    if (dtype === 'float32') return new Float32Array(length) as DTypeArrayMap[D];
    if (dtype === 'float64') return new Float64Array(length) as DTypeArrayMap[D];
  }
  return allocateChecked(dtype, length);
}

/** Arrays up to this many elements are allocated without the checks of `allocateChecked`. */
const smallArray = 4096;

/** `allocate` for every other case: large lengths and int32, with errors that name the request. */
function allocateChecked<D extends DType>(dtype: D, length: number): DTypeArrayMap[D] {
  if (length > maxElements) {
    throw new ArgumentError(`allocate: ${length} elements is more than the ${maxElements} one array can hold`, {
      where: 'allocate',
      argument: 'shape',
    });
  }
  try {
    return new constructors[dtype](length) as DTypeArrayMap[D];
  } catch (error) {
    throw new ArgumentError(`allocate: could not allocate ${length} ${dtype} elements`, {
      where: 'allocate',
      argument: 'shape',
      cause: error,
    });
  }
}

/** The most elements one array may have (2³¹ − 1: every index fits an int32). */
export const maxElements = 2 ** 31 - 1;

/** The dtype stored by a typed array. */
export function dtypeOf(array: TypedArray): DType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  return 'int32';
}

/** The result dtype of combining two dtypes: int32 < float32 < float64 (like PyTorch's promotion). */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/** True for float32 and float64. */
export function isFloating(dtype: DType): boolean {
  return dtype !== 'int32';
}

/** The dtype that float-valued functions (exp, log, division) return: int32 becomes float32. */
export function floatingOf(dtype: DType): 'float32' | 'float64' {
  return dtype === 'float64' ? 'float64' : 'float32';
}
