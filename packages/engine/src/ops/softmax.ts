import * as T from '@backprop/tensor';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { mul, sub } from './arithmetic.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';
import { checkTensor } from './util.js';

/** softmax along `axis` (stable). VJP: y ⊙ (dy − Σ(dy ⊙ y)). */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor(x, 'softmax');
  return record('softmax', [x], T.softmax(x.value, axis), (dy, y) => [mul(y, sub(dy, sum(mul(dy, y), axis, { keepDims: true })))], {
    attrs: { axis },
  });
}

/** log-softmax along `axis` (stable). VJP: dy − exp(y) ⊙ Σ dy. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor(x, 'logSoftmax');
  return record('logSoftmax', [x], T.logSoftmax(x.value, axis), (dy, y) => [sub(dy, mul(exp(y), sum(dy, axis, { keepDims: true })))], {
    attrs: { axis },
  });
}
