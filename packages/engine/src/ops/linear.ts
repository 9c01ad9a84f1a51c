import * as T from '@backprop/tensor';
import { isGradEnabled } from '../mode.js';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { add } from './arithmetic.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { checkTensor, constant } from './util.js';

const transposeA = { transposeA: true } as const;
const transposeB = { transposeB: true } as const;

/**
 * A fully connected layer's product `x·W + b` (W is `[in, out]`, b `[out]`, x `[*, in]`) as one
 * recorded op. Its backward computes dx = dy·Wᵀ, dW = xᵀ·dy and db = Σ dy directly with the gemm's
 * transpose flags and one reduction — no intermediate graph nodes, which is what small networks
 * spend their time on. Recording the backward for higher derivatives (`createGraph`) uses the
 * differentiable ops instead. Mixed dtypes, vectors and other layouts take the composite path.
 * @example linear(x, w, b) // same values as x.matmul(w).add(b)
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(x, 'linear', 'x');
  checkTensor(weight, 'linear', 'weight');
  if (bias !== undefined && bias !== null) checkTensor(bias, 'linear', 'bias');
  const b = bias ?? null;
  const fused =
    x.ndim >= 2 &&
    weight.ndim === 2 &&
    x.shape[x.ndim - 1] === weight.shape[0] &&
    x.dtype === weight.dtype &&
    T.isFloating(x.dtype) &&
    (b === null || (b.ndim === 1 && b.shape[0] === weight.shape[1] && b.dtype === x.dtype));
  if (!fused) return b === null ? matmul(x, weight) : add(matmul(x, weight), b);
  const [inFeatures, outFeatures] = weight.shape;
  const rows = x.size / inFeatures;
  if (rows * inFeatures * outFeatures < tinyProduct && builtinBackend()) return tinyLinear(x, weight, b, rows, inFeatures, outFeatures);
  const product = T.matmul(x.value, weight.value);
  const value = b === null ? product : T.add(product, b.value);
  return record('linear', b === null ? [x, weight] : [x, weight, b], value, (dy) => {
    if (isGradEnabled()) return linearBackward(dy, x, weight, b, rows, inFeatures, outFeatures);
    // A batch of rows (the usual case) needs no reshaping.
    const matrix = x.ndim === 2;
    const flatDy = matrix ? dy.value : T.reshape(dy.value, [rows, outFeatures]);
    const dx = x.requiresGrad ? T.matmul(flatDy, weight.value, transposeB) : null;
    return [
      dx ? constant(matrix ? dx : T.reshape(dx, x.shape)) : null,
      weight.requiresGrad ? constant(T.matmul(matrix ? x.value : T.reshape(x.value, [rows, inFeatures]), flatDy, transposeA)) : null,
      b?.requiresGrad ? constant(T.sum(flatDy, 0)) : null,
    ];
  });
}

/**
 * Below this many multiply-adds, `linear` calls the plain-TypeScript gemm directly instead of going
 * through `matmul`, `add` and `sum`: a small network's layers cost their bookkeeping, not their
 * arithmetic. Both built-in backends run products this small on that gemm anyway (the WebAssembly
 * one starts at 16³), so the results are the same.
 */
export const tinyProduct = 4096;

/** The tiny path bypasses the backend, so only where the backend is a built-in one (not a user's). */
export const builtinBackend = (): boolean => {
  const backend = T.getBackend();
  return backend === T.jsBackend || backend === T.wasmBackend;
};

// The arithmetic of `linear`'s tiny path — x [m, k], W [k, n], results in `dtype` — shared with
// `mlp`, so the two agree bit for bit: the plain-TypeScript gemm's loops for tiny products (each
// entry a float64 sum from 0 over p in order, stored rounded), written out for each of the three
// products so that no flags, strides or fills are worked through — in small networks these run
// mostly before V8 has optimized them — and the bias added to the rounded product as `T.add`
// would.

/** x·W + b (`bs` null: no bias). */
export function tinyAffine(xs: T.TypedArray, ws: T.TypedArray, bs: T.TypedArray | null, m: number, k: number, n: number, dtype: T.DType) {
  const out = T.allocate(dtype, m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += xs[i * k + p] * ws[p * n + j];
      const o = i * n + j;
      out[o] = s;
      if (bs !== null) out[o] += bs[j];
    }
  }
  return out;
}

/** The input's gradient dy·Wᵀ, [m, k]. */
export function tinyInputGrad(dy: T.TypedArray, ws: T.TypedArray, m: number, k: number, n: number, dtype: T.DType) {
  const values = T.allocate(dtype, m * k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += dy[i * n + p] * ws[j * n + p];
      values[i * k + j] = s;
    }
  }
  return values;
}

/** The weight's gradient xᵀ·dy, [k, n]. */
export function tinyWeightGrad(xs: T.TypedArray, dy: T.TypedArray, m: number, k: number, n: number, dtype: T.DType) {
  const values = T.allocate(dtype, k * n);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < m; p++) s += xs[p * k + i] * dy[p * n + j];
      values[i * n + j] = s;
    }
  }
  return values;
}

/** The bias's gradient: Σ over the rows of dy, [n]. */
export function tinyBiasGrad(dy: T.TypedArray, m: number, n: number, dtype: T.DType) {
  const values = T.allocate(dtype, n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += dy[i * n + j];
    values[j] = s;
  }
  return values;
}

/**
 * `linear` for tiny products: the kernels above — the same arithmetic as the general path without
 * its checks, dispatch and intermediate arrays.
 */
function tinyLinear(x: Tensor, weight: Tensor, b: Tensor | null, m: number, k: number, n: number): Tensor {
  const xs = x.value.data;
  const ws = weight.value.data;
  const dtype = x.dtype;
  const shape = x.shape.slice();
  shape[shape.length - 1] = n;
  const value = T.wrapChecked(tinyAffine(xs, ws, b === null ? null : b.value.data, m, k, n, dtype), shape);
  return record('linear', b === null ? [x, weight] : [x, weight, b], value, (dy) => {
    if (isGradEnabled()) return linearBackward(dy, x, weight, b, m, k, n);
    const g = dy.value.data;
    return [
      x.requiresGrad ? constant(T.wrapChecked(tinyInputGrad(g, ws, m, k, n, dtype), x.shape)) : null,
      weight.requiresGrad ? constant(T.wrapChecked(tinyWeightGrad(xs, g, m, k, n, dtype), weight.shape)) : null,
      b?.requiresGrad ? constant(T.wrapChecked(tinyBiasGrad(g, m, n, dtype), [n])) : null,
    ];
  });
}

/** The backward of `linear` as differentiable ops, for recording it (`createGraph`). */
function linearBackward(dy: Tensor, x: Tensor, weight: Tensor, b: Tensor | null, rows: number, inFeatures: number, outFeatures: number) {
  const flatDy = reshape(dy, [rows, outFeatures]);
  return [
    x.requiresGrad ? reshape(matmul(flatDy, weight, { transposeB: true }), x.shape) : null,
    weight.requiresGrad ? matmul(reshape(x, [rows, inFeatures]), flatDy, { transposeA: true }) : null,
    b?.requiresGrad ? sum(flatDy, 0) : null,
  ];
}
