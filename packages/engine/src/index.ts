/**
 * @backprop/engine — define-by-run reverse-mode automatic differentiation on top of
 * `@backprop/tensor`: a differentiable `Tensor`, every op with its VJP, `backward()`,
 * functional `grad`/`valueAndGrad`, higher-order gradients, custom ops, hooks and anomaly mode.
 * @packageDocumentation
 */

export {
  ArgumentError,
  BackpropError,
  type DType,
  DTypeError,
  Generator,
  manualSeed,
  NDArray,
  type PadWidths,
  type Shape,
  ShapeError,
  type Size2d,
  type SliceSpec,
  type WindowOptions,
} from '@backprop/tensor';
export type { BackwardOptions } from './backward.js';
export { type CompiledOp, type CompiledSlot, compileBackward, type EmitContext } from './compile/index.js';
export {
  arange,
  eye,
  fromArray,
  full,
  linspace,
  normal,
  ones,
  onesLike,
  type RandomTensorOptions,
  rand,
  randint,
  randn,
  type TensorOptions,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from './create.js';
export { type CustomOpDefinition, customOp } from './custom-op.js';
export { AnomalyError, CompileError, GraphError } from './errors.js';
export { type GradientsOptions, type GradOptions, grad, gradients, valueAndGrad } from './functional.js';
export { memoized } from './memo.js';
export {
  detectAnomaly,
  enableGrad,
  type GradScope,
  isAnomalyEnabled,
  isGradEnabled,
  noGrad,
  noGradScope,
  setAnomalyMode,
  setGradEnabled,
} from './mode.js';
export type { Backward, GraphNode } from './node.js';
export * from './ops/index.js';
export { assertNotTracing, guardTrace, isTracing, record } from './record.js';
export { type Axes, type GradHook, isTensor, Tensor, type TensorLike } from './tensor.js';
