import { add, assertNotTracing, div, mean, mul, noGrad, sqrt, sub, type Tensor, variance } from '@backprop/engine';
import { formatShape, type NDArray, optionKeys } from '@backprop/tensor';
import { initializers } from './init.js';
import { type LayerConfig, Module, moduleShapeError } from './module.js';
import { checkInteger, checkLayerOptions, checkRange, type ParameterOptions, parameterDType } from './options.js';

/** Options of the batch-normalisation layers. */
export interface BatchNormOptions extends ParameterOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1, as PyTorch). */
  momentum?: number;
  /** Learnable scale γ and shift β (default true). */
  affine?: boolean;
}

const batchNormKeys = optionKeys({ eps: true, momentum: true, affine: true } satisfies Record<
  Exclude<keyof BatchNormOptions, keyof ParameterOptions>,
  true
>);

abstract class BatchNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly eps: number;
  readonly momentum: number;
  constructor(
    private readonly kind: 'BatchNorm1d' | 'BatchNorm2d',
    readonly numFeatures: number,
    options: BatchNormOptions,
  ) {
    super();
    options ??= {};
    checkLayerOptions(options, kind, batchNormKeys);
    checkInteger(numFeatures, kind, 'numFeatures');
    this.eps = checkRange(options.eps ?? 1e-5, kind, 'eps', 0, Number.MAX_VALUE);
    this.momentum = checkRange(options.momentum ?? 0.1, kind, 'momentum', 0, 1);
    const dtype = parameterDType(options, kind);
    const context = { shape: [numFeatures], fanIn: numFeatures, fanOut: numFeatures, dtype };
    const affine = options.affine ?? true;
    this.weight = affine ? this.parameter('weight', initializers.ones()(context)) : null;
    this.bias = affine ? this.parameter('bias', initializers.zeros()(context)) : null;
    this.runningMean = this.buffer('runningMean', initializers.zeros()(context));
    this.runningVar = this.buffer('runningVar', initializers.ones()(context));
  }
  override get typeName(): string {
    return this.kind;
  }
  /** Axes the statistics are taken over, and the shape γ, β and the statistics broadcast as. */
  protected abstract layout(x: Tensor): { axes: number[]; view: number[] } | null;

  forward(x: Tensor): Tensor {
    const layout = x?.shape ? this.layout(x) : null;
    if (layout === null) {
      const expected =
        this.kind === 'BatchNorm1d' ? `[N, ${this.numFeatures}] or [N, ${this.numFeatures}, L]` : `[N, ${this.numFeatures}, H, W]`;
      throw moduleShapeError(
        this,
        `expected input ${expected}, got ${x?.shape ? formatShape(x.shape) : String(x)}`,
        x?.shape ? [x.shape] : [],
      );
    }
    const { axes, view } = layout;
    let mu: Tensor;
    let sigma2: Tensor;
    if (this.training) {
      assertNotTracing(this.kind, 'updates its running statistics on every call in training mode');
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      // One value per channel normalises to 0 whatever it is, and pulls the running variance
      // towards 0: refused, as PyTorch does.
      if (count === 1) {
        throw moduleShapeError(
          this,
          `needs more than one value per channel in training mode, got input ${formatShape(x.shape)} (train with batches of 2 or more — fit's dropLast skips a last batch of one — or call eval() first)`,
          [x.shape],
        );
      }
      mu = mean(x, axes, { keepDims: true });
      sigma2 = variance(x, axes, { keepDims: true, correction: 0 });
      noGrad(() => {
        // Running variance uses the unbiased estimate, as PyTorch.
        const m = this.momentum;
        const unbiased = count / (count - 1);
        blend(this.runningMean.value, mu.value, m, 1);
        blend(this.runningVar.value, sigma2.value, m, unbiased);
      });
    } else {
      mu = this.runningMean.reshape(view);
      sigma2 = this.runningVar.reshape(view);
    }
    let y = div(sub(x, mu), sqrt(add(sigma2, this.eps)));
    if (this.weight && this.bias) y = add(mul(y, this.weight.reshape(view)), this.bias.reshape(view));
    return y;
  }

  override getConfig(): LayerConfig {
    return {
      type: this.kind,
      numFeatures: this.numFeatures,
      eps: this.eps,
      momentum: this.momentum,
      affine: this.weight !== null,
      dtype: this.runningMean.dtype,
    };
  }
}

