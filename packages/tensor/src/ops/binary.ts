import type { BinaryOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { type DType, floatingOf, promoteTypes } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { broadcastShapes, broadcastStrides } from '../shape.js';
import { type ArrayOrScalar, astype, checkArray, empty, toArray } from './util.js';

const comparisons = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** The dtype of `a op b` before the op: the promoted type, with a plain number adopting the array's. */
function operandType(a: ArrayOrScalar, b: ArrayOrScalar, op: string): DType {
  if (typeof a === 'number' && typeof b === 'number') return 'float32';
  if (typeof a === 'number') {
    const bt = checkArray(b, op, 'b').dtype;
    return bt === 'int32' && !Number.isInteger(a) ? 'float32' : bt;
  }
  if (typeof b === 'number') {
    const at = checkArray(a, op, 'a').dtype;
    return at === 'int32' && !Number.isInteger(b) ? 'float32' : at;
  }
  return promoteTypes(checkArray(a, op, 'a').dtype, checkArray(b, op, 'b').dtype);
}

/**
 * Applies a binary kernel with NumPy broadcasting. Comparisons return int32 masks (1 or 0);
 * `div` and `pow` of integers return float32.
 */
export function applyBinary(op: BinaryOp, a: ArrayOrScalar, b: ArrayOrScalar): NDArray {
  let dtype = operandType(a, b, op);
  if ((op === 'div' || op === 'pow') && dtype === 'int32') dtype = floatingOf(dtype);
  const x = astype(toArray(a, dtype, op, 'a'), dtype);
  const y = astype(toArray(b, dtype, op, 'b'), dtype);
  const shape = broadcastShapes(op, x.shape, y.shape);
  const out = empty(comparisons.has(op) ? 'int32' : dtype, shape);
  getBackend().binary(op, x.data, broadcastStrides(x.shape, shape), y.data, broadcastStrides(y.shape, shape), out.data, shape);
  return out;
}

/** a + b, broadcast. @example add(array([[1], [2]]), array([10, 20])) // [[11, 21], [12, 22]] */
export const add = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('add', a, b);
/** a − b, broadcast. */
export const sub = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('sub', a, b);
/** a · b element-wise, broadcast. */
export const mul = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('mul', a, b);
/** a / b element-wise, broadcast (true division: integers give float32). */
export const div = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('div', a, b);
/** The larger of a and b element-wise (NaN propagates). */
export const maximum = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('maximum', a, b);
/** The smaller of a and b element-wise (NaN propagates). */
export const minimum = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('minimum', a, b);
/** 1 where a = b, else 0 (int32). */
export const equal = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('eq', a, b);
/** 1 where a ≠ b, else 0 (int32). */
export const notEqual = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('ne', a, b);
/** 1 where a < b, else 0 (int32). */
export const less = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('lt', a, b);
/** 1 where a ≤ b, else 0 (int32). */
export const lessEqual = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('le', a, b);
/** 1 where a > b, else 0 (int32). */
export const greater = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('gt', a, b);
/** 1 where a ≥ b, else 0 (int32). */
export const greaterEqual = (a: ArrayOrScalar, b: ArrayOrScalar): NDArray => applyBinary('ge', a, b);

/**
 * The gradient `gradient` passed back through a ReLU of `x`: `gradient · [x > 0]`, in one pass
 * (0 where x ≤ 0 or is NaN; a NaN or infinite gradient times 0 stays NaN, as in the product).
 * @example reluGrad(array([5, 5, 5]), array([-1, 0, 2])) // [0, 0, 5]
 */
export const reluGrad = (gradient: ArrayOrScalar, x: ArrayOrScalar): NDArray => applyBinary('reluGrad', gradient, x);

/**
 * aᵇ element-wise. A number exponent takes a fast path (x² is computed as x·x).
 * @example pow(array([1, 2, 3]), 2) // [1, 4, 9]
 */
export function pow(a: ArrayOrScalar, b: ArrayOrScalar): NDArray {
  if (typeof b === 'number' && typeof a !== 'number') {
    const x = checkArray(a, 'pow', 'a');
    const dtype = x.dtype === 'int32' ? 'float32' : x.dtype;
    const base = astype(x, dtype);
    const out = empty(dtype, x.shape);
    getBackend().unary('pow', base.data, out.data, b);
    return out;
  }
  return applyBinary('pow', a, b);
}
