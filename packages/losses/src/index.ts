/**
 * @backprop/losses — loss functions for `@backprop/engine`, with PyTorch's conventions and
 * reductions, numerically stable for extreme inputs, and errors that name wrong shapes and labels.
 * @packageDocumentation
 */

export {
  type BinaryOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type ClassOptions,
  type CrossEntropyOptions,
  crossEntropy,
  hinge,
  klDivergence,
  nllLoss,
} from './classification.js';
export { halfSquaredError, huber, l1, mae, mse, smoothL1 } from './regression.js';
export type { Reduction, ReductionOptions } from './util.js';
