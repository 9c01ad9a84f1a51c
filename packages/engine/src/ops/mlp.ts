import * as T from '@backprop/tensor';
import { composedVjp } from '../backward.js';
import { isAnomalyEnabled, isGradEnabled } from '../mode.js';
import { isTracing, record } from '../record.js';
import { isTensor, type Tensor } from '../tensor.js';
import { type ActivationKernel, type ActivationSpec, activationKernel, activationNames } from './activation.js';
import { builtinBackend, linear, tinyAffine, tinyBiasGrad, tinyInputGrad, tinyProduct, tinyWeightGrad } from './linear.js';
import { relu, sigmoid, tanh } from './unary.js';
import { checkTensor, constant } from './util.js';

/**
 * The activation of a layer of {@link mlp}: none (`'identity'`), the engine ops `relu`, `sigmoid`
 * and `tanh`, or `leakyRelu`, `elu`, `selu`, `gelu`, `softplus` and `silu` — by name with the ops'
 * default parameters, or as an object with them (`{ name: 'leakyRelu', slope: 0.2 }`,
 * `{ name: 'elu', alpha }`, `{ name: 'gelu', approximate: 'tanh' }`, `{ name: 'softplus', beta }`).
 */
export type MlpActivation = 'identity' | 'relu' | 'sigmoid' | 'tanh' | ActivationSpec;

/** The activations with a kernel of the plain-TypeScript backend (written with the output). */
type BackendActivation = 'relu' | 'sigmoid' | 'tanh';

/** One layer of {@link mlp}: `activation(x·weight + bias)`, with `weight` `[in, out]` and `bias` `[out]`. */
export interface MlpLayer {
  readonly weight: Tensor;
  /** Omitted or `null`: no bias. */
  readonly bias?: Tensor | null;
  /** Default `'identity'`. */
  readonly activation?: MlpActivation;
}

const activations: Record<BackendActivation, (x: Tensor) => Tensor> = { relu, sigmoid, tanh };
const isBackendActivation = (a: unknown): a is BackendActivation => a === 'sigmoid' || a === 'relu' || a === 'tanh';
/** The plain-TypeScript backend's gradient kernel of each activation, written with its output y (relu: [y > 0] = [x > 0]). */
const activationGrads = { relu: 'reluGrad', sigmoid: 'sigmoidGrad', tanh: 'tanhGrad' } as const;
const unit = [1] as const;

/**
 * A stack of fully connected layers, `activation(… activation(x·W₀ + b₀) … ·Wₙ + bₙ)`: the same
 * values and gradients as calling {@link linear} and the activation op layer by layer, bit for bit.
 * When every product is tiny (a small network, where an op costs its bookkeeping rather than its
 * arithmetic), it runs as **one** recorded op: one output tensor, one backward closure that walks
 * the layers in reverse with the same kernels — instead of two ops, two tensors and two
 * closures per layer. Otherwise (large layers, anomaly mode, `compileBackward` tracing, a
 * user-registered backend, mixed dtypes) it is exactly the layer-by-layer composition.
 * `Sequential` calls it for its runs of `Dense` and activation layers.
 *
 * @example
 * // A 2-4-1 sigmoid network on a batch of 4: one op instead of four.
 * const y = mlp(x, [
 *   { weight: w1, bias: b1, activation: 'sigmoid' },
 *   { weight: w2, bias: b2, activation: 'sigmoid' },
 * ]);
 */
export function mlp(x: Tensor, layers: readonly MlpLayer[]): Tensor {
  checkTensor(x, 'mlp', 'x');
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new T.ArgumentError('mlp: layers must be a non-empty array of { weight, bias?, activation? }', {
      where: 'mlp',
      argument: 'layers',
    });
  }
  let width = x.ndim === 0 ? -1 : x.shape[x.ndim - 1];
  /** The kernels of layers whose activation is none of identity, relu, sigmoid and tanh (none: `null`). */
  let kernels: (ActivationKernel | null)[] | null = null;
  let tiny = x.ndim >= 2 && T.isFloating(x.dtype) && builtinBackend() && !isTracing() && !isAnomalyEnabled();
  const rows = tiny ? x.size / width : 0;
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    // (Argument names are built only for the error: this runs for every layer of every step.)
    const weight = isTensor(layer?.weight) ? layer.weight : checkTensor(layer?.weight, 'mlp', `layers[${l}].weight`);
    const bias = layer.bias ?? null;
    if (bias !== null && !isTensor(bias)) checkTensor(bias, 'mlp', `layers[${l}].bias`);
    const activation = layer.activation ?? 'identity';
    if (activation !== 'identity' && !isBackendActivation(activation)) {
      // The other activations: their kernels, made once per layer and call (a name or options object).
      const kernel = activationKernel(activation, 'mlp', `layers[${l}].activation`);
      if (kernel === undefined) {
        const names = ['identity', ...Object.keys(activations), ...activationNames].join(', ');
        throw new T.ArgumentError(
          `mlp: layers[${l}].activation must be one of ${names} (or { name, …options }), got ${describe(activation)}`,
          {
            where: 'mlp',
            argument: `layers[${l}].activation`,
          },
        );
      }
      kernels ??= layers.map(() => null);
      kernels[l] = kernel;
    }
    if (weight.ndim !== 2 || weight.shape[0] !== width) {
      const input = l === 0 ? `x of shape ${T.formatShape(x.shape)}` : `layers[${l - 1}]'s output [*, ${width}]`;
      throw new T.ShapeError(`mlp: layers[${l}].weight has shape ${T.formatShape(weight.shape)}, which cannot take ${input}`, {
        where: 'mlp',
        shapes: [x.shape, weight.shape],
      });
    }
    const out = weight.shape[1];
    if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== out)) {
      throw new T.ShapeError(`mlp: layers[${l}].bias has shape ${T.formatShape(bias.shape)}, expected [${out}]`, {
        where: 'mlp',
        shapes: [weight.shape, bias.shape],
      });
    }
    tiny &&= weight.dtype === x.dtype && (bias === null || bias.dtype === x.dtype) && rows * width * out < tinyProduct;
    width = out;
  }
  return tiny ? fused(x, layers, rows, kernels) : composed(x, layers, kernels);
}

