import { getBackend } from '../backend/registry.js';
import { ArgumentError, formatShape, ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { broadcastShapes, broadcastStrides, checkShape, describe, type Shape, sameShape, stridesOf } from '../shape.js';
import { astype, checkArray, clone, empty } from './util.js';

/**
 * How one axis is sliced: a number picks one index and drops the axis; a range keeps it
 * (Python semantics: `stop` excluded, negative values count from the end, `step` may be
 * negative); `null`/`undefined` keeps the whole axis.
 */
export type SliceSpec = number | { start?: number; stop?: number; step?: number } | null | undefined;

/** A slice resolved against a shape: where the view starts, its strides and shape in the source. */
export interface ResolvedSlice {
  offset: number;
  strides: number[];
  shape: number[];
  /** The result shape (without the axes picked by a single index). */
  outShape: number[];
}

/** Resolves `specs` (one per leading axis) against `shape`; errors name `op`. */
export function resolveSlice(shape: Shape, specs: readonly SliceSpec[], op = 'slice'): ResolvedSlice {
  checkShape(shape, op);
  if (!Array.isArray(specs))
    throw new ArgumentError(`${op}: specs must be an array with one entry per axis, got ${describe(specs)}`, {
      where: op,
      argument: 'specs',
    });
  if (specs.length > shape.length) {
    throw new ArgumentError(`${op}: ${specs.length} slice specs for a tensor of rank ${shape.length} (shape ${formatShape(shape)})`, {
      where: op,
      argument: 'specs',
    });
  }
  const source = stridesOf(shape);
  let offset = 0;
  const strides: number[] = [];
  const viewShape: number[] = [];
  const outShape: number[] = [];
  for (let axis = 0; axis < shape.length; axis++) {
    const n = shape[axis];
    const spec = specs[axis];
    if (spec === null || spec === undefined) {
      strides.push(source[axis]);
      viewShape.push(n);
      outShape.push(n);
      continue;
    }
    if (typeof spec === 'number') {
      if (!Number.isInteger(spec))
        throw new ArgumentError(`${op}: index ${describe(spec)} on axis ${axis} must be an integer`, { where: op, argument: 'specs' });
      if (spec < -n || spec >= n) {
        throw new ArgumentError(
          `${op}: index ${describe(spec)} is out of range for axis ${axis} of size ${n} (shape ${formatShape(shape)})`,
          {
            where: op,
            argument: 'specs',
          },
        );
      }
      offset += (spec < 0 ? spec + n : spec) * source[axis];
      strides.push(0);
      viewShape.push(1);
      continue;
    }
    // Anything else would read as the whole axis: an array (`[[0, 2]]` for `[{ start: 0, stop: 2 }]`),
    // a string, a misspelt key.
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      throw new ArgumentError(`${op}: the spec of axis ${axis} must be an index, null or { start, stop, step }, got ${describe(spec)}`, {
        where: op,
        argument: 'specs',
      });
    }
    const unknown = Object.keys(spec).find((key) => key !== 'start' && key !== 'stop' && key !== 'step');
    if (unknown !== undefined) {
      throw new ArgumentError(`${op}: unknown key '${unknown}' in the spec of axis ${axis}; a range is { start, stop, step }`, {
        where: op,
        argument: 'specs',
      });
    }
    const step = spec.step ?? 1;
    for (const [name, value] of [
      ['start', spec.start],
      ['stop', spec.stop],
      ['step', step],
    ] as const) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value))) {
        throw new ArgumentError(`${op}: ${name} ${describe(value)} on axis ${axis} must be an integer`, { where: op, argument: 'specs' });
      }
    }
    if (step === 0) throw new ArgumentError(`${op}: step on axis ${axis} must not be 0`, { where: op, argument: 'specs' });
    const clampIndex = (value: number | undefined, fallback: number, lo: number, hi: number): number => {
      if (value === undefined) return fallback;
      const v = value < 0 ? value + n : value;
      return Math.min(Math.max(v, lo), hi);
    };
    const start = step > 0 ? clampIndex(spec.start, 0, 0, n) : clampIndex(spec.start, n - 1, -1, n - 1);
    const stop = step > 0 ? clampIndex(spec.stop, n, 0, n) : clampIndex(spec.stop, -1, -1, n - 1);
    const length = Math.max(0, Math.ceil((stop - start) / step));
    if (length > 0) offset += start * source[axis];
    strides.push(source[axis] * step);
    viewShape.push(length);
    outShape.push(length);
  }
  return { offset, strides, shape: viewShape, outShape };
}

/**
 * A copy of part of `x`, one spec per leading axis (see {@link SliceSpec}).
 * @example
 * slice(x, [{ start: 1 }, 0]);             // x[1:, 0]
 * slice(x, [null, { step: -1 }]);          // x[:, ::-1]
 */
export function slice(x: NDArray, specs: readonly SliceSpec[]): NDArray {
  checkArray(x, 'slice');
  const view = resolveSlice(x.shape, specs);
  const out = empty(x.dtype, view.outShape);
  getBackend().copy(x.data, view.offset, view.strides, out.data, 0, stridesOf(view.shape), view.shape);
  return out;
}

/**
 * A copy of `x` with the sliced region replaced by `values` (broadcast to the region's shape).
 * @example sliceUpdate(zeros([3, 3]), [1], ones([3])) // row 1 set to ones
 */
export function sliceUpdate(x: NDArray, specs: readonly SliceSpec[], values: NDArray): NDArray {
  checkArray(x, 'sliceUpdate');
  checkArray(values, 'sliceUpdate', 'values');
  const view = resolveSlice(x.shape, specs, 'sliceUpdate');
  const fits = sameShape(broadcastShapes('sliceUpdate', values.shape, view.outShape), view.outShape);
  if (!fits) {
    throw new ShapeError(
      `sliceUpdate: values of shape ${formatShape(values.shape)} do not fit the slice of shape ${formatShape(view.outShape)}`,
      {
        where: 'sliceUpdate',
        shapes: [x.shape, values.shape],
      },
    );
  }
  const out = clone(x);
  const source = astype(values, x.dtype);
  // Read the values in result-shape order, write them through the view's strides.
  const readStrides = broadcastStrides(source.shape, view.outShape);
  const expanded: number[] = [];
  let r = 0;
  for (let axis = 0; axis < view.shape.length; axis++) {
    if (typeof specs[axis] === 'number') expanded.push(0);
    else expanded.push(readStrides[r++]);
  }
  getBackend().copy(source.data, 0, expanded, out.data, view.offset, view.strides, view.shape);
  return out;
}
