import * as T from '@backprop/tensor';
import { type DType, normalizeAxis } from '@backprop/tensor';
import { record } from '../record.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { fitTo, reshape } from './shape.js';
import { checkTensor, constant, lift } from './util.js';

/** A plain list of indices as int32, refusing a fraction first (the conversion would truncate it). */
function indexList(indices: readonly number[], op: string): T.NDArray {
  const list = T.array(indices as number[], { dtype: 'float64' });
  const at = list.data.findIndex((v) => !Number.isInteger(v));
  if (at >= 0)
    throw new T.ArgumentError(`${op}: index ${list.data[at]} at position ${at} is not an integer`, { where: op, argument: 'indices' });
  return T.astype(list, 'int32');
}

/**
 * Picks entries along `axis` by index (NumPy's `take`; embedding lookups). VJP: dy added back
 * at the indices (repeated indices accumulate); the indices get none. They are the op's second
 * input, so `compileBackward` reads them on every call (an argument's new token ids, say).
 * @example table.take(tokenIds, 0)
 */
export function take(x: Tensor, indices: Tensor | readonly number[], axis = 0): Tensor {
  checkTensor(x, 'take');
  const at = normalizeAxis(axis, x.ndim, 'take');
  const given = Array.isArray(indices) ? constant(indexList(indices, 'take')) : checkTensor(indices, 'take', 'indices');
  // T.take checks the indices (integers in range; negative ones count from the end).
  const idx = given.value;
  return record(
    'take',
    [x, given],
    T.take(x.value, idx, at),
    (dy) => {
      const flat = T.reshape(idx, [idx.size]);
      const rows = reshape(dy, [...x.shape.slice(0, at), idx.size, ...x.shape.slice(at + 1)]);
      return [indexAdd(constant(T.zeros(x.shape, { dtype: dy.dtype })), at, flat, rows), null];
    },
    { attrs: { axis: at } },
  );
}

/** A copy of `x` with `source` added at `indices` along `axis` (`torch.index_add`). VJP: dy for x, dy picked at the indices for source. */
export function indexAdd(x: Tensor, axis: number, indices: T.NDArray | readonly number[], source: Tensor): Tensor {
  checkTensor(x, 'indexAdd');
  checkTensor(source, 'indexAdd', 'source');
  const idx = Array.isArray(indices) ? indexList(indices, 'indexAdd') : (indices as T.NDArray);
  return record('indexAdd', [x, source], T.indexAdd(x.value, axis, idx, source.value), (dy) => [dy, take(dy, [...idx.data], axis)]);
}

/**
 * PyTorch's `gather` along `axis` (the result has `index`'s shape). VJP: dy scattered back with
 * addition.
 * @example logProbs.gather(1, labels.reshape([-1, 1])) // each row's label entry
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  checkTensor(x, 'gather');
  checkTensor(index, 'gather', 'index');
  return record('gather', [x], T.gather(x.value, axis, index.value), (dy) => [
    scatterAdd(constant(T.zeros(x.shape, { dtype: dy.dtype })), axis, index, dy),
  ]);
}

/** A copy of `x` with `source` added at `index` along `axis` (the reverse of gather). VJP: dy for x, gather(dy) for source. */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, source: Tensor): Tensor {
  checkTensor(x, 'scatterAdd');
  checkTensor(index, 'scatterAdd', 'index');
  checkTensor(source, 'scatterAdd', 'source');
  return record('scatterAdd', [x, source], T.scatterAdd(x.value, axis, index.value, source.value), (dy) => [dy, gather(dy, axis, index)]);
}

/**
 * `a` where `condition` is non-zero, else `b` (all broadcast). VJP: dy routed to the chosen side.
 * @example where(x.gt(0), x, x.mul(0.01)) // leaky ReLU
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor(condition, 'where', 'condition');
  const like = typeof a !== 'number' ? checkTensor(a, 'where', 'a') : typeof b !== 'number' ? checkTensor(b, 'where', 'b') : undefined;
  const x = like ? lift(a, like, 'where', 'a') : constant(T.scalar(a as number));
  const y = like ? lift(b, like, 'where', 'b') : constant(T.scalar(b as number));
  const cond = condition.value;
  return record('where', [x, y], T.where(cond, x.value, y.value), (dy) => [
    x.requiresGrad ? fitTo(where(constant(cond), dy, 0), x) : null,
    y.requiresGrad ? fitTo(where(constant(cond), 0, dy), y) : null,
  ]);
}

/** One-hot encoding of class indices (a constant: no gradient). */
export function oneHot(indices: Tensor, numClasses: number, options?: { dtype?: DType }): Tensor {
  checkTensor(indices, 'oneHot', 'indices');
  return constant(T.oneHot(indices.value, numClasses, options));
}
