import type { TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';

/** Element-wise functions of one argument. `pow` takes `p0` as exponent; `clamp` takes `p0`, `p1` as bounds. */
export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'log1p'
  | 'expm1'
  | 'sqrt'
  | 'square'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'sign'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'erf'
  | 'pow'
  | 'clamp';

/**
 * Element-wise functions of two broadcast arguments. Comparisons write 1 or 0. The activation
 * gradients take the incoming gradient `a` back through an activation: `reluGrad` is
 * `a · [b > 0]` (written `a * +(b > 0)`) with `b` the ReLU's input; `sigmoidGrad` is
 * `a · (b · (1 − b))` and `tanhGrad` `a · (1 − b · b)` with `b` the activation's output.
 */
export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'reluGrad'
  | 'sigmoidGrad'
  | 'tanhGrad';

/** Reductions over a set of axes. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/** The geometry of a 2-D sliding window over `[batch, channels, height, width]` images (NCHW). */
export interface WindowGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padH: number;
  readonly padW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  /** Output rows: ⌊(height + 2·padH − dilationH·(kernelH − 1) − 1) / strideH⌋ + 1. */
  readonly outH: number;
  /** Output columns, as `outH`. */
  readonly outW: number;
}

/**
 * The kernel interface: every loop over flat buffers lives behind it. Arrays are contiguous and
 * row-major unless strides are passed; `out` is always contiguous and already allocated.
 * A faster backend implements the same methods and must pass `@backprop/tensor/testing`.
 */
