export { type ActivationSpec, elu, gelu, leakyRelu, selu, silu, softplus } from './activation.js';
export { add, div, maximum, minimum, mul, neg, pow, sub } from './arithmetic.js';
export { equal, greater, greaterEqual, less, lessEqual, notEqual } from './compare.js';
export { avgPool2d, type Conv2dOptions, conv2d, fold2d, maxPool2d, type Pool2dOptions, unfold2d } from './conv.js';
export { gather, indexAdd, oneHot, scatterAdd, take, where } from './indexing.js';
export { linear } from './linear.js';
export { type MatmulOptions, matmul } from './matmul.js';
export { type MlpActivation, type MlpLayer, mlp } from './mlp.js';
export { argmax, argmin, logSumExp, max, mean, min, prod, type ReduceOptions, sum, variance } from './reduce.js';
export { astype, broadcastTo, flatten, permute, reshape, squeeze, sumTo, swapAxes, transpose, unsqueeze } from './shape.js';
export { concat, flip, pad, slice, split, stack } from './slice.js';
export { logSoftmax, softmax } from './softmax.js';
export {
  abs,
  ceil,
  clamp,
  cos,
  erf,
  exp,
  expm1,
  floor,
  log,
  log1p,
  reciprocal,
  relu,
  round,
  sigmoid,
  sign,
  sin,
  sqrt,
  square,
  tanh,
} from './unary.js';
