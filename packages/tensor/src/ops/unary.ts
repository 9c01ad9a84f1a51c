import type { UnaryOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { type DType, floatingOf } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { checkArray, checkFinite, empty } from './util.js';

/** Ops that keep an int32 input int32; every other unary op returns floats. */
const integerSafe = new Set<UnaryOp>(['neg', 'abs', 'square', 'sign', 'relu', 'floor', 'ceil', 'round', 'clamp']);

/** Applies a unary kernel to `x`, returning a new array. */
export function applyUnary(op: UnaryOp, x: NDArray, p0?: number, p1?: number): NDArray {
  checkArray(x, op);
  const dtype: DType = x.dtype === 'int32' && !integerSafe.has(op) ? floatingOf(x.dtype) : x.dtype;
  const out = empty(dtype, x.shape);
  if (dtype === x.dtype) getBackend().unary(op, x.data, out.data, p0, p1);
  else {
    out.data.set(x.data);
    getBackend().unary(op, out.data, out.data, p0, p1);
  }
  return out;
}

/** −x. @example neg(array([1, -2])) // [-1, 2] */
export const neg = (x: NDArray): NDArray => applyUnary('neg', x);
/** |x|. */
export const abs = (x: NDArray): NDArray => applyUnary('abs', x);
/** eˣ. */
export const exp = (x: NDArray): NDArray => applyUnary('exp', x);
/** Natural logarithm (−Infinity at 0, NaN below). */
export const log = (x: NDArray): NDArray => applyUnary('log', x);
/** log(1 + x), accurate for small x. */
export const log1p = (x: NDArray): NDArray => applyUnary('log1p', x);
/** eˣ − 1, accurate for small x. */
export const expm1 = (x: NDArray): NDArray => applyUnary('expm1', x);
/** √x. */
export const sqrt = (x: NDArray): NDArray => applyUnary('sqrt', x);
/** x². */
export const square = (x: NDArray): NDArray => applyUnary('square', x);
/** 1/x. */
export const reciprocal = (x: NDArray): NDArray => applyUnary('reciprocal', x);
/** sin x (radians). */
export const sin = (x: NDArray): NDArray => applyUnary('sin', x);
/** cos x (radians). */
export const cos = (x: NDArray): NDArray => applyUnary('cos', x);
/** Hyperbolic tangent. */
export const tanh = (x: NDArray): NDArray => applyUnary('tanh', x);
/** The logistic function σ(x) = 1 / (1 + e⁻ˣ), stable for large |x|. */
export const sigmoid = (x: NDArray): NDArray => applyUnary('sigmoid', x);
/** max(x, 0). */
export const relu = (x: NDArray): NDArray => applyUnary('relu', x);
/** −1, 0 or 1 by the sign of x (NaN stays NaN). */
export const sign = (x: NDArray): NDArray => applyUnary('sign', x);
/** Largest integer ≤ x. */
export const floor = (x: NDArray): NDArray => applyUnary('floor', x);
/** Smallest integer ≥ x. */
export const ceil = (x: NDArray): NDArray => applyUnary('ceil', x);
/** Nearest integer, halves to even (as NumPy and PyTorch): round(2.5) = 2. */
export const round = (x: NDArray): NDArray => applyUnary('round', x);
/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. */
export const erf = (x: NDArray): NDArray => applyUnary('erf', x);

/**
 * Limits every element to `[min, max]`; either bound may be omitted (`undefined`).
 * @example clamp(array([-2, 0.5, 3]), 0, 1) // [0, 0.5, 1]
 */
export function clamp(x: NDArray, min?: number, max?: number): NDArray {
  const lo = min === undefined ? Number.NEGATIVE_INFINITY : checkBound(min, 'min');
  const hi = max === undefined ? Number.POSITIVE_INFINITY : checkBound(max, 'max');
  if (lo > hi) throw new ArgumentError(`clamp: min ${lo} is greater than max ${hi}`, { where: 'clamp', argument: 'min' });
  return applyUnary('clamp', x, lo, hi);
}

function checkBound(value: number, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) checkFinite(value, 'clamp', name);
  return value;
}
