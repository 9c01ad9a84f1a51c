import { ArgumentError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import type { CreateOptions } from './create.js';
import { checkArray, checkCount, dtypeOption, empty } from './util.js';

/**
 * One-hot encoding: an array of class indices of shape `S` becomes `S + [numClasses]` with a 1
 * at each index (float32 unless `dtype` says otherwise).
 * @example oneHot(array([0, 2], { dtype: 'int32' }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: NDArray, numClasses: number, options?: CreateOptions): NDArray {
  checkArray(indices, 'oneHot', 'indices');
  checkCount(numClasses, 'oneHot', 'numClasses');
  const out = empty(dtypeOption(options, 'oneHot'), [...indices.shape, numClasses]);
  for (let i = 0; i < indices.size; i++) {
    const label = indices.data[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new ArgumentError(
        `oneHot: label ${label} at position ${i} is out of range for ${numClasses} classes (expected 0..${numClasses - 1})`,
        {
          where: 'oneHot',
          argument: 'indices',
        },
      );
    }
    out.data[i * numClasses + label] = 1;
  }
  return out;
}
