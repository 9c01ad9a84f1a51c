import { avgPool2d, conv2d, maxPool2d, type Size2d, type Tensor } from '@backprop/engine';
import { formatShape, optionKeys } from '@backprop/tensor';
import { type InitializerSpec, resolveInitializer } from './init.js';
import { type LayerConfig, Module, moduleShapeError } from './module.js';
import { checkInteger, checkLayerOptions, checkSize2d, type ParameterOptions, parameterDType } from './options.js';

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions extends ParameterOptions {
  /** Step between windows (default 1). */
  stride?: Size2d;
  /** Zero padding on both sides (default 0). */
  padding?: Size2d;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2d;
  /** Channel groups (default 1); both channel counts must be divisible by it. */
  groups?: number;
  /** Add a bias per output channel (default true). */
  bias?: boolean;
  /** Weight initializer; default `'uniformFanIn'`, U(±1/√(inChannels/groups·kH·kW)), as PyTorch. */
  weightInitializer?: InitializerSpec;
  /** Bias initializer; default `'uniformFanIn'`, as PyTorch. */
  biasInitializer?: InitializerSpec;
}

const pair = (s: Size2d): [number, number] => (typeof s === 'number' ? [s, s] : [s[0], s[1]]);

/**
 * 2-D convolution (cross-correlation, as PyTorch) over NCHW input `[N, inChannels, H, W]`;
 * weight `[outChannels, inChannels/groups, kH, kW]`, bias `[outChannels]`; output
 * `[N, outChannels, outH, outW]` with `out = ⌊(in + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1`.
 * @example new Conv2d(1, 8, 3, { padding: 1 }).forward(images) // [n, 8, 28, 28] for 28×28 input
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: Size2d;
  readonly padding: Size2d;
  readonly dilation: Size2d;
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2d,
    options: Conv2dLayerOptions = {},
  ) {
    super();
    options ??= {};
    checkLayerOptions(options, 'Conv2d', convKeys);
    checkInteger(inChannels, 'Conv2d', 'inChannels');
    checkSize2d(kernelSize, 'Conv2d', 'kernelSize', 1);
    checkInteger(outChannels, 'Conv2d', 'outChannels');
    this.kernelSize = pair(kernelSize);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    for (const [name, value, min] of [
      ['stride', this.stride, 1],
      ['padding', this.padding, 0],
      ['dilation', this.dilation, 1],
    ] as const) {
      checkSize2d(value, 'Conv2d', name, min);
    }
    this.groups = checkInteger(options.groups ?? 1, 'Conv2d', 'groups');
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      checkInteger(Number.NaN, 'Conv2d', `groups (${this.groups} must divide inChannels ${inChannels} and outChannels ${outChannels})`);
    }
    const dtype = parameterDType(options, 'Conv2d');
    const [kH, kW] = this.kernelSize;
    const context = {
      // As PyTorch and Keras count them from the weight [out, in/groups, kH, kW]: the fan-out is
      // not divided by the groups.
      fanIn: (inChannels / this.groups) * kH * kW,
      fanOut: outChannels * kH * kW,
      dtype,
      generator: options.generator,
    };
    this.weight = this.parameter(
      'weight',
      resolveInitializer(
        options.weightInitializer ?? 'uniformFanIn',
        'Conv2d',
      )({ ...context, shape: [outChannels, inChannels / this.groups, kH, kW] }),
    );
    this.bias =
      options.bias === false
        ? null
        : this.parameter(
            'bias',
            resolveInitializer(options.biasInitializer ?? 'uniformFanIn', 'Conv2d')({ ...context, shape: [outChannels] }),
          );
  }

  override get typeName(): string {
    return 'Conv2d';
  }

  forward(x: Tensor): Tensor {
    if (x?.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw moduleShapeError(
        this,
        `expected input [N, ${this.inChannels}, H, W], got ${x?.shape ? formatShape(x.shape) : String(x)}`,
        x?.shape ? [x.shape] : [],
      );
    }
    return this.withContext(() =>
      conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups }),
    );
  }

  override getConfig(): LayerConfig {
    return {
      type: 'Conv2d',
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      bias: this.bias !== null,
      dtype: this.weight.dtype,
    };
  }
}

/** Options of the pooling layers. */
const convKeys = optionKeys({
  stride: true,
  padding: true,
  dilation: true,
  groups: true,
  bias: true,
  weightInitializer: true,
  biasInitializer: true,
} satisfies Record<Exclude<keyof Conv2dLayerOptions, keyof ParameterOptions>, true>);

export interface Pool2dLayerOptions {
  /** Step between windows; default the kernel size. */
  stride?: Size2d;
  /** Padding on both sides (default 0). */
  padding?: Size2d;
}

const poolKeys = optionKeys({ stride: true, padding: true } satisfies Record<keyof Pool2dLayerOptions, true>);

abstract class Pool2d extends Module {
  readonly kernelSize: Size2d;
  readonly stride: Size2d;
  readonly padding: Size2d;
  constructor(
    private readonly kind: 'MaxPool2d' | 'AvgPool2d',
    kernelSize: Size2d,
    options: Pool2dLayerOptions = {},
  ) {
    super();
    options ??= {};
    checkLayerOptions(options, kind, poolKeys, false);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    for (const [name, value, min] of [
      ['kernelSize', kernelSize, 1],
      ['stride', this.stride, 1],
      ['padding', this.padding, 0],
    ] as const) {
      checkSize2d(value, kind, name, min);
    }
  }
  override get typeName(): string {
    return this.kind;
  }
  forward(x: Tensor): Tensor {
    if (x?.ndim !== 4)
      throw moduleShapeError(
        this,
        `expected input [N, C, H, W], got ${x?.shape ? formatShape(x.shape) : String(x)}`,
        x?.shape ? [x.shape] : [],
      );
    const options = { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
    return this.withContext(() => (this.kind === 'MaxPool2d' ? maxPool2d(x, options) : avgPool2d(x, options)));
  }
  override getConfig(): LayerConfig {
    return { type: this.kind, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
  }
}

/**
 * Maximum over each window (NCHW); stride defaults to the window size.
 * @example new MaxPool2d(2).forward(x) // halves H and W
 */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: Size2d, options: Pool2dLayerOptions = {}) {
    super('MaxPool2d', kernelSize, options);
  }
}

/**
 * Mean over each window (NCHW); zero padding counts in the mean, as PyTorch's default.
 * @example new AvgPool2d(2).forward(x)
 */
export class AvgPool2d extends Pool2d {
  constructor(kernelSize: Size2d, options: Pool2dLayerOptions = {}) {
    super('AvgPool2d', kernelSize, options);
  }
}
