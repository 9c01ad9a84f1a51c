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

/**
 * Allocates a zero-filled typed array of `dtype` with `length` elements.
 *
 * Small arrays (over 64 bytes, up to 4 KiB) are views into a shared 64 KiB `ArrayBuffer`, each
 * piece handed out once: an array of its own costs V8 a separately allocated backing store,
 * which on small networks takes longer than the op's arithmetic (1–5 µs against ~0.1 µs), so an
 * array's `.buffer` may hold other arrays' values: read it through `byteOffset` and
 * `byteLength`, as with Node's pooled `Buffer`s. Arrays up to 64 bytes live in V8's heap, and
 * larger ones have a buffer of their own.
 */
export function allocate<D extends DType>(dtype: D, length: number): DTypeArrayMap[D] {
  // Nearly every op's output comes through here, so the common case is kept small (V8 inlines it
  // into every caller it optimizes): a float array that V8 keeps in its heap (≤ 64 bytes, where
  // allocating cannot fail). Each constructor is named, not looked up in a table: V8 then
  // allocates without a generic construct call.
  if (length >= 0) {
    if (dtype === 'float32' && length <= 16) return new Float32Array(length) as DTypeArrayMap[D];
    if (dtype === 'float64' && length <= 8) return new Float64Array(length) as DTypeArrayMap[D];
  }
  return allocateLarger(dtype, length);
}

/**
 * The largest array `allocate` hands out as a piece of a shared buffer, and that buffer's size
 * (bytes). Larger pieces did not pay (W2 and W6 of apps/bench, interleaved runs): up to 64 KiB in
 * 1 MiB buffers made W2 17% slower; up to 16 KiB in these 64 KiB buffers left W6 as it was (1.61
 * against 1.60 s) and W2 7% slower.
 */
const largestPiece = 4096;
const slabBytes = 65536;
let slab: ArrayBuffer | null = null;
let slabUsed = slabBytes;

/** `allocate` past V8's in-heap size: a piece of the shared buffer, or an array of its own. */
function allocateLarger<D extends DType>(dtype: D, length: number): DTypeArrayMap[D] {
  const bytes = length * constructors[dtype].BYTES_PER_ELEMENT;
  if (length < 0 || bytes <= 64 || bytes > largestPiece) return allocateChecked(dtype, length);
  // Pieces start at multiples of 8 bytes, so every dtype's view is aligned. The buffer's bytes
  // are zero when it is made, and each piece is handed out once.
  const size = (bytes + 7) & ~7;
  if (slab === null || slabUsed + size > slabBytes) {
    slab = new ArrayBuffer(slabBytes);
    slabUsed = 0;
  }
  const offset = slabUsed;
  slabUsed += size;
  return new constructors[dtype](slab, offset, length) as DTypeArrayMap[D];
}

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
