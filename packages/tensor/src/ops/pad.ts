import { getBackend } from '../backend/registry.js';
import { ArgumentError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { describe, stridesOf } from '../shape.js';
import { checkArray, empty } from './util.js';

/** Padding before and after each axis. */
export type PadWidths = readonly (readonly [number, number])[];

/**
 * Surrounds `x` with `value` (0 by default): `widths[i] = [before, after]` for axis `i`; axes
 * beyond `widths.length` are not padded.
 * @example pad(ones([2, 2]), [[1, 1], [0, 2]]).shape // [4, 4]
 */
export function pad(x: NDArray, widths: PadWidths, value = 0): NDArray {
  checkArray(x, 'pad');
  if (!Array.isArray(widths) || widths.length > x.ndim) {
    throw new ArgumentError(`pad: widths ${describe(widths)} must have at most one [before, after] pair per axis (${x.ndim} axes)`, {
      where: 'pad',
      argument: 'widths',
    });
  }
  widths.forEach((pair, axis) => {
    if (!Array.isArray(pair) || pair.length !== 2 || pair.some((w) => !Number.isInteger(w) || w < 0)) {
      throw new ArgumentError(`pad: widths[${axis}] must be a pair of non-negative integers, got ${describe(pair)}`, {
        where: 'pad',
        argument: 'widths',
      });
    }
  });
  const shape = x.shape.map((d, i) => d + (widths[i] ? widths[i][0] + widths[i][1] : 0));
  const out = empty(x.dtype, shape);
  if (value !== 0) out.data.fill(value);
  const outStrides = stridesOf(shape);
  const offset = widths.reduce((sum, pair, axis) => sum + pair[0] * outStrides[axis], 0);
  getBackend().copy(x.data, 0, stridesOf(x.shape), out.data, offset, outStrides, x.shape);
  return out;
}
