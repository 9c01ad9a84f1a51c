import { fromArray, NDArray, ShapeError, type Tensor } from '@backprop/engine';
import { formatShape, type TypedArray } from '@backprop/tensor';
import { checkTensorArg, fail, firstInvalid } from './util.js';

/** Integer class labels checked against the number of classes. */
export interface Labels {
  /** Labels as int32, ignored positions replaced by 0 (safe to gather). */
  index: Tensor;
  /** 1 where the label counts, 0 where it equals `ignoreIndex`. */
  keep: Float64Array;
}

/**
 * Validates integer class labels for logits/log-probabilities `input` whose class axis is
 * `classAxis`: the labels' shape must be the input's without that axis, every label an integer in
 * [0, C) or `ignoreIndex`. Errors name the loss, the position and the value. Returns the labels.
 */
export function checkLabels(input: Tensor, target: unknown, classAxis: number, ignoreIndex: number, loss: string): Tensor {
  const labels = checkTensorArg(target, loss, 'target');
  const expected = input.shape.filter((_, i) => i !== classAxis);
  if (labels.ndim !== expected.length || labels.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${loss}: class labels must have shape ${formatShape(expected)} for input ${formatShape(input.shape)} (classes on axis ${classAxis}), got ${formatShape(labels.shape)}`,
      { where: loss, shapes: [input.shape, labels.shape] },
    );
  }
  const classes = input.shape[classAxis];
  const data = labels.value.data;
  const bad = firstInvalid(data, (label) => label === ignoreIndex || (Number.isInteger(label) && label >= 0 && label < classes));
  if (bad >= 0) {
    throw fail(
      loss,
      'target',
      `label ${data[bad]} at position ${bad} of the target is out of range: expected an integer class from 0 to ${classes - 1}`,
    );
  }
  return labels;
}

/** Checked `labels` as int32 indices (ignored positions 0) and which positions count, for the composed losses. */
export function labelIndex(labels: Tensor, ignoreIndex: number): Labels {
  const data = labels.value.data;
  const index = new Int32Array(data.length);
  const keep = new Float64Array(data.length);
  indexAndKeep(data, ignoreIndex, index, keep);
  return { index: fromArray(new NDArray(index, labels.shape)), keep };
}

/** Per-class weights as a float tensor of shape [C], validated. */
export function classWeights(weight: unknown, classes: number, loss: string): Float64Array | undefined {
  if (weight === undefined || weight === null) return undefined;
  const values = Array.isArray(weight) ? weight : (weight as Tensor)?.value?.data;
  if (!values || values.length !== classes || [...values].some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0)) {
    throw fail(
      loss,
      'weight',
      `'weight' must hold ${classes} non-negative finite numbers (one per class), got ${Array.isArray(weight) ? `[${weight.join(', ')}]` : String(weight)}`,
    );
  }
  return Float64Array.from(values as ArrayLike<number>);
}

/** Each valid label into `index` with 1 in `keep`; ignored positions stay 0 in both (a loop of its own, as in firstInvalid). */
function indexAndKeep(data: TypedArray, ignoreIndex: number, index: Int32Array, keep: Float64Array): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i] === ignoreIndex) continue;
    index[i] = data[i];
    keep[i] = 1;
  }
}