export interface Backend {
  /** A short name for messages and benchmarks, e.g. `'js'` or `'wasm-simd'`. */
  readonly name: string;
  /** `out[i] = op(x[i])`; `x` and `out` have the same length (they may be the same array). */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray, p0?: number, p1?: number): void;
  /** `out = op(a, b)` over `shape`; a stride of 0 broadcasts that dimension. */
  binary(
    op: BinaryOp,
    a: TypedArray,
    aStrides: readonly number[],
    b: TypedArray,
    bStrides: readonly number[],
    out: TypedArray,
    shape: Shape,
  ): void;
  /** `out = cond != 0 ? a : b` over `shape`, all three operands broadcast by strides. */
  where(
    cond: TypedArray,
    condStrides: readonly number[],
    a: TypedArray,
    aStrides: readonly number[],
    b: TypedArray,
    bStrides: readonly number[],
    out: TypedArray,
    shape: Shape,
  ): void;
  /**
   * One matrix product `C = op(A) · op(B)`, `C` is `m×n` and overwritten; `op(A)` is `m×k`, read
   * transposed from a `k×m` array when `transA`; likewise `op(B)` is `k×n`.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: TypedArray,
    aOffset: number,
    b: TypedArray,
    bOffset: number,
    c: TypedArray,
    cOffset: number,
  ): void;
  /**
   * Optional: {@link Backend.gemm} followed by `C[i, j] += bias[biasOffset + i]` — a bias for each
   * row of C, added after the product is summed and rounded, so the same bits as `gemm` then an
   * element-wise add. For backends that can add it while C is still at hand (the WebAssembly one
   * does, before copying C out). Without it, `matmul`'s `rowBias` runs `gemm` and then the add.
   */
  gemmRowBias?(...args: [...GemmArguments, bias: TypedArray, biasOffset: number]): void;
  /** Reduces `x` of `shape` over the sorted `axes`; `out` holds the kept dimensions in order. */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void;
  /**
   * Index of the first maximum (or minimum) over `axes`, as a row-major flat index within the
   * reduced dimensions (for a single axis: the position along it). NaN counts as the extreme.
   */
  argReduce(op: 'argmax' | 'argmin', x: TypedArray, shape: Shape, axes: readonly number[], out: Int32Array): void;
  /** Softmax (or log-softmax) along the middle axis of an `[outer, axisLength, inner]` view. */
  softmax(x: TypedArray, outer: number, axisLength: number, inner: number, out: TypedArray, log: boolean): void;
  /** Strided copy: `dst[dstOffset + Σ i·dstStrides] = src[srcOffset + Σ i·srcStrides]` over `shape`. */
  copy(
    src: TypedArray,
    srcOffset: number,
    srcStrides: readonly number[],
    dst: TypedArray,
    dstOffset: number,
    dstStrides: readonly number[],
    shape: Shape,
  ): void;
  /**
   * Gathers along an axis of an `[outer, axisLength, inner]` view: `out[o, j, i] = src[o, indices[j], i]`.
   * With `accumulate`, the reverse (scatter-add): `out[o, indices[j], i] += src[o, j, i]`.
   */
  take(src: TypedArray, outer: number, axisLength: number, inner: number, indices: Int32Array, out: TypedArray, accumulate: boolean): void;
  /**
   * PyTorch-style gather along `axis`: `out[…, j, …] = src[…, index[…, j, …], …]` where `index`
   * and `out` have `indexShape`. With `accumulate`, the reverse scatter-add into `out` of `srcShape`.
   */
  gather(src: TypedArray, srcShape: Shape, axis: number, index: Int32Array, indexShape: Shape, out: TypedArray, accumulate: boolean): void;
  /**
   * im2col: every window of the NCHW `image` into `columns` `[batch, channels·kH·kW, outH·outW]`,
   * out-of-image positions reading `padValue`. With `accumulate`, col2im: `columns` are added
   * back into `image` (which the caller zeroes first).
   */
  im2col(geometry: WindowGeometry, image: TypedArray, columns: TypedArray, padValue: number, accumulate: boolean): void;
  /**
   * Optional: a convolution (one group) without handing its columns back: for each image n of
   * `image`, `out[n] = weight · im2col(image[n])`, plus `bias[o]` along each output channel o when
   * given; `weight` is `[outChannels, channels·kH·kW]`, `out` `[batch, outChannels, outH·outW]`,
   * padding reads 0. The same bits as {@link Backend.im2col} of the whole batch and then
   * {@link Backend.gemm} (with the bias, {@link Backend.gemmRowBias}) image by image — but one
   * image's columns at a time, which stay in cache. Without it, `conv2d` runs those steps itself.
   */
  conv2d?(
    geometry: WindowGeometry,
    image: TypedArray,
    weight: TypedArray,
    outChannels: number,
    bias: TypedArray | null,
    out: TypedArray,
  ): void;
  /**
   * Optional, with {@link Backend.conv2d}: the weight gradient before its sum over the batch, for
   * each image n `out[n] = dy[n] · im2col(image[n])ᵀ`, with `dy` `[batch, outChannels, outH·outW]`
   * and `out` `[batch, outChannels, channels·kH·kW]` — the same bits as `im2col` and then `gemm`
   * with `transB`, image by image.
   */
  conv2dWeightGrad?(geometry: WindowGeometry, image: TypedArray, dy: TypedArray, outChannels: number, out: TypedArray): void;
  /**
   * Max pooling: the largest value of each window of the NCHW `image` into `out`
   * `[batch, channels, outH, outW]`, and its flat index in `image` into `argmax` (the first maximum;
   * padding counts as −∞; a window wholly in the padding gives −∞ and −1).
   */
  maxPool(geometry: WindowGeometry, image: TypedArray, out: TypedArray, argmax: Int32Array): void;
  /**
   * One Adam step in place over flat arrays (PyTorch's rule, as `@backprop/optim` uses it), per
   * element: g = grad + l2·param; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; with `vMax`
   * (AMSGrad) vMax = max(vMax, v) replaces v below; param = param·shrink − stepSize·m /
   * (√v · inverseSqrtCorrection2 + eps).
   */
  adam(param: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, hyper: AdamHyper): void;
}

/** The arguments of {@link Backend.gemm}, as a tuple. */
export type GemmArguments = Parameters<Backend['gemm']>;

/** The scalars of one {@link Backend.adam} step (bias corrections already folded in). */
export interface AdamHyper {
  readonly stepSize: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly inverseSqrtCorrection2: number;
  readonly eps: number;
  /** L2 penalty added to the gradient (Adam's weight decay; 0 for AdamW). */
  readonly l2: number;
  /** Factor applied to the parameter first (AdamW's decoupled decay 1 − lr·λ; 1 for Adam). */
  readonly shrink: number;
}
