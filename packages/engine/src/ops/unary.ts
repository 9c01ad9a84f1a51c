import * as T from '@backprop/tensor';
import { isGradEnabled } from '../mode.js';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { add, div, mul, neg, sub } from './arithmetic.js';
import { checkTensor, constant } from './util.js';

// Forward with a tensor kernel, derivative on the same line (the classic backprop table).

const twoOverSqrtPi = 2 / Math.sqrt(Math.PI);

function unary(op: string, x: Tensor, forward: (v: T.NDArray) => T.NDArray, vjp: (dy: Tensor, y: Tensor) => Tensor | null): Tensor {
  checkTensor(x, op);
  return record(op, [x], forward(x.value), (dy, y) => [vjp(dy, y)]);
}

/** |x|; d/dx = sign(x) (0 at 0). */
export const abs = (x: Tensor): Tensor => unary('abs', x, T.abs, (dy) => mul(dy, constant(T.sign(x.value))));
/** eˣ; d/dx = eˣ. */
export const exp = (x: Tensor): Tensor => unary('exp', x, T.exp, (dy, y) => mul(dy, y));
/** ln x; d/dx = 1/x. */
export const log = (x: Tensor): Tensor => unary('log', x, T.log, (dy) => div(dy, x));
/** ln(1 + x); d/dx = 1/(1 + x). */
export const log1p = (x: Tensor): Tensor => unary('log1p', x, T.log1p, (dy) => div(dy, add(x, 1)));
/** eˣ − 1; d/dx = eˣ = y + 1. */
export const expm1 = (x: Tensor): Tensor => unary('expm1', x, T.expm1, (dy, y) => mul(dy, add(y, 1)));
/** √x; d/dx = 1/(2√x). */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x, T.sqrt, (dy, y) => div(dy, mul(y, 2)));
/** x²; d/dx = 2x. */
export const square = (x: Tensor): Tensor => unary('square', x, T.square, (dy) => mul(dy, mul(x, 2)));
/** 1/x; d/dx = −1/x² = −y². */
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x, T.reciprocal, (dy, y) => neg(mul(dy, square(y))));
/** sin x; d/dx = cos x. */
export const sin = (x: Tensor): Tensor => unary('sin', x, T.sin, (dy) => mul(dy, cos(x)));
/** cos x; d/dx = −sin x. */
export const cos = (x: Tensor): Tensor => unary('cos', x, T.cos, (dy) => neg(mul(dy, sin(x))));
/** tanh x; d/dx = 1 − tanh² x (one fused kernel unless the backward itself is being recorded). */
export const tanh = (x: Tensor): Tensor =>
  unary('tanh', x, T.tanh, (dy, y) => (isGradEnabled() ? mul(dy, sub(1, square(y))) : constant(T.tanhGrad(dy.value, y.value))));
/** σ(x) = 1/(1 + e⁻ˣ); σ'(x) = σ(x)(1 − σ(x)) (one fused kernel unless the backward itself is being recorded). */
export const sigmoid = (x: Tensor): Tensor =>
  unary('sigmoid', x, T.sigmoid, (dy, y) => (isGradEnabled() ? mul(dy, mul(y, sub(1, y))) : constant(T.sigmoidGrad(dy.value, y.value))));
/** max(x, 0); d/dx = 1 where x > 0, else 0 (0 at x = 0, as PyTorch). */
export const relu = (x: Tensor): Tensor => unary('relu', x, T.relu, (dy) => reluGrad(dy, x));

/** dy · [x > 0] in one kernel pass; linear in dy, so its own backward is itself (double backward works). */
function reluGrad(dy: Tensor, x: Tensor): Tensor {
  return record('reluGrad', [dy], T.reluGrad(dy.value, x.value), (g) => [reluGrad(g, x)]);
}
/** erf x; d/dx = 2/√π · e^(−x²). */
export const erf = (x: Tensor): Tensor => unary('erf', x, T.erf, (dy) => mul(dy, mul(exp(neg(square(x))), twoOverSqrtPi)));
/** sign x (−1, 0, 1); its derivative is 0 wherever it exists. */
export const sign = (x: Tensor): Tensor => unary('sign', x, T.sign, () => null);
/** ⌊x⌋; derivative 0. */
export const floor = (x: Tensor): Tensor => unary('floor', x, T.floor, () => null);
/** ⌈x⌉; derivative 0. */
export const ceil = (x: Tensor): Tensor => unary('ceil', x, T.ceil, () => null);
/** Round half to even; derivative 0. */
export const round = (x: Tensor): Tensor => unary('round', x, T.round, () => null);

/** Limits x to [min, max]; the gradient passes where min ≤ x ≤ max (bounds included, as PyTorch). */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  checkTensor(x, 'clamp');
  const lo = min ?? Number.NEGATIVE_INFINITY;
  const hi = max ?? Number.POSITIVE_INFINITY;
  return record(
    'clamp',
    [x],
    T.clamp(x.value, min, max),
    (dy) => {
      const inside = T.mul(T.greaterEqual(x.value, lo), T.lessEqual(x.value, hi));
      return [mul(dy, constant(inside))];
    },
    { attrs: { min: lo, max: hi } },
  );
}
