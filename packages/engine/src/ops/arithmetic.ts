import * as T from '@backprop/tensor';
import { record } from '../record.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { where } from './indexing.js';
import { fitTo } from './shape.js';
import { log } from './unary.js';
import { checkTensor, constant, operands } from './util.js';

// Each op: forward with a tensor kernel, backward (VJP) with engine ops, side by side.
// Broadcasting is undone by fitTo (sum over broadcast axes, then the input's dtype).

/** a + b with broadcasting. d/da = 1, d/db = 1. @example x.add(1) */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'add');
  return record('add', [x, y], T.add(x.value, y.value), (dy) => [fitTo(dy, x), fitTo(dy, y)]);
}

/** a − b with broadcasting. d/da = 1, d/db = −1. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'sub');
  return record('sub', [x, y], T.sub(x.value, y.value), (dy) => [fitTo(dy, x), y.requiresGrad ? fitTo(neg(dy), y) : null]);
}

/** a · b element-wise with broadcasting. d/da = b, d/db = a. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'mul');
  return record('mul', [x, y], T.mul(x.value, y.value), (dy) => [
    x.requiresGrad ? fitTo(mul(dy, y), x) : null,
    y.requiresGrad ? fitTo(mul(dy, x), y) : null,
  ]);
}

/** a / b element-wise with broadcasting. d/da = 1/b, d/db = −a/b² = −(a/b)/b. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'div');
  return record('div', [x, y], T.div(x.value, y.value), (dy, out) => [
    x.requiresGrad ? fitTo(div(dy, y), x) : null,
    y.requiresGrad ? fitTo(neg(div(mul(dy, out), y)), y) : null,
  ]);
}

/** −x. */
export function neg(x: Tensor): Tensor {
  checkTensor(x, 'neg');
  return record('neg', [x], T.neg(x.value), (dy) => [neg(dy)]);
}

/**
 * aᵇ. With a number exponent: d/da = b·a^(b−1). With a tensor exponent also d/db = aᵇ·ln a
 * (taken as 0 where a = 0, as PyTorch does).
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') {
    const [x] = operands(a, b, 'pow');
    const p = b;
    return record('pow', [x], T.pow(x.value, p), (dy) => [p === 0 ? null : mul(dy, mul(pow(x, p - 1), p))], { attrs: { exponent: p } });
  }
  const [x, y] = operands(a, b, 'pow');
  return record('pow', [x, y], T.pow(x.value, y.value), (dy, out) => [
    x.requiresGrad ? fitTo(mul(dy, mul(y, pow(x, sub(y, 1)))), x) : null,
    y.requiresGrad ? fitTo(mul(dy, where(constant(T.equal(x.value, 0)), 0, mul(out, log(x)))), y) : null,
  ]);
}

/** Where a and b tie, each gets half of the gradient (as PyTorch). */
function tieSplit(dy: Tensor, x: Tensor, y: Tensor, wins: T.NDArray): [Tensor, Tensor] {
  const ties = T.equal(x.value, y.value);
  const toX = constant(T.add(wins, T.mul(ties, 0.5)));
  const toY = constant(T.sub(1, toX.value));
  return [mul(dy, toX), mul(dy, toY)];
}

/** The larger of a and b element-wise; the gradient goes to the larger (split evenly on ties). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'maximum');
  return record('maximum', [x, y], T.maximum(x.value, y.value), (dy) => {
    const [gx, gy] = tieSplit(dy, x, y, T.greater(x.value, y.value));
    return [fitTo(gx, x), fitTo(gy, y)];
  });
}

/** The smaller of a and b element-wise; the gradient goes to the smaller (split evenly on ties). */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b, 'minimum');
  return record('minimum', [x, y], T.minimum(x.value, y.value), (dy) => {
    const [gx, gy] = tieSplit(dy, x, y, T.less(x.value, y.value));
    return [fitTo(gx, x), fitTo(gy, y)];
  });
}
