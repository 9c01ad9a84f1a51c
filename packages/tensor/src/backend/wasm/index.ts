import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { conv2d, conv2dWeightGrad } from './conv.js';
import { adam, binary, im2col, maxPool, reduce, unary } from './elementwise.js';
import { gemm, gemmRowBias } from './gemm.js';

export { heapOf, wasmSimdSupported } from './module.js';

/**
 * The WebAssembly SIMD backend: float32 matrix products (with a row bias added in place) and
 * convolutions whose columns stay in its memory, large element-wise ops, im2col, max
 * pooling, row sums and the Adam step in 128-bit SIMD kernels, the rest in plain TypeScript.
 * Matrix products and the Adam step are computed in float32 (the JS kernels use float64), so
 * results differ from the reference by float32 rounding; the conformance suite allows for that.
 * Reductions sum in float64 in the reference's order: the same bits.
 * @example if (wasmSimdSupported()) setBackend(wasmBackend);
 */
export const wasmBackend: Backend = {
  ...jsBackend,
  name: 'wasm-simd',
  gemm,
  gemmRowBias,
  unary,
  binary,
  reduce,
  maxPool,
  im2col,
  conv2d,
  conv2dWeightGrad,
  adam,
};
