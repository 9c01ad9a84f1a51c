import * as T from '@backprop/tensor';
import { ArgumentError, formatShape, ShapeError, type WindowOptions } from '@backprop/tensor';
import { isGradEnabled } from '../mode.js';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { add } from './arithmetic.js';
import { indexAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { mean } from './reduce.js';
import { reshape } from './shape.js';
import { checkTensor, constant } from './util.js';

/**
 * im2col as a differentiable op: every sliding window of an NCHW tensor as a column,
 * `[batch, channels·kH·kW, outH·outW]`. VJP: col2im ({@link fold2d}) of dy.
 * @example unfold2d(x, { kernelSize: 3, padding: 1 })
 */
export function unfold2d(x: Tensor, options: WindowOptions & { padValue?: number }): Tensor {
  checkTensor(x, 'unfold2d');
  const shape = x.shape;
  return record('unfold2d', [x], T.unfold2d(x.value, options), (dy) => [fold2d(dy, shape, options)]);
}

/**
 * col2im as a differentiable op, the adjoint of {@link unfold2d}: columns summed back into an
 * NCHW tensor of `outputShape`. VJP: unfold2d of dy.
 */
export function fold2d(columns: Tensor, outputShape: readonly number[], options: WindowOptions): Tensor {
  checkTensor(columns, 'fold2d', 'columns');
  return record('fold2d', [columns], T.fold2d(columns.value, outputShape, options), (dy) => [unfold2d(dy, options)]);
}

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step between windows; default 1. */
  stride?: T.Size2d;
  /** Zero padding on both sides of each spatial axis; default 0. */
  padding?: T.Size2d;
  /** Spacing between kernel taps; default 1. */
  dilation?: T.Size2d;
  /** Channel groups: input and output channels are split into this many independent convolutions; default 1. */
  groups?: number;
}

/**
 * 2-D cross-correlation, as PyTorch's `conv2d`: input `[N, C, H, W]`, weight
 * `[outC, C/groups, kH, kW]`, optional bias `[outC]`, output `[N, outC, outH, outW]`.
 * Computed as im2col + one batched gemm; its gradient follows from those two ops (dW = dY·colsᵀ,
 * dX = col2im(Wᵀ·dY)).
 * @example conv2d(images, kernels, bias, { padding: 1 })
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkTensor(x, 'conv2d');
  checkTensor(weight, 'conv2d', 'weight');
  if (bias != null) checkTensor(bias, 'conv2d', 'bias');
  const groups = options?.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) {
    throw new ArgumentError(`conv2d: 'groups' must be a positive integer, got ${String(groups)}`, { where: 'conv2d', argument: 'groups' });
  }
  if (weight.ndim !== 4 || x.ndim !== 4) {
    throw new ShapeError(
      `conv2d: expected input [N, C, H, W] and weight [outC, C/groups, kH, kW], got ${formatShape(x.shape)} and ${formatShape(weight.shape)}`,
      {
        where: 'conv2d',
        shapes: [x.shape, weight.shape],
      },
    );
  }
  const [outChannels, groupChannels, kernelH, kernelW] = weight.shape;
  const [batch, channels] = x.shape;
  if (channels !== groupChannels * groups || outChannels % groups !== 0) {
    throw new ShapeError(
      `conv2d: input ${formatShape(x.shape)} has ${channels} channels but weight ${formatShape(weight.shape)} with groups ${groups} expects ${groupChannels * groups} (and outC divisible by groups)`,
      { where: 'conv2d', shapes: [x.shape, weight.shape] },
    );
  }
  if (bias != null && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`conv2d: bias must have shape [${outChannels}], got ${formatShape(bias.shape)}`, {
      where: 'conv2d',
      shapes: [x.shape, weight.shape, bias.shape],
    });
  }
  const window = { kernelSize: [kernelH, kernelW] as const, stride: options.stride, padding: options.padding, dilation: options.dilation };
  const g = T.windowGeometry(x.shape, window, 'conv2d');
  const columns = unfold2d(x, window);
  const taps = groupChannels * kernelH * kernelW;
  const area = g.outH * g.outW;
  const product =
    groups === 1
      ? matmul(reshape(weight, [outChannels, taps]), columns)
      : matmul(reshape(weight, [groups, outChannels / groups, taps]), reshape(columns, [batch, groups, taps, area]));
  const y = reshape(product, [batch, outChannels, g.outH, g.outW]);
  return bias == null ? y : add(y, reshape(bias, [1, outChannels, 1, 1]));
}

/** Options of {@link maxPool2d} and {@link avgPool2d}. */
export interface Pool2dOptions {
  /** Window size. */
  kernelSize: T.Size2d;
  /** Step between windows; defaults to `kernelSize` (non-overlapping), as PyTorch. */
  stride?: T.Size2d;
  /** Padding on both sides (−∞ for max pooling, 0 for average pooling); default 0. */
  padding?: T.Size2d;
  /** Spacing between window taps (max pooling only); default 1. */
  dilation?: T.Size2d;
}

function pool(op: 'maxPool2d' | 'avgPool2d', x: Tensor, options: Pool2dOptions): Tensor {
  checkTensor(x, op);
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${op}: options must be an object with 'kernelSize'`, { where: op, argument: 'options' });
  }
  const window = { ...options, stride: options.stride ?? options.kernelSize };
  const g = T.windowGeometry(x.shape, window, op);
  if (op === 'maxPool2d') {
    // One pass that remembers where each maximum was; the gradient goes back to exactly there.
    const { values, indices } = T.maxPool2dWithIndices(x.value, window);
    const flat = T.reshape(indices, [indices.size]);
    const shape = x.shape;
    return record('maxPool2d', [x], values, (dy) => {
      if (isGradEnabled()) {
        // Recorded (createGraph): the scatter as a differentiable op.
        return [reshape(indexAdd(constant(T.zeros([x.size], { dtype: dy.dtype })), 0, flat, reshape(dy, [dy.size])), shape)];
      }
      // The usual backward: each output's gradient added at its maximum's flat position, in one
      // pass over plain arrays (the positions come from the kernel above: no bounds checks).
      const dx = T.zeros(shape, { dtype: dy.dtype });
      const into = dx.data;
      const from = dy.value.data;
      const at = flat.data;
      for (let i = 0; i < at.length; i++) into[at[i]] += from[i];
      return [constant(dx)];
    });
  }
  const planes = reshape(x, [g.batch * g.channels, 1, g.height, g.width]);
  const columns = unfold2d(planes, window);
  const pooled = mean(columns, 1);
  return reshape(pooled, [g.batch, g.channels, g.outH, g.outW]);
}

/**
 * Maximum over each window of an NCHW tensor (padding counts as −∞). The gradient goes to the
 * maximum — to the first one in the window on exact ties, as PyTorch.
 * @example maxPool2d(x, { kernelSize: 2 }) // halves height and width
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  return pool('maxPool2d', x, options);
}

/**
 * Mean over each window of an NCHW tensor; zero padding counts in the mean
 * (PyTorch's default `count_include_pad=True`).
 * @example avgPool2d(x, { kernelSize: 2 })
 */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  return pool('avgPool2d', x, options);
}
