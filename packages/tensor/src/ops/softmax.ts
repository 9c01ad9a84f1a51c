import { getBackend } from '../backend/registry.js';
import { floatingOf } from '../dtype.js';
import type { NDArray } from '../ndarray.js';
import { normalizeAxis } from '../shape.js';
import { reshape } from './reshape.js';
import { astype, checkArray, empty } from './util.js';

function applySoftmax(x: NDArray, axis: number, log: boolean): NDArray {
  const op = log ? 'logSoftmax' : 'softmax';
  checkArray(x, op);
  const xf = astype(x, floatingOf(x.dtype));
  if (x.ndim === 0) return reshape(applySoftmax(reshape(xf, [1]), 0, log), []);
  const a = normalizeAxis(axis, x.ndim, op);
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const out = empty(xf.dtype, x.shape);
  getBackend().softmax(xf.data, outer, x.shape[a], inner, out.data, log);
  return out;
}

/**
 * exp(x) / Σ exp(x) along `axis` (default: the last), computed stably.
 * @example softmax(array([1, 2, 3])) // [0.09, 0.2447, 0.6652]
 */
export function softmax(x: NDArray, axis = -1): NDArray {
  return applySoftmax(x, axis, false);
}

/** log(softmax(x)) along `axis`, computed as x − logΣexp(x) (no log of a rounded-to-zero probability). */
export function logSoftmax(x: NDArray, axis = -1): NDArray {
  return applySoftmax(x, axis, true);
}
