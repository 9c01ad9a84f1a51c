import { ArgumentError, formatShape, ShapeError } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { describe, normalizeAxes, normalizeAxis, type Shape, sizeOf } from '../shape.js';
import { checkArray } from './util.js';

/**
 * The same elements with a new shape (shares the buffer: arrays are immutable). One dimension
 * may be `-1` and is inferred.
 * @example reshape(arange(6), [2, -1]).shape // [2, 3]
 */
export function reshape(x: NDArray, shape: Shape): NDArray {
  checkArray(x, 'reshape');
  return new NDArray(x.data, resolveShape(x.shape, shape, 'reshape'));
}

/** Resolves a target shape with at most one `-1` for an array of `from` shape. */
export function resolveShape(from: Shape, shape: Shape, op: string): number[] {
  if (!Array.isArray(shape))
    throw new ArgumentError(`${op}: shape must be an array, got ${describe(shape)}`, { where: op, argument: 'shape' });
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1 && inferred === -1) inferred = i;
    else if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ArgumentError(
        `${op}: invalid dimension ${describe(d)} at index ${i} of ${describe(shape)}; use non-negative integers and at most one -1`,
        {
          where: op,
          argument: 'shape',
        },
      );
    } else known *= d;
  }
  const size = sizeOf(from);
  const out = [...shape];
  if (inferred >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${size} elements) into ${formatShape(shape)}`, {
        where: op,
        shapes: [from, shape],
      });
    }
    out[inferred] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${size} elements) into ${formatShape(shape)}`, {
      where: op,
      shapes: [from, shape],
    });
  }
  return out;
}

/** Merges axes `startAxis..endAxis` (inclusive) into one. @example flatten(zeros([2, 3, 4]), 1).shape // [2, 12] */
export function flatten(x: NDArray, startAxis = 0, endAxis = -1): NDArray {
  checkArray(x, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  const start = normalizeAxis(startAxis, x.ndim, 'flatten');
  const end = normalizeAxis(endAxis, x.ndim, 'flatten');
  if (start > end)
    throw new ArgumentError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis}`, { where: 'flatten', argument: 'startAxis' });
  const merged = x.shape.slice(start, end + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/** Removes size-1 axes: the given ones (each must have size 1), or all of them. */
export function squeeze(x: NDArray, axes?: number | readonly number[]): NDArray {
  checkArray(x, 'squeeze');
  const drop =
    axes === undefined ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : normalizeAxes(axes, x.ndim, 'squeeze');
  for (const a of drop) {
    if (x.shape[a] !== 1) {
      throw new ShapeError(`squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`, {
        where: 'squeeze',
        shapes: [x.shape],
      });
    }
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !drop.includes(i)),
  );
}

/** Inserts a size-1 axis at `axis` (which may be `ndim`, or negative). @example unsqueeze(zeros([3]), 0).shape // [1, 3] */
export function unsqueeze(x: NDArray, axis: number): NDArray {
  checkArray(x, 'unsqueeze');
  const at = normalizeAxis(axis, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(at, 0, 1);
  return reshape(x, shape);
}

/** NumPy's name for {@link unsqueeze}. */
export const expandDims = unsqueeze;
