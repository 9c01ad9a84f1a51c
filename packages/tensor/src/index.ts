/**
 * @backprop/tensor — n-dimensional arrays with broadcasting, fast kernels and a seedable PRNG.
 * No autodiff: for gradients use `@backprop/engine`.
 * @packageDocumentation
 */

export type { AdamHyper, Backend, BinaryOp, GemmArguments, ReduceOp, UnaryOp, WindowGeometry } from './backend/backend.js';
export { jsBackend } from './backend/js/index.js';
export { erf as scalarErf, sigmoid as scalarSigmoid } from './backend/js/scalar.js';
export { getBackend, setBackend } from './backend/registry.js';
export { wasmBackend, wasmSimdSupported } from './backend/wasm/index.js';
export { allocate, type DType, type DTypeArrayMap, isDType, isFloating, promoteTypes, type TypedArray } from './dtype.js';
export { ArgumentError, BackpropError, DTypeError, FileFormatError, formatShape, ShapeError } from './errors.js';
export { formatArray, formatNumber } from './format.js';
export { isNDArray, NDArray, type NestedArray, wrapChecked } from './ndarray.js';
export {
  add,
  div,
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  maximum,
  minimum,
  mul,
  notEqual,
  pow,
  reluGrad,
  sigmoidGrad,
  sub,
  tanhGrad,
} from './ops/binary.js';
export { checkStackShapes, concat, split, splitSizes, stack } from './ops/concat.js';
export {
  arange,
  array,
  type CreateOptions,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  scalar,
  zeros,
  zerosLike,
} from './ops/create.js';
export { flip } from './ops/flip.js';
export { gather, indexAdd, scatterAdd, take } from './ops/gather.js';
export { type MatmulOptions, matmul, vectorProductShape } from './ops/matmul.js';
export { oneHot } from './ops/onehot.js';
export { type PadWidths, pad } from './ops/pad.js';
export { broadcastTo, inversePermutation, permute, swapAxes, transpose } from './ops/permute.js';
export { allFinite, isFiniteMask } from './ops/predicates.js';
export {
  type Axes,
  argmax,
  argmin,
  logSumExp,
  max,
  mean,
  min,
  prod,
  type ReduceOptions,
  sum,
  type VarianceOptions,
  variance,
} from './ops/reduce.js';
export { expandDims, flatten, reshape, squeeze, unsqueeze } from './ops/reshape.js';
export { resolveSlice, type SliceSpec, slice, sliceUpdate } from './ops/slice.js';
export { logSoftmax, softmax } from './ops/softmax.js';
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
  neg,
  reciprocal,
  relu,
  round,
  sigmoid,
  sign,
  sin,
  sqrt,
  square,
  tanh,
} from './ops/unary.js';
export { type ArrayOrScalar, astype, checkFinite, clone } from './ops/util.js';
export { where } from './ops/where.js';
export { fold2d, maxPool2dWithIndices, type Size2d, unfold2d, type WindowOptions, windowGeometry } from './ops/window.js';
export { checkOptionKeys, optionKeys } from './options.js';
export { Generator, globalGenerator, manualSeed } from './random/generator.js';
export { normal, permutation, type RandomOptions, rand, randint, randn, shuffle, uniform } from './random/sample.js';
export {
  broadcastShapes,
  broadcastStrides,
  checkShape,
  normalizeAxes,
  normalizeAxis,
  reducedShape,
  type Shape,
  sameShape,
  sizeOf,
  stridesOf,
} from './shape.js';
