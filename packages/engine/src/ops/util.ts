import * as T from '@backprop/tensor';
import { ArgumentError, type DType } from '@backprop/tensor';
import { isTensor, Tensor, type TensorLike } from '../tensor.js';

/** Checks that `value` is an engine Tensor; the error names the op and argument. */
export function checkTensor(value: unknown, op: string, name = 'x'): Tensor {
  if (!isTensor(value)) {
    const hint = T.isNDArray(value) ? ' (an NDArray: wrap it with fromArray() or new Tensor())' : '';
    throw new ArgumentError(`${op}: argument '${name}' must be a Tensor, got ${value === null ? 'null' : typeof value}${hint}`, {
      where: op,
      argument: name,
    });
  }
  return value;
}

/** A constant (no gradient) tensor for a plain number, with the dtype of `like`. */
export function lift(value: TensorLike, like: Tensor, op: string, name: string): Tensor {
  if (typeof value === 'number') {
    const dtype: DType = like.dtype === 'int32' && !Number.isInteger(value) ? 'float32' : like.dtype;
    return new Tensor(T.scalar(value, { dtype }));
  }
  return checkTensor(value, op, name);
}

/** Both operands of a binary op as tensors (numbers lifted to the other's dtype). */
export function operands(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') return [new Tensor(T.scalar(a)), new Tensor(T.scalar(b))];
  if (typeof a === 'number') {
    const y = checkTensor(b, op, 'b');
    return [lift(a, y, op, 'a'), y];
  }
  const x = checkTensor(a, op, 'a');
  return [x, lift(b, x, op, 'b')];
}

/** A tensor that takes no part in a graph. */
export function constant(value: T.NDArray): Tensor {
  return new Tensor(value);
}
