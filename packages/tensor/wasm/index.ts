// Entry of the WebAssembly kernels of @backprop/tensor (AssemblyScript), compiled by wasm/build.mjs
// into src/backend/wasm/kernels.ts.
export { addRowBias, gemmNT, gemmPacked, packA, packB } from './gemm';
export { adam, binaryRows, im2col, maxPoolInside, relu, sumRows } from './elementwise';
