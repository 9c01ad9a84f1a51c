import {
  checkOptionKeys,
  type DType,
  DTypeError,
  formatArray,
  formatShape,
  isFloating,
  type NDArray,
  type NestedArray,
  optionKeys,
  type PadWidths,
  type Shape,
  type SliceSpec,
  sameShape,
} from '@backprop/tensor';
import { type BackwardOptions, backward as runBackward } from './backward.js';
import { GraphError } from './errors.js';
import type { Backward, GraphNode } from './node.js';
import * as ops from './ops/index.js';
import { traceOp } from './record.js';

const tensorBrand = Symbol.for('backprop.tensor');

const tensorKeys = optionKeys({ requiresGrad: true, name: true } satisfies Record<'requiresGrad' | 'name', true>);

/** `new Tensor(value, options)`'s options: checked by key, then applied. */
function applyOptions(t: Tensor, options: { requiresGrad?: boolean; name?: string }): void {
  checkOptionKeys(options, tensorKeys, 'Tensor');
  t.name = options.name;
  if (options.requiresGrad) t.requiresGrad = true;
}

/** True for an engine Tensor, also one made by another installed copy of `@backprop/engine`. */
export function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[tensorBrand] === true;
}

/** A tensor or a plain number (which takes the other operand's dtype). */
export type TensorLike = Tensor | number;

/** Axes of a reduction: one, several, or all (`undefined`). */
export type Axes = number | readonly number[] | undefined;

/** A gradient hook: sees a gradient as it flows and may return a replacement. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only inspects returns nothing.
export type GradHook = (grad: Tensor) => Tensor | undefined | void;

/**
 * A differentiable tensor: an NDArray value plus, when it takes part in a graph, the op that made
 * it. Leaves created with `requiresGrad: true` collect gradients in `.grad` after `backward()`.
 * Memory is the garbage collector's: there is no `dispose`.
 *
 * @example
 * const w = tensor([1, 2, 3], { requiresGrad: true });
 * w.mul(w).sum().backward();
 * w.grad?.toArray(); // [2, 4, 6]
 */
export class Tensor {
  // The fields are `declare`d and set only by the constructor (the brand lives on the prototype):
  // without an initializer step a tensor costs less to make, and small networks make millions.
  /** @internal brand checked by {@link isTensor} */
  declare readonly [tensorBrand]: true;
  /** The values (treat as read-only). */
  declare readonly value: NDArray;
  /** The gradient accumulated by `backward()`, for leaves that require one (and `retainGrad` tensors). */
  declare grad: Tensor | null;
  /** How this tensor was made, when it is part of a graph; `null` for leaves and constants. */
  declare readonly node: GraphNode | null;
  /** An optional label, used in messages. */
  declare name: string | undefined;
  declare private gradRequired: boolean;
  declare private hooks: GradHook[] | undefined;
  /** @internal kept gradient of a non-leaf, see {@link Tensor.retainGrad}. */
  declare retainsGrad: boolean;
  /** @internal The gradient waiting to be propagated during a backward pass. */
  declare pendingGrad: Tensor | undefined;
  /** @internal The number of the backward pass that last visited this tensor. */
  declare visitedBy: number;

  /**
   * Wraps an NDArray as a leaf; pass `requiresGrad` to collect its gradient.
   * @throws ArgumentError for an option key it does not know (`requiresgrad`), naming it.
   */
  constructor(value: NDArray, options?: { requiresGrad?: boolean; name?: string }) {
    this.value = value;
    this.grad = null;
    this.node = null;
    this.name = undefined;
    this.gradRequired = false;
    this.hooks = undefined;
    this.retainsGrad = false;
    this.pendingGrad = undefined;
    this.visitedBy = 0;
    // Every op's output is built here without options: their handling stays out of this body,
    // which V8 inlines into every op.
    if (options !== undefined && options !== null) applyOptions(this, options);
  }

  /** @internal A tensor produced by a recorded op. */
  static fromGraph(value: NDArray, node: { op: string; inputs: readonly Tensor[]; backward: Backward; stack?: string }): Tensor {
    const t = new Tensor(value);
    (t as { node: GraphNode | null }).node = node;
    t.gradRequired = true;
    return t;
  }

  /** Whether gradients flow to this tensor. Only float tensors may require one. */
  get requiresGrad(): boolean {
    return this.gradRequired;
  }

