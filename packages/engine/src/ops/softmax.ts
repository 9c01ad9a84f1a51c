import * as T from '@backprop/tensor';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { mul, sub } from './arithmetic.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';
import { checkTensor } from './util.js';

/** The axis of a row sum in the backward: a 0-d input is one row of one element. */
const rowAxis = (x: Tensor, axis: number) => (x.ndim === 0 ? undefined : axis);

/** softmax along `axis` (stable). VJP: y ⊙ (dy − Σ(dy ⊙ y)). */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor(x, 'softmax');
  const along = rowAxis(x, axis);
  return record('softmax', [x], T.softmax(x.value, axis), (dy, y) => [mul(y, sub(dy, sum(mul(dy, y), along, { keepDims: true })))], {
    attrs: { axis },
  });
}

/** log-softmax along `axis` (stable). VJP: dy − exp(y) ⊙ Σ dy. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor(x, 'logSoftmax');
  const along = rowAxis(x, axis);
  return record('logSoftmax', [x], T.logSoftmax(x.value, axis), (dy, y) => [sub(dy, mul(exp(y), sum(dy, along, { keepDims: true })))], {
    attrs: { axis },
  });
}
