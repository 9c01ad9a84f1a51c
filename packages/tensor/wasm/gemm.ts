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

/** Σ of the four lanes. */
@inline function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** One dot product of k floats at `a` and `b`. */
@inline function dot(a: usize, b: usize, k: i32): f32 {
  let acc = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const off = (<usize>p) << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + off), v128.load(b + off)));
  }
  let s = lanesSum(acc);
  for (; p < k; p++) s += load<f32>(a + ((<usize>p) << 2)) * load<f32>(b + ((<usize>p) << 2));
  return s;
}

/**
 * C = A·Bᵀ (float32, row-major) for B given as n×k rows: every entry is a dot product of two
 * contiguous rows, so nothing is transposed or packed. For products with few columns and long
 * rows (a convolution's weight gradient: 8×9 outputs over 676 positions) this beats packing
 * B into 8-column panels. Rows of A are taken two at a time against four rows of B.
 */
export function gemmNT(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
  const rowBytes = (<usize>k) << 2;
  const k4 = k & ~3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + (<usize>i) * rowBytes;
    const a1 = a0 + rowBytes;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = b + (<usize>j) * rowBytes;
      const b1 = b0 + rowBytes;
      const b2 = b1 + rowBytes;
      const b3 = b2 + rowBytes;
      let s00 = f32x4.splat(0);
      let s01 = f32x4.splat(0);
      let s02 = f32x4.splat(0);
      let s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0);
      let s11 = f32x4.splat(0);
      let s12 = f32x4.splat(0);
      let s13 = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const off = (<usize>p) << 2;
        const x0 = v128.load(a0 + off);
        const x1 = v128.load(a1 + off);
        const y0 = v128.load(b0 + off);
        const y1 = v128.load(b1 + off);
        const y2 = v128.load(b2 + off);
        const y3 = v128.load(b3 + off);
        s00 = f32x4.add(s00, f32x4.mul(x0, y0));
        s01 = f32x4.add(s01, f32x4.mul(x0, y1));
        s02 = f32x4.add(s02, f32x4.mul(x0, y2));
        s03 = f32x4.add(s03, f32x4.mul(x0, y3));
        s10 = f32x4.add(s10, f32x4.mul(x1, y0));
        s11 = f32x4.add(s11, f32x4.mul(x1, y1));
        s12 = f32x4.add(s12, f32x4.mul(x1, y2));
        s13 = f32x4.add(s13, f32x4.mul(x1, y3));
      }
      let r00 = lanesSum(s00);
      let r01 = lanesSum(s01);
      let r02 = lanesSum(s02);
      let r03 = lanesSum(s03);
      let r10 = lanesSum(s10);
      let r11 = lanesSum(s11);
      let r12 = lanesSum(s12);
      let r13 = lanesSum(s13);
      for (let p = k4; p < k; p++) {
        const off = (<usize>p) << 2;
        const x0 = load<f32>(a0 + off);
        const x1 = load<f32>(a1 + off);
        const y0 = load<f32>(b0 + off);
        const y1 = load<f32>(b1 + off);
        const y2 = load<f32>(b2 + off);
        const y3 = load<f32>(b3 + off);
        r00 += x0 * y0;
        r01 += x0 * y1;
        r02 += x0 * y2;
        r03 += x0 * y3;
        r10 += x1 * y0;
        r11 += x1 * y1;
        r12 += x1 * y2;
        r13 += x1 * y3;
      }
      const c0 = c + ((<usize>(i * n + j)) << 2);
      const c1 = c0 + ((<usize>n) << 2);
      store<f32>(c0, r00);
      store<f32>(c0, r01, 4);
      store<f32>(c0, r02, 8);
      store<f32>(c0, r03, 12);
      store<f32>(c1, r10);
      store<f32>(c1, r11, 4);
      store<f32>(c1, r12, 8);
      store<f32>(c1, r13, 12);
    }
    for (; j < n; j++) {
      const bj = b + (<usize>j) * rowBytes;
      store<f32>(c + ((<usize>(i * n + j)) << 2), dot(a0, bj, k));
      store<f32>(c + ((<usize>((i + 1) * n + j)) << 2), dot(a1, bj, k));
    }
  }
  for (; i < m; i++) {
    const ai = a + (<usize>i) * rowBytes;
    for (let j = 0; j < n; j++) store<f32>(c + ((<usize>(i * n + j)) << 2), dot(ai, b + (<usize>j) * rowBytes, k));
  }
}
