import {
  elu,
  gelu,
  leakyRelu,
  logSoftmax as logSoftmaxOp,
  relu as reluOp,
  selu,
  sigmoid as sigmoidOp,
  silu,
  softmax as softmaxOp,
  softplus,
  type Tensor,
  tanh as tanhOp,
} from '@backprop/engine';
import { ArgumentError, checkOptionKeys } from '@backprop/tensor';
import { type LayerConfig, Module } from './module.js';

// Activation functions, each an engine op: sigmoid, tanh and relu with the textbook derivative
// (σ' = σ(1 − σ), tanh' = 1 − tanh², relu' = [z > 0]); leakyRelu, elu, selu, gelu, softplus and
// silu with the function and its derivative per element (engine/src/ops/activation.ts). No
// formula evaluates exp of a large positive number, so no branch produces Infinity (or NaN in
// backward).

/** σ(z) = 1 / (1 + e⁻ᶻ); σ'(z) = σ(z)(1 − σ(z)). */
export const sigmoid = (x: Tensor): Tensor => sigmoidOp(x);
/** tanh z; tanh'(z) = 1 − tanh²(z). */
export const tanh = (x: Tensor): Tensor => tanhOp(x);
/** max(0, z); derivative 1 for z > 0, else 0. */
export const relu = (x: Tensor): Tensor => reluOp(x);
export { elu, gelu, leakyRelu, selu, silu, softplus };
/** Alias of {@link silu}. */
export const swish: typeof silu = silu;
/** Softmax along `axis` (default −1). */
export const softmax = (x: Tensor, axis = -1): Tensor => softmaxOp(x, axis);
/** Log-softmax along `axis` (default −1). */
export const logSoftmax = (x: Tensor, axis = -1): Tensor => logSoftmaxOp(x, axis);
/** Returns its input. */
export const identity = (x: Tensor): Tensor => x;

/** Activation layers: each wraps one function above, with its options bound. */
abstract class Activation extends Module {
  constructor(
    readonly type: string,
    private readonly fn: (x: Tensor) => Tensor,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
  override get typeName(): string {
    return this.type;
  }
  override getConfig(): LayerConfig {
    return { type: this.type };
  }
}

/** Layer form of {@link sigmoid}. */
export class Sigmoid extends Activation {
  constructor() {
    super('Sigmoid', sigmoid);
  }
}
/** Layer form of {@link tanh}. */
export class Tanh extends Activation {
  constructor() {
    super('Tanh', tanh);
  }
}
/** Layer form of {@link relu}. */
export class ReLU extends Activation {
  constructor() {
    super('ReLU', relu);
  }
}
/** Layer form of {@link leakyRelu}. */
export class LeakyReLU extends Activation {
  constructor(readonly slope = 0.01) {
    super('LeakyReLU', (x) => leakyRelu(x, slope));
    checkNumber(slope, 'LeakyReLU', 'slope');
  }
  override getConfig(): LayerConfig {
    return { type: this.type, slope: this.slope };
  }
}
/** Layer form of {@link elu}. */
export class ELU extends Activation {
  constructor(readonly alpha = 1) {
    super('ELU', (x) => elu(x, alpha));
    checkNumber(alpha, 'ELU', 'alpha');
  }
  override getConfig(): LayerConfig {
    return { type: this.type, alpha: this.alpha };
  }
}
/** Layer form of {@link selu}. */
export class SELU extends Activation {
  constructor() {
    super('SELU', selu);
  }
}
/** Layer form of {@link gelu}. */
export class GELU extends Activation {
  readonly approximate: 'none' | 'tanh';
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    checkOptionKeys(options, ['approximate'], 'GELU');
    const approximate = options?.approximate ?? 'none';
    super('GELU', (x) => gelu(x, { approximate }));
    this.approximate = approximate;
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new ArgumentError(`GELU: 'approximate' must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`, {
        where: 'GELU',
        argument: 'approximate',
      });
    }
  }
  override getConfig(): LayerConfig {
    return { type: this.type, approximate: this.approximate };
  }
}
/** Layer form of {@link softplus}. */
export class Softplus extends Activation {
  constructor(readonly beta = 1) {
    super('Softplus', (x) => softplus(x, beta));
    checkNumber(beta, 'Softplus', 'beta', true);
  }
  override getConfig(): LayerConfig {
    return { type: this.type, beta: this.beta };
  }
}
/** Layer form of {@link silu} (also known as swish). */
export class SiLU extends Activation {
  constructor() {
    super('SiLU', silu);
  }
}
/** Layer form of {@link softmax}. */
export class Softmax extends Activation {
  constructor(readonly axis = -1) {
    super('Softmax', (x) => softmax(x, axis));
    checkNumber(axis, 'Softmax', 'axis');
  }
  override getConfig(): LayerConfig {
    return { type: this.type, axis: this.axis };
  }
}
/** Layer form of {@link logSoftmax}. */
export class LogSoftmax extends Activation {
  constructor(readonly axis = -1) {
    super('LogSoftmax', (x) => logSoftmax(x, axis));
    checkNumber(axis, 'LogSoftmax', 'axis');
  }
  override getConfig(): LayerConfig {
    return { type: this.type, axis: this.axis };
  }
}
/** A layer that returns its input. */
export class Identity extends Activation {
  constructor() {
    super('Identity', identity);
  }
}

function checkNumber(value: number, where: string, argument: string, positive = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new ArgumentError(`${where}: '${argument}' must be a ${positive ? 'positive ' : ''}finite number, got ${String(value)}`, {
      where,
      argument,
    });
  }
}

/** The activation names accepted by {@link activation} and {@link activationFunction}. */
export type ActivationName =
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'elu'
  | 'selu'
  | 'gelu'
  | 'geluTanh'
  | 'softplus'
  | 'silu'
  | 'swish'
  | 'softmax'
  | 'logSoftmax'
  | 'identity'
  | 'linear';

const byName: Record<ActivationName, () => Activation> = {
  sigmoid: () => new Sigmoid(),
  tanh: () => new Tanh(),
  relu: () => new ReLU(),
  leakyRelu: () => new LeakyReLU(),
  elu: () => new ELU(),
  selu: () => new SELU(),
  gelu: () => new GELU(),
  geluTanh: () => new GELU({ approximate: 'tanh' }),
  softplus: () => new Softplus(),
  silu: () => new SiLU(),
  swish: () => new SiLU(),
  softmax: () => new Softmax(),
  logSoftmax: () => new LogSoftmax(),
  identity: () => new Identity(),
  linear: () => new Identity(),
};

/** The names of every built-in activation. */
export const activationNames = Object.keys(byName) as ActivationName[];

/**
 * An activation layer by name (as in configs and the CLI's `--activation`). Unknown names throw,
 * listing the known ones.
 * @example new Sequential(new Dense(2, 4), activation('tanh'), new Dense(4, 1))
 */
export function activation(name: ActivationName | string): Module {
  const make = byName[name as ActivationName];
  if (typeof make !== 'function' || !Object.hasOwn(byName, name)) {
    throw new ArgumentError(`activation: unknown activation ${JSON.stringify(name)}; known: ${activationNames.join(', ')}`, {
      where: 'activation',
      argument: 'name',
    });
  }
  return make();
}

/**
 * The activation function for a name, e.g. for a custom layer configured by name.
 * @example const f = activationFunction('gelu'); f(x)
 */
export function activationFunction(name: ActivationName | string): (x: Tensor) => Tensor {
  const layer = activation(name);
  return (x) => layer.forward(x);
}
