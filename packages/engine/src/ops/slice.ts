import * as T from '@backprop/tensor';
import { ArgumentError, normalizeAxis, type PadWidths, type Shape, type SliceSpec } from '@backprop/tensor';
import { record } from '../record.js';
import type { Axes, Tensor } from '../tensor.js';
import { astype, unsqueeze } from './shape.js';
import { checkTensor } from './util.js';

/**
 * Part of `x` (Python slice semantics, see `SliceSpec`). VJP: dy placed back into zeros of
 * `x`'s shape.
 * @example x.slice([{ start: 1 }, 0]) // x[1:, 0]
 */
export function slice(x: Tensor, specs: readonly SliceSpec[]): Tensor {
  checkTensor(x, 'slice');
  return record('slice', [x], T.slice(x.value, specs), (dy) => [unslice(dy, specs, x.shape)], { attrs: { specs } });
}

/** Zeros of `shape` with `values` at `specs`: the transpose of slicing. VJP: slice again. */
function unslice(values: Tensor, specs: readonly SliceSpec[], shape: Shape): Tensor {
  const zeros = T.zeros(shape, { dtype: values.dtype });
  return record('unslice', [values], T.sliceUpdate(zeros, specs, values.value), (dy) => [slice(dy, specs)]);
}

/** Pads with `value` (`widths[i] = [before, after]`). VJP: the interior of dy. */
export function pad(x: Tensor, widths: PadWidths, value = 0): Tensor {
  checkTensor(x, 'pad');
  const out = T.pad(x.value, widths, value);
  return record('pad', [x], out, (dy) => [
    slice(
      dy,
      x.shape.map((d, i) => (widths[i] ? { start: widths[i][0], stop: widths[i][0] + d } : null)),
    ),
  ]);
}

/** Reverses `axes` (all by default). VJP: flip dy the same way. */
export function flip(x: Tensor, axes?: Axes): Tensor {
  checkTensor(x, 'flip');
  return record('flip', [x], T.flip(x.value, axes), (dy) => [flip(dy, axes)]);
}

/** Joins tensors along an existing axis. VJP: each input gets its slice of dy. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ArgumentError('concat: needs a non-empty array of Tensors', { where: 'concat', argument: 'tensors' });
  }
  for (const [i, t] of tensors.entries()) checkTensor(t, 'concat', `tensors[${i}]`);
  const value = T.concat(
    tensors.map((t) => t.value),
    axis,
  );
  const at = normalizeAxis(axis, value.ndim, 'concat');
  return record(
    'concat',
    tensors,
    value,
    (dy) => {
      let start = 0;
      return tensors.map((t) => {
        const stop = start + t.shape[at];
        const part = slice(
          dy,
          dy.shape.map((_, i) => (i === at ? { start, stop } : null)),
        );
        start = stop;
        return t.requiresGrad ? astype(part, t.dtype) : null;
      });
    },
    { attrs: { axis: at } },
  );
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ArgumentError('stack: needs a non-empty array of Tensors', { where: 'stack', argument: 'tensors' });
  }
  T.checkStackShapes(tensors.map((t) => checkTensor(t, 'stack').shape));
  const at = normalizeAxis(axis, tensors[0].ndim + 1, 'stack');
  return concat(
    tensors.map((t) => unsqueeze(t, at)),
    at,
  );
}

/** Splits along `axis` into chunks (`torch.split` semantics). Each chunk is a slice, so gradients flow. */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  checkTensor(x, 'split');
  const at = normalizeAxis(axis, x.ndim, 'split');
  let start = 0;
  return T.splitSizes(x.shape[at], sizes, 'split').map((size) => {
    const stop = start + size;
    const specs = x.shape.map((_, i) => (i === at ? { start, stop } : null));
    start = stop;
    return slice(x, specs);
  });
}
