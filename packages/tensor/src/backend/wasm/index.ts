import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { conv2d, conv2dWeightGrad } from './conv.js';
import { adam, binary, im2col, maxPool, unary } from './elementwise.js';
import { gemm, gemmRowBias } from './gemm.js';

export { heapOf, wasmSimdSupported } from './module.js';

/**
 * The WebAssembly SIMD backend: float32 matrix products (with a row bias added in place) and
 * convolutions whose columns stay in its memory, large element-wise ops, im2col, max
 * pooling and the Adam step in 128-bit SIMD kernels, the rest in plain TypeScript. Sums and the
 * Adam step are computed in float32 (the JS kernels use float64), so results differ from the
 * reference by float32 rounding; the conformance suite allows for that.
 * @example if (wasmSimdSupported()) setBackend(wasmBackend);
 */
export const wasmBackend: Backend = {
  ...jsBackend,
  name: 'wasm-simd',
  gemm,
  gemmRowBias,
  unary,
  binary,
  maxPool,
  im2col,
  conv2d,
  conv2dWeightGrad,
  adam,
};
