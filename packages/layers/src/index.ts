/**
 * @backprop/layers — `Module` (named parameters, sub-modules, train/eval, state dicts),
 * `Sequential`, the layer catalogue (Dense, Conv2d, pooling, Flatten, Dropout, BatchNorm,
 * LayerNorm, Embedding), activations as functions, layers and by name, seeded initializers, and
 * JSON configs so models can be saved and loaded.
 * @packageDocumentation
 */

export {
  type ActivationName,
  activation,
  activationFunction,
  activationNames,
  ELU,
  elu,
  GELU,
  gelu,
  Identity,
  identity,
  LeakyReLU,
  LogSoftmax,
  leakyRelu,
  logSoftmax,
  ReLU,
  relu,
  SELU,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  selu,
  sigmoid,
  silu,
  softmax,
  softplus,
  swish,
  Tanh,
  tanh,
} from './activations.js';
export { AvgPool2d, Conv2d, type Conv2dLayerOptions, MaxPool2d, type Pool2dLayerOptions } from './conv.js';
export { Dense, type DenseOptions, Linear } from './dense.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Flatten } from './flatten.js';
export {
  type InitContext,
  type Initializer,
  type InitializerName,
  type InitializerSpec,
  initializers,
  resolveInitializer,
} from './init.js';
export { type LayerConfig, type LoadStateOptions, Module } from './module.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions, LayerNorm, type LayerNormOptions } from './normalization.js';
export type { ParameterOptions } from './options.js';
export { LSTM, type LSTMState } from './recurrent.js';
export { type FromConfigOptions, type LayerFactory, layerFromConfig, layerTypes, registerLayer } from './registry.js';
export { Sequential } from './sequential.js';
