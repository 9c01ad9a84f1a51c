// Entry of the WebAssembly kernels of @backprop/tensor (AssemblyScript), compiled by wasm/build.mjs
// into src/backend/wasm/kernels.ts.
export { gemm } from './gemm';
export { binaryRows, maxPoolInside, relu } from './elementwise';
