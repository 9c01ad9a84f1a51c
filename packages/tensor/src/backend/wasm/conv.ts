import type { Backend, WindowGeometry } from '../backend.js';
import { convolutionsOf, taps } from '../js/conv.js';
import { im2col, im2colIn } from './elementwise.js';
import { gemm, gemmRowBias, rowDotColumns, threadThreshold, threshold } from './gemm.js';
import { kernelsWithHeap } from './module.js';

// Convolutions whose columns never leave the module's memory: the batch is copied in once, and
// each image's columns are made, packed and multiplied there (in cache), with the bias added
// before the image's output is copied out. The kernels and their order are those of im2col and
// then gemm image by image, so the bits are too. What this does not take — other dtypes, products
// too small for the WebAssembly gemm or large enough for its two threads — runs as those steps.

const stepwise = convolutionsOf({ im2col, gemm, gemmRowBias });

/** Where the operands are in the heap, in floats. */
interface Layout {
  image: number;
  weight: number;
  packedA: number;
  columns: number;
  packedB: number;
  out: number;
  scratch: number;
  bias: number;
  end: number;
}

/** The heap for a product of m×k by k×n per image (the packings sized as gemm's). */
function layout(g: WindowGeometry, m: number, n: number, k: number): Layout {
  const image = 0;
  const weight = image + g.batch * g.channels * g.height * g.width;
  const packedA = weight + m * k;
  const columns = packedA + Math.ceil(m / 4) * 4 * k;
  const packedB = columns + taps(g) * g.outH * g.outW;
  const out = packedB + Math.ceil(n / 8) * 8 * k;
  const scratch = out + m * n;
  const bias = scratch + 64;
  return { image, weight, packedA, columns, packedB, out, scratch, bias, end: bias + m };
}

/** Whether the product of each image runs in the one-thread WebAssembly gemm (float32, not tiny, not two-thread sized). */
function fits(m: number, n: number, k: number, ...arrays: (ArrayLike<number> | null)[]): boolean {
  const size = m * n * k;
  return size >= threshold && size < threadThreshold && arrays.every((a) => a === null || a instanceof Float32Array);
}

export const conv2d: NonNullable<Backend['conv2d']> = (g, image, weight, outChannels, bias, out) => {
  const m = outChannels;
  const n = g.outH * g.outW;
  const k = taps(g);
  const at = layout(g, m, n, k);
  const run = fits(m, n, k, image, weight, bias, out) ? kernelsWithHeap(at.end) : null;
  if (!run) {
    stepwise.conv2d(g, image, weight, outChannels, bias, out);
    return;
  }
  const { wasm, heap } = run;
  heap.set(image, at.image);
  heap.set(weight.subarray(0, m * k), at.weight);
  if (bias) heap.set(bias.subarray(0, m), at.bias);
  wasm.packA(at.weight * 4, m, k, false, at.packedA * 4);
  for (let i = 0; i < g.batch; i++) {
    im2colIn(wasm, g, (at.image + i * g.channels * g.height * g.width) * 4, at.columns * 4, g.channels, 0, false);
    wasm.packB(at.columns * 4, k, n, false, at.packedB * 4);
    wasm.gemmPacked(0, m, m, n, k, at.packedA * 4, at.packedB * 4, at.out * 4, at.scratch * 4);
    if (bias) wasm.addRowBias(at.out * 4, m, n, at.bias * 4);
    out.set(heap.subarray(at.out, at.out + m * n), i * m * n);
  }
};

export const conv2dWeightGrad: NonNullable<Backend['conv2dWeightGrad']> = (g, image, dy, outChannels, out) => {
  // Per image: dY[i] (m × area) · columnsᵀ (area × taps), as gemm(transB) would route it: few
  // columns as row dot products, else both operands packed.
  const m = outChannels;
  const n = taps(g);
  const k = g.outH * g.outW;
  const at = layout(g, m, n, k);
  const dyAt = at.end;
  const run = fits(m, n, k, image, dy, out) ? kernelsWithHeap(dyAt + g.batch * m * k) : null;
  if (!run) {
    stepwise.conv2dWeightGrad(g, image, dy, outChannels, out);
    return;
  }
  const { wasm, heap } = run;
  heap.set(image, at.image);
  heap.set(dy.subarray(0, g.batch * m * k), dyAt);
  for (let i = 0; i < g.batch; i++) {
    im2colIn(wasm, g, (at.image + i * g.channels * g.height * g.width) * 4, at.columns * 4, g.channels, 0, false);
    const dyImage = (dyAt + i * m * k) * 4;
    if (n <= rowDotColumns) wasm.gemmNT(m, n, k, dyImage, at.columns * 4, at.out * 4);
    else {
      wasm.packA(dyImage, m, k, false, at.packedA * 4);
      wasm.packB(at.columns * 4, k, n, true, at.packedB * 4);
      wasm.gemmPacked(0, m, m, n, k, at.packedA * 4, at.packedB * 4, at.out * 4, at.scratch * 4);
    }
    out.set(heap.subarray(at.out, at.out + m * n), i * m * n);
  }
};
