import type { WindowGeometry } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { ArgumentError, formatShape, ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import { checkShape, describe } from '../shape.js';
import { checkArray, empty } from './util.js';

/** A size given once for both spatial axes, or as `[height, width]`. */
export type Size2d = number | readonly [number, number];

/** How a 2-D window slides over an NCHW image. */
export interface WindowOptions {
  /** Window size `[kH, kW]` (or one number for both). */
  kernelSize: Size2d;
  /** Step between windows; default 1. */
  stride?: Size2d;
  /** Zero-based padding added on both sides of each spatial axis; default 0. */
  padding?: Size2d;
  /** Spacing between window taps; default 1. */
  dilation?: Size2d;
}

const windowKeys = optionKeys({ kernelSize: true, stride: true, padding: true, dilation: true } satisfies Record<
  keyof WindowOptions,
  true
>);
const unfoldKeys = [...windowKeys, 'padValue'];

function pair(value: Size2d | undefined, fallback: number, name: string, minimum: number, op: string): [number, number] {
  const v = value ?? fallback;
  const both: readonly unknown[] = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : [Number.NaN];
  if (both.every((n) => Number.isInteger(n) && (n as number) >= minimum)) return [both[0] as number, both[1] as number];
  throw new ArgumentError(`${op}: '${name}' must be an integer ≥ ${minimum} or a pair of them, got ${describe(value)}`, {
    where: op,
    argument: name,
  });
}

/**
 * Validates an NCHW `shape` and window options and computes the output size, as PyTorch:
 * `out = ⌊(in + 2·pad − dilation·(k − 1) − 1) / stride⌋ + 1`.
 */
export function windowGeometry(shape: readonly number[], options: WindowOptions, op = 'windowGeometry'): WindowGeometry {
  checkShape(shape, op);
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${op}: options must be an object with 'kernelSize', got ${describe(options)}`, {
      where: op,
      argument: 'options',
    });
  }
  if (shape.length !== 4) {
    throw new ShapeError(`${op}: expected an NCHW input [batch, channels, height, width], got ${formatShape(shape)}`, {
      where: op,
      shapes: [shape],
    });
  }
  const [kernelH, kernelW] = pair(options.kernelSize, Number.NaN, 'kernelSize', 1, op);
  const [strideH, strideW] = pair(options.stride, 1, 'stride', 1, op);
  const [padH, padW] = pair(options.padding, 0, 'padding', 0, op);
  const [dilationH, dilationW] = pair(options.dilation, 1, 'dilation', 1, op);
  const [batch, channels, height, width] = shape;
  const outH = Math.floor((height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH) + 1;
  const outW = Math.floor((width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW) + 1;
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${op}: a ${kernelH}×${kernelW} window (dilation ${dilationH}×${dilationW}, padding ${padH}×${padW}) does not fit an input of ${formatShape(shape)}`,
      { where: op, shapes: [shape] },
    );
  }
  return { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW };
}

/**
 * im2col: each sliding window of an NCHW array as a column, giving
 * `[batch, channels·kH·kW, outH·outW]` (PyTorch's `F.unfold` layout). Positions outside the
 * image read `padValue` (0 by default). A convolution is then one matrix product.
 * @example unfold2d(images, { kernelSize: 3, padding: 1 }).shape // [n, c·9, h·w]
 */
export function unfold2d(x: NDArray, options: WindowOptions & { padValue?: number }): NDArray {
  checkArray(x, 'unfold2d');
  checkOptionKeys(options, unfoldKeys, 'unfold2d');
  const g = windowGeometry(x.shape, options, 'unfold2d');
  const out = empty(x.dtype, [g.batch, g.channels * g.kernelH * g.kernelW, g.outH * g.outW]);
  getBackend().im2col(g, x.data, out.data, options.padValue ?? 0, false);
  return out;
}

/**
 * col2im, the adjoint of {@link unfold2d}: adds columns `[batch, channels·kH·kW, outH·outW]`
 * back into an NCHW array of `outputShape` (overlapping windows accumulate).
 * @example fold2d(columns, [n, c, h, w], { kernelSize: 3, padding: 1 })
 */
export function fold2d(columns: NDArray, outputShape: readonly number[], options: WindowOptions): NDArray {
  checkArray(columns, 'fold2d', 'columns');
  checkShape(outputShape, 'fold2d');
  checkOptionKeys(options, windowKeys, 'fold2d');
  const g = windowGeometry(outputShape, options, 'fold2d');
  const expected = [g.batch, g.channels * g.kernelH * g.kernelW, g.outH * g.outW];
  if (columns.ndim !== 3 || columns.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `fold2d: columns must have shape ${formatShape(expected)} for output ${formatShape(outputShape)}, got ${formatShape(columns.shape)}`,
      {
        where: 'fold2d',
        shapes: [columns.shape, outputShape],
      },
    );
  }
  const out = empty(columns.dtype, outputShape);
  getBackend().im2col(g, out.data, columns.data, 0, true);
  return out;
}

/**
 * Max pooling of an NCHW array with the position of each maximum: `values` `[n, c, outH, outW]`
 * and `indices` (int32, same shape) holding each maximum's flat index in `x` (the first one in the
 * window, as PyTorch; padding counts as −∞). The indices route gradients back.
 * @example const { values, indices } = maxPool2dWithIndices(x, { kernelSize: 2, stride: 2 });
 */
export function maxPool2dWithIndices(x: NDArray, options: WindowOptions): { values: NDArray; indices: NDArray<'int32'> } {
  checkArray(x, 'maxPool2d');
  checkOptionKeys(options, windowKeys, 'maxPool2d');
  const g = windowGeometry(x.shape, options, 'maxPool2d');
  const shape = [g.batch, g.channels, g.outH, g.outW];
  const values = empty(x.dtype, shape);
  const indices = empty('int32', shape);
  getBackend().maxPool(g, x.data, values.data, indices.data as Int32Array);
  return { values, indices };
}
