import { ArgumentError, BackpropError, checkOptionKeys } from '@backprop/tensor';
import { ELU, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, SELU, Sigmoid, SiLU, Softmax, Softplus, Tanh } from './activations.js';
import { AvgPool2d, Conv2d, MaxPool2d } from './conv.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Flatten } from './flatten.js';
import type { LayerConfig, Module } from './module.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from './normalization.js';
import { LSTM } from './recurrent.js';
import { Sequential } from './sequential.js';

/**
 * Builds a layer from its JSON config. `build` turns nested configs (e.g. of a container's
 * children) into modules, so custom containers can hold any registered layer.
 */
export type LayerFactory = (config: LayerConfig, build: (config: LayerConfig) => Module) => Module;

type Options = Record<string, unknown>;
/** A config's options for the constructor: every entry but `type` and the constructor's positional arguments. */
const o = (c: LayerConfig, ...positional: string[]): Options => {
  const options: Options = {};
  for (const [key, value] of Object.entries(c)) if (key !== 'type' && !positional.includes(key)) options[key] = value;
  return options;
};
const num = (c: LayerConfig, key: string) => c[key] as number;
/** The config of a layer without an options object: only `type` and `keys` (a misspelt key would be ignored). */
const only = (c: LayerConfig, ...keys: string[]): LayerConfig => {
  checkOptionKeys(c, ['type', ...keys], c.type);
  return c;
};

/** A layer without options: its config is `{ type }` alone. */
const bare =
  (make: () => Module): LayerFactory =>
  (c) => {
    only(c);
    return make();
  };

const builtins: Record<string, LayerFactory> = {
  Sequential: (c, build) => {
    const layers = only(c, 'layers').layers;
    if (!Array.isArray(layers)) throw new ArgumentError("'layers' must be an array of layer configs", { argument: 'layers' });
    return new Sequential(...layers.map((layer) => build(layer as LayerConfig)));
  },
  Dense: (c) => new Dense(num(c, 'inFeatures'), num(c, 'outFeatures'), o(c, 'inFeatures', 'outFeatures')),
  Linear: (c) => new Dense(num(c, 'inFeatures'), num(c, 'outFeatures'), o(c, 'inFeatures', 'outFeatures')),
  Conv2d: (c) =>
    new Conv2d(num(c, 'inChannels'), num(c, 'outChannels'), c.kernelSize as number, o(c, 'inChannels', 'outChannels', 'kernelSize')),
  MaxPool2d: (c) => new MaxPool2d(c.kernelSize as number, o(c, 'kernelSize')),
  AvgPool2d: (c) => new AvgPool2d(c.kernelSize as number, o(c, 'kernelSize')),
  Flatten: (c) => new Flatten((only(c, 'startAxis', 'endAxis').startAxis as number) ?? 1, (c.endAxis as number) ?? -1),
  Dropout: (c) => new Dropout((only(c, 'p').p as number) ?? 0.5),
  BatchNorm1d: (c) => new BatchNorm1d(num(c, 'numFeatures'), o(c, 'numFeatures')),
  BatchNorm2d: (c) => new BatchNorm2d(num(c, 'numFeatures'), o(c, 'numFeatures')),
  LayerNorm: (c) => new LayerNorm(c.normalizedShape as number[], o(c, 'normalizedShape')),
  Embedding: (c) => new Embedding(num(c, 'numEmbeddings'), num(c, 'embeddingDim'), o(c, 'numEmbeddings', 'embeddingDim')),
  LSTM: (c) => new LSTM(num(c, 'inputSize'), num(c, 'hiddenSize'), o(c, 'inputSize', 'hiddenSize')),
  Sigmoid: bare(() => new Sigmoid()),
  Tanh: bare(() => new Tanh()),
  ReLU: bare(() => new ReLU()),
  LeakyReLU: (c) => new LeakyReLU((only(c, 'slope').slope as number) ?? 0.01),
  ELU: (c) => new ELU((only(c, 'alpha').alpha as number) ?? 1),
  SELU: bare(() => new SELU()),
  GELU: (c) => new GELU({ approximate: (only(c, 'approximate').approximate as 'none' | 'tanh') ?? 'none' }),
  Softplus: (c) => new Softplus((only(c, 'beta').beta as number) ?? 1),
  SiLU: bare(() => new SiLU()),
  Softmax: (c) => new Softmax((only(c, 'axis').axis as number) ?? -1),
  LogSoftmax: (c) => new LogSoftmax((only(c, 'axis').axis as number) ?? -1),
  Identity: bare(() => new Identity()),
};

const registered = new Map<string, LayerFactory>();

/**
 * Makes a custom layer type loadable from model files (and from {@link layerFromConfig}).
 * Its `getConfig()` must return `{ type: <the same name>, ...options }`.
 * @example
 * registerLayer('Scale', (config) => new Scale(config.size as number));
 */
export function registerLayer(type: string, factory: LayerFactory): void {
  if (typeof type !== 'string' || type === '' || typeof factory !== 'function') {
    throw new ArgumentError('registerLayer: expected a non-empty type name and a factory function', {
      where: 'registerLayer',
      argument: 'type',
    });
  }
  if (Object.hasOwn(builtins, type)) {
    throw new ArgumentError(`registerLayer: '${type}' is a built-in layer type; choose another name`, {
      where: 'registerLayer',
      argument: 'type',
    });
  }
  registered.set(type, factory);
}

/** Every type name {@link layerFromConfig} knows: built-ins and registered custom layers. */
export function layerTypes(): string[] {
  return [...Object.keys(builtins), ...registered.keys()];
}

/** Options of {@link layerFromConfig}. */
export interface FromConfigOptions {
  /** Extra layer types for this call only (take precedence over {@link registerLayer}). */
  layers?: Record<string, LayerFactory>;
}

/**
 * Builds a module from its JSON description (as written by `getConfig()`). Errors name the
 * path inside the description, e.g. `layers[2] (Dense): 'inFeatures' must be an integer ≥ 1`.
 * @example layerFromConfig({ type: 'Sequential', layers: [{ type: 'Dense', inFeatures: 2, outFeatures: 1 }] })
 */
export function layerFromConfig(config: LayerConfig, options: FromConfigOptions = {}): Module {
  options ??= {};
  checkOptionKeys(options, ['layers'], 'layerFromConfig');
  const build = (c: LayerConfig, path: string): Module => {
    if (typeof c !== 'object' || c === null || typeof c.type !== 'string') {
      throw new ArgumentError(`${path}: a layer config must be an object with a string 'type', got ${JSON.stringify(c) ?? String(c)}`, {
        where: path,
        argument: 'type',
      });
    }
    const extra = options.layers && Object.hasOwn(options.layers, c.type) ? options.layers[c.type] : undefined;
    const factory = extra ?? (Object.hasOwn(builtins, c.type) ? builtins[c.type] : registered.get(c.type));
    if (!factory) {
      const known = [...layerTypes(), ...Object.keys(options.layers ?? {})].join(', ');
      throw new ArgumentError(`${path}: unknown layer type '${c.type}'; known: ${known} (register custom layers with registerLayer())`, {
        where: path,
        argument: 'type',
      });
    }
    let child = 0;
    try {
      return factory(c, (nested) => build(nested, `${path}.layers[${child++}]`));
    } catch (error) {
      if (BackpropError.isInstance(error) && !error.message.startsWith(path)) error.message = `${path} (${c.type}): ${error.message}`;
      throw error;
    }
  };
  return build(config, 'model');
}