  set requiresGrad(flag: boolean) {
    if (flag && !isFloating(this.value.dtype)) {
      throw new DTypeError(`requiresGrad: only float32 and float64 tensors can require gradients, this one is ${this.value.dtype}`, {
        where: 'requiresGrad',
      });
    }
    if (!flag && this.node !== null) {
      throw new DTypeError('requiresGrad: cannot turn off gradients of a tensor made by an op; use detach()', { where: 'requiresGrad' });
    }
    this.gradRequired = flag;
  }

  /** Sets `requiresGrad` and returns this tensor (for chaining). */
  setRequiresGrad(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  /** True for tensors not made by a recorded op. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The shape. */
  get shape(): readonly number[] {
    return this.value.shape;
  }
  /** The dtype. */
  get dtype(): DType {
    return this.value.dtype;
  }
  /** Number of elements. */
  get size(): number {
    return this.value.size;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.value.shape.length;
  }
  /** The flat typed array of values (shared, not copied; its `.buffer` may hold other arrays too: read it through `byteOffset` and `byteLength`). */
  get data(): NDArray['data'] {
    return this.value.data;
  }

  /** Nested arrays of the values. */
  toArray(): NestedArray {
    return this.value.toArray();
  }
  /** The value of a one-element tensor. */
  item(): number {
    return this.value.item();
  }
  /** Readable rendering, e.g. `tensor([1, 2], dtype=float32, requiresGrad)`. */
  toString(): string {
    const flags = this.node ? `, gradFn=${this.node.op}` : this.requiresGrad ? ', requiresGrad' : '';
    return `tensor(${formatArray(this.value.data, this.value.shape)}, dtype=${this.dtype}${flags})`;
  }

  /** The same values cut off from the graph (shares the buffer). */
  detach(): Tensor {
    const t = new Tensor(this.value);
    traceOp(t, 'detach', [this]);
    return t;
  }

  /**
   * Back-propagates from this tensor: fills `.grad` of every leaf that requires a gradient.
   * A non-scalar tensor needs `gradient` (the seed, of its shape). The graph is freed unless
   * `retainGraph`; `createGraph` records the backward pass for higher-order derivatives.
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void {
    runBackward(this, gradient, options);
  }

  /**
   * Registers a hook called with this tensor's gradient during backward; it may return a
   * replacement. Returns a function that removes the hook.
   * @example w.registerHook((g) => g.clamp(-1, 1));
   */
  registerHook(hook: GradHook): () => void {
    this.hooks ??= [];
    this.hooks.push(hook);
    return () => {
      this.hooks = this.hooks?.filter((h) => h !== hook);
    };
  }

  /** @internal Whether a gradient hook is registered. */
  get hasHooks(): boolean {
    return this.hooks !== undefined && this.hooks.length > 0;
  }

  /** @internal Applies the hooks in registration order. */
  applyHooks(grad: Tensor): Tensor {
    return this.hooks === undefined ? grad : runHooks(this.hooks, grad);
  }

  /** Keeps `.grad` for this non-leaf tensor after backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  add(other: TensorLike): Tensor {
    return ops.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return ops.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return ops.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return ops.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return ops.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return ops.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return ops.minimum(this, other);
  }
  eq(other: TensorLike): Tensor {
    return ops.equal(this, other);
  }
  ne(other: TensorLike): Tensor {
    return ops.notEqual(this, other);
  }
  lt(other: TensorLike): Tensor {
    return ops.less(this, other);
  }
  le(other: TensorLike): Tensor {
    return ops.lessEqual(this, other);
  }
  gt(other: TensorLike): Tensor {
    return ops.greater(this, other);
  }
  ge(other: TensorLike): Tensor {
    return ops.greaterEqual(this, other);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  log1p(): Tensor {
    return ops.log1p(this);
  }
  expm1(): Tensor {
    return ops.expm1(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  sin(): Tensor {
    return ops.sin(this);
  }
  cos(): Tensor {
    return ops.cos(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  /** The `leakyRelu` op: z for z > 0, `slope`·z otherwise (default 0.01). */
  leakyRelu(slope?: number): Tensor {
    return ops.leakyRelu(this, slope);
  }
  /** The `elu` op: z for z > 0, α(eᶻ − 1) otherwise (default α = 1). */
  elu(alpha?: number): Tensor {
    return ops.elu(this, alpha);
  }
  /** The `selu` op. */
  selu(): Tensor {
    return ops.selu(this);
  }
  /** The `gelu` op: exact, or `{ approximate: 'tanh' }`. */
  gelu(options?: { approximate?: 'none' | 'tanh' }): Tensor {
    return ops.gelu(this, options);
  }
  /** The `softplus` op: log(1 + e^(βz))/β (default β = 1). */
  softplus(beta?: number): Tensor {
    return ops.softplus(this, beta);
  }
  /** The `silu` op: z·σ(z). */
  silu(): Tensor {
    return ops.silu(this);
  }
  sign(): Tensor {
    return ops.sign(this);
  }
  floor(): Tensor {
    return ops.floor(this);
  }
  ceil(): Tensor {
    return ops.ceil(this);
  }
  round(): Tensor {
    return ops.round(this);
  }
  erf(): Tensor {
    return ops.erf(this);
  }
  clamp(min?: number, max?: number): Tensor {
    return ops.clamp(this, min, max);
  }
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }
  sum(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.sum(this, axis, options);
  }
  mean(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.mean(this, axis, options);
  }
  prod(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.prod(this, axis, options);
  }
  max(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.max(this, axis, options);
  }
  min(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.min(this, axis, options);
  }
  argmax(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.argmax(this, axis, options);
  }
  argmin(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.argmin(this, axis, options);
  }
  variance(axis?: Axes, options?: { keepDims?: boolean; correction?: number }): Tensor {
    return ops.variance(this, axis, options);
  }
  logSumExp(axis?: Axes, options?: { keepDims?: boolean }): Tensor {
    return ops.logSumExp(this, axis, options);
  }
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }
  reshape(shape: Shape): Tensor {
    return ops.reshape(this, shape);
  }
  flatten(startAxis = 0, endAxis = -1): Tensor {
    return ops.flatten(this, startAxis, endAxis);
  }
  squeeze(axes?: number | readonly number[]): Tensor {
    return ops.squeeze(this, axes);
  }
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  }
  permute(axes: readonly number[]): Tensor {
    return ops.permute(this, axes);
  }
  transpose(axes?: readonly number[]): Tensor {
    return ops.transpose(this, axes);
  }
  swapAxes(axis0: number, axis1: number): Tensor {
    return ops.swapAxes(this, axis0, axis1);
  }
  broadcastTo(shape: Shape): Tensor {
    return ops.broadcastTo(this, shape);
  }
  slice(specs: readonly SliceSpec[]): Tensor {
    return ops.slice(this, specs);
  }
  pad(widths: PadWidths, value = 0): Tensor {
    return ops.pad(this, widths, value);
  }
  flip(axes?: Axes): Tensor {
    return ops.flip(this, axes);
  }
  take(indices: Tensor | readonly number[], axis = 0): Tensor {
    return ops.take(this, indices, axis);
  }
  gather(axis: number, index: Tensor): Tensor {
    return ops.gather(this, axis, index);
  }
  astype(dtype: DType): Tensor {
    return ops.astype(this, dtype);
  }
}

// The brand on the prototype: every tensor has it without a property of its own.
Object.defineProperty(Tensor.prototype, tensorBrand, { value: true });

/**
 * Runs gradient hooks in order; each may return a replacement, which must be a tensor of the
 * gradient's shape (a scalar or a number in its place would become `.grad` and, say, make the
 * optimizer read past its end). Kept out of `applyHooks`, which runs for every tensor of a backward pass.
 */
function runHooks(hooks: readonly GradHook[], grad: Tensor): Tensor {
  let g = grad;
  for (let i = 0; i < hooks.length; i++) {
    const result = hooks[i](g);
    if (result === undefined || result === null) continue;
    if (!isTensor(result) || !sameShape(result.shape, g.shape)) {
      const got = isTensor(result) ? `a tensor of shape ${formatShape(result.shape)}` : `${typeof result} ${String(result)}`;
      throw new GraphError(
        `backward: gradient hook #${i} of a tensor of shape ${formatShape(g.shape)} returned ${got}; a hook returns nothing (keeping the gradient) or a tensor of the gradient's shape`,
        { where: 'backward' },
      );
    }
    g = result;
  }
  return g;
}
