import { getBackend } from '../backend/registry.js';
import { type DType, promoteTypes } from '../dtype.js';
import { ArgumentError, formatShape, ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { checkShape, describe, normalizeAxis, sameShape, stridesOf } from '../shape.js';
import { unsqueeze } from './reshape.js';
import { slice } from './slice.js';
import { astype, checkArray, empty } from './util.js';

function checkList(arrays: unknown, op: string): readonly NDArray[] {
  if (!Array.isArray(arrays) || arrays.length === 0) {
    throw new ArgumentError(`${op}: needs a non-empty array of NDArrays`, { where: op, argument: 'arrays' });
  }
  return arrays.map((a, i) => checkArray(a, op, `arrays[${i}]`));
}

/**
 * Joins arrays along an existing axis; all other dimensions must agree.
 * @example concat([zeros([2, 3]), ones([1, 3])], 0).shape // [3, 3]
 */
export function concat(arrays: readonly NDArray[], axis = 0): NDArray {
  arrays = checkList(arrays, 'concat');
  const first = arrays[0];
  const at = normalizeAxis(axis, first.ndim, 'concat');
  let dtype: DType = first.dtype;
  let total = 0;
  for (const a of arrays) {
    const fits = a.ndim === first.ndim && a.shape.every((d, i) => i === at || d === first.shape[i]);
    if (!fits) {
      throw new ShapeError(`concat: shapes ${arrays.map((x) => formatShape(x.shape)).join(', ')} differ outside axis ${at}`, {
        where: 'concat',
        shapes: arrays.map((x) => x.shape),
      });
    }
    dtype = promoteTypes(dtype, a.dtype);
    total += a.shape[at];
  }
  const shape = [...first.shape];
  shape[at] = total;
  const out = empty(dtype, shape);
  const outStrides = stridesOf(shape);
  let position = 0;
  for (const a of arrays) {
    const part = astype(a, dtype);
    getBackend().copy(part.data, 0, stridesOf(a.shape), out.data, position * outStrides[at], outStrides, a.shape);
    position += a.shape[at];
  }
  return out;
}

/** Throws the `stack` ShapeError unless every shape is the same. */
export function checkStackShapes(shapes: readonly (readonly number[])[]): void {
  if (!Array.isArray(shapes) || shapes.length === 0) {
    throw new ArgumentError('stack: needs a non-empty array of tensors', { where: 'stack', argument: 'arrays' });
  }
  for (const s of shapes) checkShape(s, 'stack');
  const first = shapes[0];
  if (!shapes.every((s) => sameShape(s, first))) {
    throw new ShapeError(`stack: all shapes must be equal, got ${shapes.map(formatShape).join(', ')}`, { where: 'stack', shapes });
  }
}

/**
 * Joins same-shaped arrays along a new axis.
 * @example stack([zeros([3]), ones([3])], 0).shape // [2, 3]
 */
export function stack(arrays: readonly NDArray[], axis = 0): NDArray {
  arrays = checkList(arrays, 'stack');
  checkStackShapes(arrays.map((a) => a.shape));
  const shape = arrays[0].shape;
  const at = normalizeAxis(axis, shape.length + 1, 'stack');
  return concat(
    arrays.map((a) => unsqueeze(a, at)),
    at,
  );
}

/** Resolves PyTorch-style split sizes: a chunk size (the last chunk may be smaller) or explicit sizes. */
export function splitSizes(length: number, sizes: number | readonly number[], op: string): number[] {
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) {
      throw new ArgumentError(`${op}: chunk size must be a positive integer, got ${describe(sizes)}`, { where: op, argument: 'sizes' });
    }
    const out: number[] = [];
    for (let start = 0; start < length; start += sizes) out.push(Math.min(sizes, length - start));
    return out;
  }
  if (!Array.isArray(sizes) || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ArgumentError(`${op}: sizes must be non-negative integers, got ${describe(sizes)}`, { where: op, argument: 'sizes' });
  }
  const sum = sizes.reduce((p, s) => p + s, 0);
  if (sum !== length) {
    throw new ShapeError(`${op}: sizes ${describe(sizes)} add up to ${sum}, but the axis has length ${length}`, { where: op });
  }
  return [...sizes];
}

/**
 * Splits along `axis` into chunks of `sizes` (as `torch.split`): a number is the chunk size,
 * an array gives each chunk's size.
 * @example split(arange(5), 2).map((a) => a.shape[0]) // [2, 2, 1]
 */
export function split(x: NDArray, sizes: number | readonly number[], axis = 0): NDArray[] {
  checkArray(x, 'split');
  const at = normalizeAxis(axis, x.ndim, 'split');
  let start = 0;
  return splitSizes(x.shape[at], sizes, 'split').map((size) => {
    const specs = x.shape.map((_, i) => (i === at ? { start, stop: start + size } : null));
    start += size;
    return slice(x, specs);
  });
}