/** running ← (1 − m)·running + m·scale·batch, in place. */
function blend(running: NDArray, batch: NDArray, m: number, scale: number): void {
  for (let i = 0; i < running.size; i++) running.data[i] = (1 - m) * running.data[i] + m * scale * batch.data[i];
}

/**
 * Batch normalisation over `[N, C]` or `[N, C, L]` input, per feature C: in training it
 * normalises with the batch mean and biased variance and updates running averages (momentum
 * 0.1, unbiased variance); in evaluation it uses the running averages. Then y = γ·x̂ + β.
 * Training needs more than one value per feature (a batch of one `[1, C]` throws, as in PyTorch).
 * In training mode it cannot be traced by `compileBackward` (the running averages would never be
 * updated): tracing it throws a CompileError.
 * @example new BatchNorm1d(128)
 */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }
  protected layout(x: Tensor) {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) return null;
    return x.ndim === 2 ? { axes: [0], view: [1, this.numFeatures] } : { axes: [0, 2], view: [1, this.numFeatures, 1] };
  }
}

/**
 * Batch normalisation over NCHW input, per channel (statistics over N, H and W). See {@link BatchNorm1d}.
 * @example new BatchNorm2d(16)
 */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }
  protected layout(x: Tensor) {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) return null;
    return { axes: [0, 2, 3], view: [1, this.numFeatures, 1, 1] };
  }
}

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions extends ParameterOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learnable per-element scale and shift (default true). */
  elementwiseAffine?: boolean;
}

const layerNormKeys = optionKeys({ eps: true, elementwiseAffine: true } satisfies Record<
  Exclude<keyof LayerNormOptions, keyof ParameterOptions>,
  true
>);

/**
 * Layer normalisation over the last `normalizedShape.length` axes of each sample (biased
 * variance, as PyTorch), then an element-wise affine map.
 * @example new LayerNorm(512).forward(x) // x: [batch, tokens, 512]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly eps: number;
  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    options ??= {};
    checkLayerOptions(options, 'LayerNorm', layerNormKeys);
    this.normalizedShape =
      typeof normalizedShape === 'number' ? [normalizedShape] : [...(Array.isArray(normalizedShape) ? normalizedShape : [Number.NaN])];
    this.normalizedShape.forEach((d) => checkInteger(d, 'LayerNorm', 'normalizedShape'));
    this.eps = checkRange(options.eps ?? 1e-5, 'LayerNorm', 'eps', 0, Number.MAX_VALUE);
    const dtype = parameterDType(options, 'LayerNorm');
    const context = { shape: this.normalizedShape, fanIn: 1, fanOut: 1, dtype };
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.parameter('weight', initializers.ones()(context)) : null;
    this.bias = affine ? this.parameter('bias', initializers.zeros()(context)) : null;
  }
  override get typeName(): string {
    return 'LayerNorm';
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (!x?.shape || x.ndim < k || this.normalizedShape.some((d, i) => x.shape[x.ndim - k + i] !== d)) {
      throw moduleShapeError(
        this,
        `expected input [*, ${this.normalizedShape.join(', ')}], got ${x?.shape ? formatShape(x.shape) : String(x)}`,
        x?.shape ? [x.shape] : [],
      );
    }
    const axes = this.normalizedShape.map((_, i) => x.ndim - k + i);
    const mu = mean(x, axes, { keepDims: true });
    const sigma2 = variance(x, axes, { keepDims: true, correction: 0 });
    const y = div(sub(x, mu), sqrt(add(sigma2, this.eps)));
    return this.weight && this.bias ? add(mul(y, this.weight), this.bias) : y;
  }
  override getConfig(): LayerConfig {
    return {
      type: 'LayerNorm',
      normalizedShape: this.normalizedShape,
      eps: this.eps,
      elementwiseAffine: this.weight !== null,
      dtype: this.weight?.dtype ?? 'float32',
    };
  }
}
