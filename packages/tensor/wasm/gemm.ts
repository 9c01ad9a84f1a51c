// AssemblyScript source of the WebAssembly SIMD gemm kernel of @backprop/tensor.
// Build: `pnpm --filter @backprop/tensor build:wasm` (writes src/backend/wasm/kernels.ts, committed).
//
// C[m×n] = A[m×k] · B[k×n], float32, row-major, all three at byte addresses in this module's
// memory. B is packed 8 columns at a time into `panel` (k×8, zero padded) so the inner loop reads
// it sequentially; each 4×8 tile of C lives in eight f32x4 registers for the whole k loop.

@inline function tile4x8(a: usize, k: i32, panel: usize, c: usize, n: i32, width: i32, scratch: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  const rowBytes = (<usize>k) << 2;
  const a0 = a;
  const a1 = a0 + rowBytes;
  const a2 = a1 + rowBytes;
  const a3 = a2 + rowBytes;
  for (let p = 0; p < k; p++) {
    const bp = panel + ((<usize>p) << 5);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const off = (<usize>p) << 2;
    const x0 = v128.load32_splat(a0 + off);
    const x1 = v128.load32_splat(a1 + off);
    const x2 = v128.load32_splat(a2 + off);
    const x3 = v128.load32_splat(a3 + off);
    c00 = f32x4.add(c00, f32x4.mul(x0, b0));
    c01 = f32x4.add(c01, f32x4.mul(x0, b1));
    c10 = f32x4.add(c10, f32x4.mul(x1, b0));
    c11 = f32x4.add(c11, f32x4.mul(x1, b1));
    c20 = f32x4.add(c20, f32x4.mul(x2, b0));
    c21 = f32x4.add(c21, f32x4.mul(x2, b1));
    c30 = f32x4.add(c30, f32x4.mul(x3, b0));
    c31 = f32x4.add(c31, f32x4.mul(x3, b1));
  }
  const stride = (<usize>n) << 2;
  if (width == 8) {
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c + stride, c10);
    v128.store(c + stride, c11, 16);
    v128.store(c + 2 * stride, c20);
    v128.store(c + 2 * stride, c21, 16);
    v128.store(c + 3 * stride, c30);
    v128.store(c + 3 * stride, c31, 16);
    return;
  }
  v128.store(scratch, c00);
  v128.store(scratch, c01, 16);
  v128.store(scratch, c10, 32);
  v128.store(scratch, c11, 48);
  v128.store(scratch, c20, 64);
  v128.store(scratch, c21, 80);
  v128.store(scratch, c30, 96);
  v128.store(scratch, c31, 112);
  for (let r = 0; r < 4; r++) {
    for (let q = 0; q < width; q++) store<f32>(c + (<usize>r) * stride + ((<usize>q) << 2), load<f32>(scratch + ((<usize>(r * 8 + q)) << 2)));
  }
}

@inline function row1x8(a: usize, k: i32, panel: usize, c: usize, width: i32, scratch: usize): void {
  let c0 = f32x4.splat(0);
  let c1 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    const bp = panel + ((<usize>p) << 5);
    const x = v128.load32_splat(a + ((<usize>p) << 2));
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(bp)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(bp, 16)));
  }
  v128.store(scratch, c0);
  v128.store(scratch, c1, 16);
  for (let q = 0; q < width; q++) store<f32>(c + ((<usize>q) << 2), load<f32>(scratch + ((<usize>q) << 2)));
}

/** C = A·B (float32, row-major). `panel` needs k·32 + 128 bytes of scratch. */
export function gemm(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, panel: usize): void {
  const scratch = panel + ((<usize>k) << 5);
  for (let j0 = 0; j0 < n; j0 += 8) {
    const width = min(8, n - j0);
    for (let p = 0; p < k; p++) {
      const src = b + ((<usize>(p * n + j0)) << 2);
      const dst = panel + ((<usize>p) << 5);
      if (width == 8) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      } else {
        for (let q = 0; q < 8; q++) store<f32>(dst + ((<usize>q) << 2), q < width ? load<f32>(src + ((<usize>q) << 2)) : <f32>0);
      }
    }
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      tile4x8(a + ((<usize>(i * k)) << 2), k, panel, c + ((<usize>(i * n + j0)) << 2), n, width, scratch);
    }
    for (; i < m; i++) {
      row1x8(a + ((<usize>(i * k)) << 2), k, panel, c + ((<usize>(i * n + j0)) << 2), width, scratch);
    }
  }
}