/** An activation as an error message shows it. */
function describe(activation: unknown): string {
  if (typeof activation !== 'object' || activation === null) return String(activation);
  try {
    return JSON.stringify(activation);
  } catch {
    return String(activation);
  }
}

/** The layer-by-layer composition: the definition of `mlp`, and its path for everything not tiny. */
function composed(x: Tensor, layers: readonly MlpLayer[], kernels: readonly (ActivationKernel | null)[] | null): Tensor {
  let h = x;
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    h = linear(h, layer.weight, layer.bias);
    const activation = layer.activation ?? 'identity';
    const kernel = kernels?.[l] ?? null;
    if (kernel !== null) h = kernel.apply(h);
    else if (isBackendActivation(activation)) h = activations[activation](h);
  }
  return h;
}

/**
 * One recorded op. Each layer is what `linear`'s tiny path and the activation op compute: `linear`'s
 * tiny kernels, then the JS backend's activation kernel (in place: it reads each element before
 * writing it); the backward runs its activation-gradient kernel and `linear`'s tiny gradient kernels.
 */
function fused(x: Tensor, layers: readonly MlpLayer[], rows: number, kernels: readonly (ActivationKernel | null)[] | null): Tensor {
  const dtype = x.dtype;
  const inputs: Tensor[] = [x];
  /** Each layer's output (after its activation), the input of the next. */
  const outputs: T.TypedArray[] = [];
  // Layers with a kernel activation: its input (the affine map's output) and what its forward
  // kept for the backward (only where a backward pass may follow), by layer; none otherwise.
  const before: (T.TypedArray | null)[] | null = kernels === null ? null : [];
  const kept: (Float64Array | null)[] | null = kernels === null ? null : [];
  const keep = isGradEnabled();
  let h = x.value.data;
  let width = x.shape[x.ndim - 1];
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    const { weight } = layer;
    const bias = layer.bias ?? null;
    const activation = layer.activation ?? 'identity';
    const n = weight.shape[1];
    let out = tinyAffine(h, weight.value.data, bias === null ? null : bias.value.data, rows, width, n, dtype);
    const kernel = kernels?.[l] ?? null;
    if (kernel !== null && before !== null && kept !== null) {
      // The activation op's own kernel, into a new array: its backward reads the input.
      const z = out;
      const saved = keep && kernel.keeps ? T.allocate('float64', z.length) : null;
      out = T.allocate(dtype, z.length);
      kernel.forward(z, out, saved);
      before[l] = z;
      kept[l] = saved;
    }
    // The plain-TypeScript backend's kernel, called directly: the tiny path stands in for that
    // backend, and the active backend's wrapper would only hand tiny arrays on to it.
    else if (isBackendActivation(activation)) T.jsBackend.unary(activation, out, out);
    inputs.push(weight);
    if (bias !== null) inputs.push(bias);
    outputs.push(out);
    h = out;
    width = n;
  }
  const shape = x.shape.slice();
  shape[shape.length - 1] = width;
  return record('mlp', inputs, T.wrapChecked(h, shape), (dy) => {
    // Recording the backward (createGraph): differentiate the composition instead.
    if (isGradEnabled()) return composedVjp(() => composed(x, layers, kernels), inputs, dy);
    const grads: (Tensor | null)[] = [];
    for (let i = 0; i < inputs.length; i++) grads.push(null);
    let g = dy.value.data;
    let slot = inputs.length;
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l];
      const { weight } = layer;
      const bias = layer.bias ?? null;
      const activation = layer.activation ?? 'identity';
      const k = weight.shape[0];
      const n = weight.shape[1];
      const hIn = l === 0 ? x.value.data : outputs[l - 1];
      const kernel = kernels?.[l] ?? null;
      if (kernel !== null && before !== null && kept !== null) {
        const through = T.allocate(dtype, rows * n);
        kernel.backward(before[l] as T.TypedArray, kept[l], g, through);
        g = through;
      } else if (isBackendActivation(activation)) {
        const through = T.allocate(dtype, rows * n);
        T.jsBackend.binary(activationGrads[activation], g, unit, outputs[l], unit, through, [rows * n]);
        g = through;
      }
      if (bias !== null) {
        slot--;
        if (bias.requiresGrad) grads[slot] = constant(T.wrapChecked(tinyBiasGrad(g, rows, n, dtype), [n]));
      }
      slot--;
      if (weight.requiresGrad) grads[slot] = constant(T.wrapChecked(tinyWeightGrad(hIn, g, rows, k, n, dtype), weight.shape));
      // The gradient of this layer's input: needed below unless nothing there requires one.
      if (l === 0 ? !x.requiresGrad : !upstreamRequiresGrad(x, layers, l)) break;
      g = tinyInputGrad(g, weight.value.data, rows, k, n, dtype);
      if (l === 0) grads[0] = constant(T.wrapChecked(g, x.shape));
    }
    return grads;
  });
}

/** Whether anything before layer `l` (x, or an earlier layer's parameters) requires a gradient. */
function upstreamRequiresGrad(x: Tensor, layers: readonly MlpLayer[], l: number): boolean {
  if (x.requiresGrad) return true;
  for (let i = 0; i < l; i++) if (layers[i].weight.requiresGrad || layers[i].bias?.requiresGrad) return true;
  return false;
}
