import type { TypedArray } from '../../dtype.js';
import type { Backend } from '../backend.js';

/*
 * Cache- and register-blocked matrix product in plain TypeScript (the GotoBLAS layout):
 * a KC×NC block of op(B) is packed into 4-column panels and an MC×KC block of op(A) into 4-row
 * panels, so the 4×4 micro-kernel reads both sequentially and keeps 16 sums in registers.
 * Transposes are absorbed by the packing: no transposed copy of either operand is ever made.
 * Sums are carried in float64 and rounded once when stored.
 */

const MR = 4;
const NR = 4;
const MC = 64;
const KC = 256;
const NC = 2048;

const packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NC);

/**
 * C (m×n, at cOffset) = op(A) · op(B), overwriting C. (Explicit parameters, not a destructured rest
 * of GemmArguments: this runs for every small product, and a rest array would be allocated on each
 * call until the function is optimized.)
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: TypedArray,
  aOffset: number,
  b: TypedArray,
  bOffset: number,
  c: TypedArray,
  cOffset: number,
): void {
  c.fill(0, cOffset, cOffset + m * n);
  if (m === 0 || n === 0 || k === 0) return;
  if (m * n * k <= 4096) {
    smallGemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = Math.min(KC, k - k0);
      packPanelsB(transB, b, bOffset, n, k, k0, kc, j0, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packPanelsA(transA, a, aOffset, m, k, i0, mc, k0, kc);
        macroKernel(mc, nc, kc, c, cOffset + i0 * n + j0, n);
      }
    }
  }
}

/** Straight triple loop for tiny products, where packing would cost more than it saves. */
function smallGemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: TypedArray,
  aOffset: number,
  b: TypedArray,
  bOffset: number,
  c: TypedArray,
  cOffset: number,
): void {
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let ai = aOffset + i * aRow;
      let bi = bOffset + j * bCol;
      for (let p = 0; p < k; p++) {
        sum += a[ai] * b[bi];
        ai += aCol;
        bi += bRow;
      }
      c[cOffset + i * n + j] = sum;
    }
  }
}

function packPanelsB(
  transB: boolean,
  b: TypedArray,
  bOffset: number,
  n: number,
  k: number,
  k0: number,
  kc: number,
  j0: number,
  nc: number,
): void {
  const panels = Math.ceil(nc / NR);
  if (packB.length < panels * NR * kc) packB = new Float64Array(panels * NR * kc);
  const dst = packB;
  // Element (p, j) of op(B) lives at b[bOffset + p*rowStride + j*colStride].
  const rowStride = transB ? 1 : n;
  const colStride = transB ? k : 1;
  for (let panel = 0; panel < panels; panel++) {
    const jStart = j0 + panel * NR;
    const width = Math.min(NR, j0 + nc - jStart);
    let d = panel * NR * kc;
    for (let p = 0; p < kc; p++) {
      const base = bOffset + (k0 + p) * rowStride + jStart * colStride;
      for (let jj = 0; jj < NR; jj++) dst[d + jj] = jj < width ? b[base + jj * colStride] : 0;
      d += NR;
    }
  }
}

function packPanelsA(
  transA: boolean,
  a: TypedArray,
  aOffset: number,
  m: number,
  k: number,
  i0: number,
  mc: number,
  k0: number,
  kc: number,
): void {
  const panels = Math.ceil(mc / MR);
  const dst = packA;
  // Element (i, p) of op(A) lives at a[aOffset + i*rowStride + p*colStride].
  const rowStride = transA ? 1 : k;
  const colStride = transA ? m : 1;
  for (let panel = 0; panel < panels; panel++) {
    const iStart = i0 + panel * MR;
    const height = Math.min(MR, i0 + mc - iStart);
    let d = panel * MR * kc;
    for (let p = 0; p < kc; p++) {
      const base = aOffset + iStart * rowStride + (k0 + p) * colStride;
      for (let ii = 0; ii < MR; ii++) dst[d + ii] = ii < height ? a[base + ii * rowStride] : 0;
      d += MR;
    }
  }
}

function macroKernel(mc: number, nc: number, kc: number, c: TypedArray, cBase: number, ldc: number): void {
  const pa = packA;
  const pb = packB;
  for (let jp = 0; jp * NR < nc; jp++) {
    const width = Math.min(NR, nc - jp * NR);
    for (let ip = 0; ip * MR < mc; ip++) {
      const height = Math.min(MR, mc - ip * MR);
      let p = ip * MR * kc;
      let q = jp * NR * kc;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let kk = 0; kk < kc; kk++) {
        const a0 = pa[p],
          a1 = pa[p + 1],
          a2 = pa[p + 2],
          a3 = pa[p + 3];
        const b0 = pb[q],
          b1 = pb[q + 1],
          b2 = pb[q + 2],
          b3 = pb[q + 3];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
        p += MR;
        q += NR;
      }
      const o = cBase + ip * MR * ldc + jp * NR;
      if (height === MR && width === NR) {
        c[o] += c00;
        c[o + 1] += c01;
        c[o + 2] += c02;
        c[o + 3] += c03;
        const o1 = o + ldc;
        c[o1] += c10;
        c[o1 + 1] += c11;
        c[o1 + 2] += c12;
        c[o1 + 3] += c13;
        const o2 = o1 + ldc;
        c[o2] += c20;
        c[o2 + 1] += c21;
        c[o2 + 2] += c22;
        c[o2 + 3] += c23;
        const o3 = o2 + ldc;
        c[o3] += c30;
        c[o3 + 1] += c31;
        c[o3 + 2] += c32;
        c[o3 + 3] += c33;
      } else {
        const sums = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let ii = 0; ii < height; ii++) for (let jj = 0; jj < width; jj++) c[o + ii * ldc + jj] += sums[ii * NR + jj];
      }
    }
  }
}

/**
 * `C[i, j] += bias[biasOffset + i]` over the m×n matrix C at `cOffset`: the row bias of
 * `Backend.gemmRowBias`, added after the product (here, for the WebAssembly backend where C is not
 * in its memory, and in {@link withRowBias}).
 */
export function addRowBias(c: TypedArray, cOffset: number, m: number, n: number, bias: TypedArray, biasOffset: number): void {
  for (let i = 0; i < m; i++) {
    const v = bias[biasOffset + i];
    const start = cOffset + i * n;
    const end = start + n;
    for (let o = start; o < end; o++) c[o] += v;
  }
}

/**
 * `Backend.gemmRowBias` made of a backend's `gemm` and then {@link addRowBias}: the JS backend's,
 * and `matmul`'s for backends without one of their own.
 */
export function withRowBias(gemm: Backend['gemm']): NonNullable<Backend['gemmRowBias']> {
  return (transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, bias, biasOffset) => {
    gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
    addRowBias(c, cOffset, m, n, bias, biasOffset);
  };
}

/** A backend's own `gemmRowBias`, or one made of its `gemm` by {@link withRowBias}. */
export function rowBiasGemmOf(backend: Pick<Backend, 'gemm' | 'gemmRowBias'>): NonNullable<Backend['gemmRowBias']> {
  return backend.gemmRowBias?.bind(backend) ?? withRowBias(backend.gemm.bind(backend));
}
