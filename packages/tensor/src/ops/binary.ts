import type { BinaryOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { type DType, floatingOf, promoteTypes } from '../dtype.js';
import { NDArray } from '../ndarray.js';
import { broadcastShapes, broadcastStrides, sameShape } from '../shape.js';
import { type ArrayOrScalar, astype, checkArray, empty, toArray } from './util.js';

const comparisons = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
// Strides of a flat operand (kernels never write to their stride arguments).
const unit: readonly number[] = [1];
const zero: readonly number[] = [0];

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

/** True if `small` equals the last dimensions of the longer `big` (so it repeats along the rest). */
function trailing(small: readonly number[], big: readonly number[]): boolean {
  const offset = big.length - small.length;
  if (offset <= 0) return false;
  for (let i = 0; i < small.length; i++) if (small[i] !== big[offset + i]) return false;
  return true;
}

/**
 * Applies a binary kernel with NumPy broadcasting. Comparisons return int32 masks (1 or 0);
 * `div` and `pow` of integers return float32.
 */
export function applyBinary(op: BinaryOp, a: ArrayOrScalar, b: ArrayOrScalar): NDArray {
  // The most common call of all: two float arrays of one dtype and shape.
  if (a instanceof NDArray && b instanceof NDArray && a.dtype === b.dtype && a.dtype !== 'int32' && sameShape(a.shape, b.shape)) {
    const out = empty(comparisons.has(op) ? 'int32' : a.dtype, a.shape);
    getBackend().binary(op, a.data, unit, b.data, unit, out.data, [a.size]);
    return out;
  }
  let dtype = operandType(a, b, op);
  if ((op === 'div' || op === 'pow') && dtype === 'int32') dtype = floatingOf(dtype);
  const x = astype(toArray(a, dtype, op, 'a'), dtype);
  const y = astype(toArray(b, dtype, op, 'b'), dtype);
  const outType = comparisons.has(op) ? 'int32' : dtype;
  // Fast paths for the common layouts (same shape, or a one-element operand): one flat row, no
  // broadcast bookkeeping — for tiny tensors that bookkeeping costs more than the arithmetic.
  if (sameShape(x.shape, y.shape) || (y.size === 1 && y.shape.length <= x.shape.length)) {
    const out = empty(outType, x.shape);
    getBackend().binary(op, x.data, unit, y.data, y.size === x.size ? unit : zero, out.data, [x.size]);
    return out;
  }
  if (x.size === 1 && x.shape.length <= y.shape.length) {
    const out = empty(outType, y.shape);
    getBackend().binary(op, x.data, zero, y.data, unit, out.data, [y.size]);
    return out;
  }
  // One operand repeating along the leading dimensions of the other (a bias row): rows × columns.
  const yRepeats = trailing(y.shape, x.shape);
  if (yRepeats || trailing(x.shape, y.shape)) {
    const [big, small] = yRepeats ? [x, y] : [y, x];
    const columns = small.size;
    const rows = columns === 0 ? 0 : big.size / columns;
    const out = empty(outType, big.shape);
    const [sx, sy] =
      big === x
        ? [
            [columns, 1],
            [0, 1],
          ]
        : [
            [0, 1],
            [columns, 1],
          ];
    getBackend().binary(op, x.data, sx, y.data, sy, out.data, [rows, columns]);
    return out;
  }
  const shape = broadcastShapes(op, x.shape, y.shape);
  const out = empty(outType, shape);
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
 * The gradient passed back through a sigmoid whose output is `y`: `gradient · y(1 − y)`, in one pass.
 * @example sigmoidGrad(array([1, 1]), array([0.5, 0.25])) // [0.25, 0.1875]
 */
export const sigmoidGrad = (gradient: ArrayOrScalar, y: ArrayOrScalar): NDArray => applyBinary('sigmoidGrad', gradient, y);

/**
 * The gradient passed back through a tanh whose output is `y`: `gradient · (1 − y²)`, in one pass.
 * @example tanhGrad(array([1, 1]), array([0, 0.5])) // [1, 0.75]
 */
export const tanhGrad = (gradient: ArrayOrScalar, y: ArrayOrScalar): NDArray => applyBinary('tanhGrad', gradient, y);

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
