import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { erf, roundHalfEven, sigmoid } from './scalar.js';

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
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]);
      return;
    case 'relu':
      // x > 0 ? x : 0 keeps NaN as NaN (a NaN comparison is false only on the other branch).
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 || v !== v ? v : 0;
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

/** One row of a binary op: `out[o + j] = op(a[ai + j·as], b[bi + j·bs])` for `j < n`. */
function binaryRow(
  op: BinaryOp,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  out: TypedArray,
  o: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] + b[bi + j * bs];
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] - b[bi + j * bs];
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] * b[bi + j * bs];
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] / b[bi + j * bs];
      return;
    case 'pow':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] ** b[bi + j * bs];
      return;
    case 'maximum':
      // NaN propagates, as in NumPy and PyTorch.
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x > y || x !== x ? x : y;
      }
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x < y || x !== x ? x : y;
      }
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] === b[bi + j * bs] ? 1 : 0;
      return;
    case 'ne':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] !== b[bi + j * bs] ? 1 : 0;
      return;
    case 'lt':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] < b[bi + j * bs] ? 1 : 0;
      return;
    case 'le':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] <= b[bi + j * bs] ? 1 : 0;
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] > b[bi + j * bs] ? 1 : 0;
      return;
    case 'ge':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] >= b[bi + j * bs] ? 1 : 0;
      return;
  }
}

/**
 * Calls `row(offsets…, rowStart)` once per innermost row of `shape`, walking the outer dimensions
 * with an odometer. Operand offsets advance by their strides; the output is contiguous.
 */
function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  row: (offsets: number[], outOffset: number, length: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    row(
      strides.map(() => 0),
      0,
      1,
    );
    return;
  }
  const length = shape[nd - 1];
  const rows = length === 0 ? 0 : shape.reduce((p, d) => p * d, 1) / length;
  const counter = new Array<number>(nd - 1).fill(0);
  const offsets = strides.map(() => 0);
  for (let r = 0; r < rows; r++) {
    row(offsets, r * length, length);
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
  const last = shape.length - 1;
  const as = aStrides[last];
  const bs = bStrides[last];
  forEachRow(shape, [aStrides, bStrides], (offsets, o, length) => {
    binaryRow(op, a, offsets[0], as, b, offsets[1], bs, out, o, length);
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
  const last = shape.length - 1;
  const cs = last < 0 ? 0 : condStrides[last];
  const as = last < 0 ? 0 : aStrides[last];
  const bs = last < 0 ? 0 : bStrides[last];
  forEachRow(shape, [condStrides, aStrides, bStrides], (offsets, o, length) => {
    const [ci, ai, bi] = offsets;
    for (let j = 0; j < length; j++) out[o + j] = cond[ci + j * cs] !== 0 ? a[ai + j * as] : b[bi + j * bs];
  });
}

export { forEachRow };
