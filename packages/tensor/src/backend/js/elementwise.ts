import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { binaryRow } from './binary-rows.js';
import { erf, roundHalfEven } from './scalar.js';

/** `out[i] = op(x[i])`, one tight loop per op. */
export function unary(op: UnaryOp, x: TypedArray, out: TypedArray, p0 = 0, p1 = 0): void {
  const n = x.length;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case 'log1p':
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]);
      return;
    case 'expm1':
      for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      return;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i];
      return;
    case 'sin':
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
      return;
    case 'cos':
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case 'sigmoid':
      // The logistic function, stable for large |x|, written out in the loop: small networks run
      // it mostly before V8 optimizes it, when a call per element costs more than the arithmetic.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      return;
    case 'relu':
      if (x instanceof Float32Array && out instanceof Float32Array) reluFloat32(x, out);
      else {
        // x > 0 ? x : 0 keeps NaN as NaN (a NaN comparison is false only on the other branch).
        for (let i = 0; i < n; i++) {
          const v = x[i];
          out[i] = v > 0 || v !== v ? v : 0;
        }
      }
      return;
    case 'sign':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : Number.NaN;
      }
      return;
    case 'floor':
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]);
      return;
    case 'ceil':
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]);
      return;
    case 'round':
      for (let i = 0; i < n; i++) out[i] = roundHalfEven(x[i]);
      return;
    case 'erf':
      for (let i = 0; i < n; i++) out[i] = erf(x[i]);
      return;
    case 'pow':
      if (p0 === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] ** p0;
      return;
    case 'clamp':
      // NaN stays NaN: both comparisons are false.
      for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(x[i], p0), p1);
      return;
  }
}

/**
 * ReLU of float32 values on their bit patterns, without a branch (a `v > 0 ? v : 0` branch
 * mispredicts on every other element of random data, which made it 7× slower): a value is kept
 * when its sign bit is clear or it is a NaN, else it becomes +0. Same results as the float64 loop.
 */
function reluFloat32(x: Float32Array, out: Float32Array): void {
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    const keep = +(b > 0) | +((b & 0x7fffffff) > 0x7f800000);
    outBits[i] = b & -keep;
  }
}

/**
 * Merges neighbouring dimensions that every operand walks as one (stride of the outer = stride of
 * the inner × its length) and drops dimensions of length 1, so e.g. a `[64, 8, 26, 26]` array
 * plus a per-channel `[8, 1, 1]` bias becomes 512 rows of 676 with a broadcast scalar each.
 */
function coalesce(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const merged: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    let joins = last >= 0;
    for (let s = 0; s < strides.length && joins; s++) joins = merged[s][last] === strides[s][d] * shape[d];
    if (joins) {
      dims[last] *= shape[d];
      for (let s = 0; s < strides.length; s++) merged[s][last] = strides[s][d];
    } else {
      dims.push(shape[d]);
      for (let s = 0; s < strides.length; s++) merged[s].push(strides[s][d]);
    }
  }
  return { shape: dims, strides: merged };
}

/**
 * Calls `row(offsets…, rowStart)` once per innermost row of `shape` (after merging the
 * dimensions all operands walk alike), walking the outer dimensions with an odometer. Operand
 * offsets advance by their strides; the output is contiguous.
 */
function forEachRow(
  fullShape: Shape,
  fullStrides: readonly (readonly number[])[],
  row: (offsets: number[], outOffset: number, length: number, innerStrides: number[]) => void,
): void {
  for (const d of fullShape) if (d === 0) return;
  const { shape, strides } = coalesce(fullShape, fullStrides);
  const nd = shape.length;
  if (nd === 0) {
    const zeros = strides.map(() => 0);
    row(zeros, 0, 1, zeros);
    return;
  }
  const length = shape[nd - 1];
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= shape[d];
  const counter = new Array<number>(nd - 1).fill(0);
  const offsets = strides.map(() => 0);
  const inner = strides.map((s) => s[nd - 1]);
  for (let r = 0; r < rows; r++) {
    row(offsets, r * length, length, inner);
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]++;
      for (let s = 0; s < strides.length; s++) offsets[s] += strides[s][d];
      if (counter[d] < shape[d]) break;
      for (let s = 0; s < strides.length; s++) offsets[s] -= strides[s][d] * shape[d];
      counter[d] = 0;
    }
  }
}

function isContiguous(strides: readonly number[], shape: Shape): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

function isBroadcastScalar(strides: readonly number[]): boolean {
  for (const s of strides) if (s !== 0) return false;
  return true;
}

/** `out = op(a, b)` with broadcasting by strides; flat fast paths for the common layouts. */
export function binary(
  op: BinaryOp,
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  out: TypedArray,
  shape: Shape,
): void {
  const n = out.length;
  if (shape.length === 1) {
    binaryRow(op, a, 0, aStrides[0], b, 0, bStrides[0], out, 0, n);
    return;
  }
  const aFlat = isContiguous(aStrides, shape);
  const bFlat = isContiguous(bStrides, shape);
  if (aFlat && (bFlat || isBroadcastScalar(bStrides))) {
    binaryRow(op, a, 0, 1, b, 0, bFlat ? 1 : 0, out, 0, n);
    return;
  }
  if (bFlat && isBroadcastScalar(aStrides)) {
    binaryRow(op, a, 0, 0, b, 0, 1, out, 0, n);
    return;
  }
  if (shape.length === 2) {
    // Rows of a matrix (e.g. a bias row added to every row): no odometer, no callback.
    const [rows, length] = shape;
    for (let r = 0; r < rows; r++) {
      binaryRow(op, a, r * aStrides[0], aStrides[1], b, r * bStrides[0], bStrides[1], out, r * length, length);
    }
    return;
  }
  forEachRow(shape, [aStrides, bStrides], (offsets, o, length, inner) => {
    binaryRow(op, a, offsets[0], inner[0], b, offsets[1], inner[1], out, o, length);
  });
}

/** `out = cond != 0 ? a : b` with broadcasting by strides. */
export function where(
  cond: TypedArray,
  condStrides: readonly number[],
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  out: TypedArray,
  shape: Shape,
): void {
  forEachRow(shape, [condStrides, aStrides, bStrides], (offsets, o, length, inner) => {
    const [ci, ai, bi] = offsets;
    const [cs, as, bs] = inner;
    for (let j = 0; j < length; j++) out[o + j] = cond[ci + j * cs] !== 0 ? a[ai + j * as] : b[bi + j * bs];
  });
}

export { coalesce, forEachRow };
