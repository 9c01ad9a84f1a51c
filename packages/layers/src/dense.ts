import { linear, type Tensor } from '@backprop/engine';
import { formatShape, optionKeys } from '@backprop/tensor';
import { type InitializerSpec, resolveInitializer } from './init.js';
import { type LayerConfig, Module, moduleShapeError } from './module.js';
import { checkInteger, checkLayerOptions, type ParameterOptions, parameterDType } from './options.js';

/** Options of {@link Dense}. */
export interface DenseOptions extends ParameterOptions {
  /** Add a bias vector (default true). */
  bias?: boolean;
  /** Weight initializer; default `'uniformFanIn'`, U(±1/√inFeatures), as PyTorch's `nn.Linear`. */
  weightInitializer?: InitializerSpec;
  /** Bias initializer; default `'uniformFanIn'`, as PyTorch. */
  biasInitializer?: InitializerSpec;
}

const denseKeys = optionKeys({ bias: true, weightInitializer: true, biasInitializer: true } satisfies Record<
  Exclude<keyof DenseOptions, keyof ParameterOptions>,
  true
>);

/**
 * Fully connected layer `y = x·W + b`, with weight `W` of shape `[inFeatures, outFeatures]`
 * (note: PyTorch's `nn.Linear` stores the transpose, `[out, in]`) and bias `[outFeatures]`.
 * Input `[..., inFeatures]`, output `[..., outFeatures]`.
 * @example
 * const fc = new Dense(784, 128);
 * fc.forward(images).shape // [batch, 128]
 */
export class Dense extends Module {
  /** `[inFeatures, outFeatures]`. */
  readonly weight: Tensor;
  /** `[outFeatures]`, or null without bias. */
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: DenseOptions = {},
  ) {
    super();
    options ??= {};
    checkLayerOptions(options, 'Dense', denseKeys);
    checkInteger(inFeatures, 'Dense', 'inFeatures');
    checkInteger(outFeatures, 'Dense', 'outFeatures');
    const dtype = parameterDType(options, 'Dense');
    const context = { fanIn: inFeatures, fanOut: outFeatures, dtype, generator: options.generator };
    this.weight = this.parameter(
      'weight',
      resolveInitializer(options.weightInitializer ?? 'uniformFanIn', 'Dense')({ ...context, shape: [inFeatures, outFeatures] }),
    );
    this.bias =
      options.bias === false
        ? null
        : this.parameter(
            'bias',
            resolveInitializer(options.biasInitializer ?? 'uniformFanIn', 'Dense')({ ...context, shape: [outFeatures] }),
          );
  }

  override get typeName(): string {
    return 'Dense';
  }

  forward(x: Tensor): Tensor {
    if (x?.ndim === undefined || x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw moduleShapeError(
        this,
        `expected input [*, ${this.inFeatures}], got ${x?.shape ? formatShape(x.shape) : String(x)}`,
        x?.shape ? [x.shape, this.weight.shape] : [],
      );
    }
    return linear(x, this.weight, this.bias);
  }

  override getConfig(): LayerConfig {
    return {
      type: 'Dense',
      inFeatures: this.inFeatures,
      outFeatures: this.outFeatures,
      bias: this.bias !== null,
      dtype: this.weight.dtype,
    };
  }
}

/** PyTorch's name for {@link Dense} (same layer, same `[in, out]` weight layout). */
export const Linear = Dense;
