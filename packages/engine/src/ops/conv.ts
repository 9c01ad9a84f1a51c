import * as T from '@backprop/tensor';
import { ArgumentError, formatShape, ShapeError, type WindowOptions } from '@backprop/tensor';
import { composedVjp } from '../backward.js';
import { isGradEnabled } from '../mode.js';
import { isTracing, record } from '../record.js';
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
  const value = T.unfold2d(x.value, options);
  // The backward folds the columns back; the pad value, a constant, gets no gradient.
  const { padValue: _, ...window } = options;
  return record('unfold2d', [x], value, (dy) => [fold2d(dy, shape, window)], {
    attrs: { ...windowAttrs(options), padValue: options.padValue ?? 0 },
  });
}

/**
 * col2im as a differentiable op, the adjoint of {@link unfold2d}: columns summed back into an
 * NCHW tensor of `outputShape`. VJP: unfold2d of dy.
 */
export function fold2d(columns: Tensor, outputShape: readonly number[], options: WindowOptions): Tensor {
  checkTensor(columns, 'fold2d', 'columns');
  return record('fold2d', [columns], T.fold2d(columns.value, outputShape, options), (dy) => [unfold2d(dy, options)], {
    attrs: windowAttrs(options),
  });
}

/** A window's options as an op records them (compileBackward's code generators read them). */
function windowAttrs(options: WindowOptions): Record<string, unknown> {
  return { kernelSize: options.kernelSize, stride: options.stride, padding: options.padding, dilation: options.dilation };
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

const convKeys = T.optionKeys({ stride: true, padding: true, dilation: true, groups: true } satisfies Record<keyof Conv2dOptions, true>);

/**
 * 2-D cross-correlation, as PyTorch's `conv2d`: input `[N, C, H, W]`, weight
 * `[outC, C/groups, kH, kW]`, optional bias `[outC]`, output `[N, outC, outH, outW]`.
 * Computed as im2col + one batched gemm that adds the bias as it writes each product (`matmul`'s
 * `rowBias`: inside the WebAssembly kernel, without a pass of its own); its values and gradient
 * are those of the composition `unfold2d` → `matmul` → `add` (dW = dY·colsᵀ summed over the
 * batch, dX = col2im(Wᵀ·dY), db = dY summed over batch, height and width), bit for bit, but
 * recorded as one op: no intermediate tensors, and no separate array for the biased output.
 * @example conv2d(images, kernels, bias, { padding: 1 })
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  checkTensor(x, 'conv2d');
  checkTensor(weight, 'conv2d', 'weight');
  T.checkOptionKeys(options, convKeys, 'conv2d');
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
  const channels = x.shape[1];
  if (channels !== groupChannels * groups || outChannels % groups !== 0) {
    throw new ShapeError(
      `conv2d: input ${formatShape(x.shape)} has ${channels} channels but weight ${formatShape(weight.shape)} with groups ${groups} expects ${groupChannels * groups} (and outC divisible by groups)`,
      { where: 'conv2d', shapes: [x.shape, weight.shape] },
    );
  }
  const b = bias ?? null;
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== outChannels)) {
    throw new ShapeError(`conv2d: bias must have shape [${outChannels}], got ${formatShape(b.shape)}`, {
      where: 'conv2d',
      shapes: [x.shape, weight.shape, b.shape],
    });
  }
  const window = { kernelSize: [kernelH, kernelW] as const, stride: options.stride, padding: options.padding, dilation: options.dilation };
  const conv = { window, groups, geometry: T.windowGeometry(x.shape, window, 'conv2d') };
  // One op for one float dtype; mixed dtypes (promoted op by op) and compileBackward's tracing
  // (which compiles the ops it knows) get the composition itself.
  const fusable = T.isFloating(x.dtype) && weight.dtype === x.dtype && (b === null || b.dtype === x.dtype) && !isTracing();
  return fusable ? fusedConv2d(x, weight, b, conv) : composedConv2d(x, weight, b, conv);
}

/** What the two forms of conv2d share: the window, the groups and the geometry they give. */
interface ConvPlan {
  readonly window: WindowOptions;
  readonly groups: number;
  readonly geometry: T.WindowGeometry;
}

/** The weight as the gemm's left operand: `[outC, taps]`, or `[groups, outC/groups, taps]`. */
function weightMatrixShape(weight: readonly number[], groups: number): number[] {
  const taps = weight[1] * weight[2] * weight[3];
  return groups === 1 ? [weight[0], taps] : [groups, weight[0] / groups, taps];
}

/** The columns (or dY) as the gemm's right operand (or output): `[N, rows, area]`, or `[N, groups, rows/groups, area]`. */
function perGroupShape(batch: number, rows: number, area: number, groups: number): number[] {
  return groups === 1 ? [batch, rows, area] : [batch, groups, rows / groups, area];
}

/** conv2d as the composition of recorded ops: its definition, and its form for higher derivatives. */
function composedConv2d(x: Tensor, weight: Tensor, bias: Tensor | null, { window, groups, geometry: g }: ConvPlan): Tensor {
  const columns = unfold2d(x, window);
  const area = g.outH * g.outW;
  const product = matmul(
    reshape(weight, weightMatrixShape(weight.shape, groups)),
    reshape(columns, perGroupShape(g.batch, columns.shape[1], area, groups)),
  );
  const y = reshape(product, [g.batch, weight.shape[0], g.outH, g.outW]);
  return bias === null ? y : add(y, reshape(bias, [1, weight.shape[0], 1, 1]));
}

/**
 * conv2d as one recorded op over the same kernels as {@link composedConv2d}, in the same order.
 * With one group, on a backend that convolves image by image (`Backend.conv2d`), the columns are
 * never handed back: the forward and the weight gradient each make them one image at a time.
 */
function fusedConv2d(x: Tensor, weight: Tensor, bias: Tensor | null, plan: ConvPlan): Tensor {
  const { window, groups, geometry: g } = plan;
  const outChannels = weight.shape[0];
  const area = g.outH * g.outW;
  const taps = weight.shape[1] * weight.shape[2] * weight.shape[3];
  const backend = T.getBackend();
  const direct = groups === 1 && backend.conv2d !== undefined && backend.conv2dWeightGrad !== undefined;
  const w = T.reshape(weight.value, weightMatrixShape(weight.shape, groups));
  let columns: T.NDArray | null = null;
  let product: T.NDArray;
  if (direct) {
    product = new T.NDArray(T.allocate(x.dtype, g.batch * outChannels * area), [g.batch, outChannels, area]);
    backend.conv2d?.(g, x.value.data, w.data, outChannels, bias === null ? null : bias.value.data, product.data);
  } else {
    columns = T.reshape(T.unfold2d(x.value, window), perGroupShape(g.batch, groups * taps, area, groups));
    // The bias of each output channel is a bias of each row of the per-group products.
    const rowBias = bias === null ? undefined : T.reshape(bias.value, groups === 1 ? [outChannels] : [groups, outChannels / groups]);
    product = T.matmul(w, columns, { rowBias });
  }
  const outShape = [g.batch, outChannels, g.outH, g.outW];
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record('conv2d', inputs, T.reshape(product, outShape), (dy) => {
    // Recording the backward (createGraph): differentiate the composition instead.
    if (isGradEnabled()) return composedVjp(() => composedConv2d(x, weight, bias, plan), inputs, dy);
    const d = T.reshape(dy.value, product.shape);
    const grads: (Tensor | null)[] = [null, null];
    if (x.requiresGrad) {
      // col2im(Wᵀ·dY): unfold2d's backward of matmul's.
      const columnGrads = T.reshape(T.matmul(w, d, { transposeA: true }), [g.batch, groups * taps, area]);
      grads[0] = constant(T.fold2d(columnGrads, x.shape, window));
    }
    if (weight.requiresGrad) {
      // dY·colsᵀ per image, summed over the batch (matmul's backward, broadcast batch summed back).
      let perImage: T.NDArray;
      if (columns === null) {
        perImage = new T.NDArray(T.allocate(x.dtype, g.batch * outChannels * taps), [g.batch, outChannels, taps]);
        backend.conv2dWeightGrad?.(g, x.value.data, d.data, outChannels, perImage.data);
      } else perImage = T.matmul(d, columns, { transposeB: true });
      grads[1] = constant(T.reshape(T.sum(perImage, [0]), weight.shape));
    }
    if (bias?.requiresGrad) {
      // add's backward: dY summed over batch, height and width.
      grads[2] = constant(T.sum(dy.value, [0, 2, 3]));
    }
    return grads;
  });
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

const poolKeys = T.optionKeys({ kernelSize: true, stride: true, padding: true, dilation: true } satisfies Record<
  keyof Pool2dOptions,
  true
>);

function pool(op: 'maxPool2d' | 'avgPool2d', x: Tensor, options: Pool2dOptions): Tensor {
  checkTensor(x, op);
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${op}: options must be an object with 'kernelSize'`, { where: op, argument: 'options' });
  }
  T.checkOptionKeys(options, poolKeys, op);
  const window = { ...options, stride: options.stride ?? options.kernelSize };
  const g = T.windowGeometry(x.shape, window, op);
  if (op === 'maxPool2d') {
    // One pass that remembers where each maximum was; the gradient goes back to exactly there.
    const { values, indices } = T.maxPool2dWithIndices(x.value, window);
    const flat = T.reshape(indices, [indices.size]);
    const shape = x.shape;
    return record(
      'maxPool2d',
      [x],
      values,
      (dy) => {
        if (isGradEnabled()) {
          // Recorded (createGraph): the scatter as a differentiable op.
          return [reshape(indexAdd(constant(T.zeros([x.size], { dtype: dy.dtype })), 0, flat, reshape(dy, [dy.size])), shape)];
        }
        const dx = T.zeros(shape, { dtype: dy.dtype });
        addAt(dx.data, flat.data, dy.value.data);
        return [constant(dx)];
      },
      { attrs: windowAttrs(window) },
    );
  }
  const planes = reshape(x, [g.batch * g.channels, 1, g.height, g.width]);
  const columns = unfold2d(planes, window);
  const pooled = mean(columns, 1);
  return reshape(pooled, [g.batch, g.channels, g.outH, g.outW]);
}

/**
 * The usual backward of max pooling: each output's gradient `from[i]` added at its maximum's flat
 * position `at[i]`, in one pass over plain arrays (the positions come from the pooling kernel: no
 * bounds checks). A function of its own, not a loop in the backward closure: a closure is made
 * for every step, and its loop would start in the interpreter every time and enter (and leave)
 * optimized code through on-stack replacement.
 */
function addAt(into: T.TypedArray, at: T.TypedArray, from: T.TypedArray): void {
  for (let i = 0; i < at.length; i++) into[at[i]] += from[i];
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
