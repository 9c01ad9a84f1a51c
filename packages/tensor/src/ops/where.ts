import { getBackend } from '../backend/registry.js';
import { promoteTypes } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { broadcastShapes, broadcastStrides } from '../shape.js';
import { type ArrayOrScalar, astype, checkArray, empty, toArray } from './util.js';

/**
 * Picks `a` where `condition` is non-zero and `b` elsewhere; all three broadcast.
 * @example where(greater(x, 0), x, 0) // relu
 */
export function where(condition: NDArray, a: ArrayOrScalar, b: ArrayOrScalar): NDArray {
  checkArray(condition, 'where', 'condition');
  const dtype =
    typeof a === 'number' && typeof b === 'number'
      ? 'float32'
      : typeof a === 'number'
        ? checkArray(b, 'where', 'b').dtype
        : typeof b === 'number'
          ? checkArray(a, 'where', 'a').dtype
          : promoteTypes(checkArray(a, 'where', 'a').dtype, checkArray(b, 'where', 'b').dtype);
  const x = astype(toArray(a, dtype, 'where', 'a'), dtype);
  const y = astype(toArray(b, dtype, 'where', 'b'), dtype);
  const shape = broadcastShapes('where', condition.shape, x.shape, y.shape);
  const out = empty(dtype, shape);
  getBackend().where(
    condition.data,
    broadcastStrides(condition.shape, shape),
    x.data,
    broadcastStrides(x.shape, shape),
    y.data,
    broadcastStrides(y.shape, shape),
    out.data,
    shape,
  );
  return out;
}
