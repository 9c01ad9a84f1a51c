// AssemblyScript source of the WebAssembly SIMD matrix products of @backprop/tensor.
// Build: `pnpm --filter @backprop/tensor build:wasm` (writes src/backend/wasm/kernels.ts, committed).
//
// C[m×n] = op(A)[m×k] · op(B)[k×n], float32, row-major, all at byte addresses in this module's
// memory. Both operands are first packed (transposing on the way when asked): A into blocks of
// 4 rows interleaved (k×4 floats each, so one tile's A values are one sequential stream) and B
// into panels of 8 columns (k×8); the last block and panel are zero padded. Each 4×8 tile of C
// then lives in eight f32x4 registers for the whole k loop.

/**
 * Stores the 4×4 transpose of the rows r0..r3 (4 floats each) as 4 vectors 16 bytes apart:
 * out[q] = (r0[q], r1[q], r2[q], r3[q]).
 */
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, out: usize, step: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(out, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(out + step, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(out + 2 * step, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(out + 3 * step, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/** Packs op(A) (m×k; stored k×m when `trans`) into ⌈m/4⌉ blocks of k×4, zero padded. */
export function packA(a: usize, m: i32, k: i32, trans: bool, dst: usize): void {
  for (let i = 0; i < m; i += 4) {
    const rows = min(4, m - i);
    const block = dst + ((<usize>(i * k)) << 2);
    let p = 0;
    if (!trans && rows == 4) {
      // Four rows at a time, 4×4 transposes: row i+r, columns p..p+3 → block steps p..p+3.
      const rowBytes = (<usize>k) << 2;
      const r0 = a + ((<usize>(i * k)) << 2);
      for (; p + 4 <= k; p += 4) {
        const at = (<usize>p) << 2;
        transpose4(
          v128.load(r0 + at),
          v128.load(r0 + rowBytes + at),
          v128.load(r0 + 2 * rowBytes + at),
          v128.load(r0 + 3 * rowBytes + at),
          block + ((<usize>p) << 4),
          16,
        );
      }
    }
    for (; p < k; p++) {
      const d = block + ((<usize>p) << 4);
      if (trans && rows == 4) {
        v128.store(d, v128.load(a + ((<usize>(p * m + i)) << 2)));
        continue;
      }
      for (let r = 0; r < 4; r++) {
        const at = trans ? p * m + i + r : (i + r) * k + p;
        store<f32>(d + ((<usize>r) << 2), r < rows ? load<f32>(a + ((<usize>at) << 2)) : <f32>0);
      }
    }
  }
}

/** Packs op(B) (k×n; stored n×k when `trans`) into ⌈n/8⌉ panels of k×8, zero padded. */
export function packB(b: usize, k: i32, n: i32, trans: bool, dst: usize): void {
  for (let j = 0; j < n; j += 8) {
    const width = min(8, n - j);
    const panel = dst + ((<usize>(j * k)) << 2);
    let p = 0;
    if (trans && width == 8) {
      // Rows j..j+7 of the stored n×k array, 4 columns at a time: two 4×4 transposes per step.
      const rowBytes = (<usize>k) << 2;
      const r0 = b + ((<usize>(j * k)) << 2);
      const r4 = r0 + 4 * rowBytes;
      for (; p + 4 <= k; p += 4) {
        const at = (<usize>p) << 2;
        const out = panel + ((<usize>p) << 5);
        transpose4(v128.load(r0 + at), v128.load(r0 + rowBytes + at), v128.load(r0 + 2 * rowBytes + at), v128.load(r0 + 3 * rowBytes + at), out, 32);
        transpose4(
          v128.load(r4 + at),
          v128.load(r4 + rowBytes + at),
          v128.load(r4 + 2 * rowBytes + at),
          v128.load(r4 + 3 * rowBytes + at),
          out + 16,
          32,
        );
      }
    }
    for (; p < k; p++) {
      const d = panel + ((<usize>p) << 5);
      if (!trans && width == 8) {
        const s = b + ((<usize>(p * n + j)) << 2);
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        continue;
      }
      for (let q = 0; q < 8; q++) {
        const at = trans ? (j + q) * k + p : p * n + j + q;
        store<f32>(d + ((<usize>q) << 2), q < width ? load<f32>(b + ((<usize>at) << 2)) : <f32>0);
      }
    }
  }
}

/**
 * One 4×8 tile: the k-long stream of packed A (4 floats a step) against a packed B panel (8 floats
 * a step). The loop bumps two pointers and reuses two A registers, which V8 compiles to a tighter
 * loop than indexed loads (measured: 33 against 23 GFLOP/s with the data in L1).
 */
@inline function tile(ap: usize, k: i32, panel: usize, c: usize, n: i32, rows: i32, width: i32, scratch: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let bp = panel;
  let aq = ap;
  const end = ap + ((<usize>k) << 4);
  while (aq < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x0 = v128.load32_splat(aq);
    let x1 = v128.load32_splat(aq, 4);
    c00 = f32x4.add(c00, f32x4.mul(x0, b0));
    c01 = f32x4.add(c01, f32x4.mul(x0, b1));
    c10 = f32x4.add(c10, f32x4.mul(x1, b0));
    c11 = f32x4.add(c11, f32x4.mul(x1, b1));
    x0 = v128.load32_splat(aq, 8);
    x1 = v128.load32_splat(aq, 12);
    c20 = f32x4.add(c20, f32x4.mul(x0, b0));
    c21 = f32x4.add(c21, f32x4.mul(x0, b1));
    c30 = f32x4.add(c30, f32x4.mul(x1, b0));
    c31 = f32x4.add(c31, f32x4.mul(x1, b1));
    bp += 32;
    aq += 16;
  }
  const stride = (<usize>n) << 2;
  if (rows == 4 && width == 8) {
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
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < width; q++) store<f32>(c + (<usize>r) * stride + ((<usize>q) << 2), load<f32>(scratch + ((<usize>(r * 8 + q)) << 2)));
  }
}

/** Bytes of packed A that one pass over the B panels keeps reusing: sized to stay in a core's L2. */
const blockBytes: i32 = 1 << 18;

/**
 * Rows `top` to `bottom` (multiples of 4, or m) of C = A·B from the packed operands; `scratch`
 * needs 128 bytes. Two threads run disjoint row ranges on the same packed data. The rows are
 * taken in blocks of packed A small enough to stay in L2 while every B panel streams past them
 * (a panel is reused by all the block's tiles from L1): without the blocks, a large A is read
 * from L3 again for every panel.
 */
export function gemmPacked(top: i32, bottom: i32, m: i32, n: i32, k: i32, ap: usize, bp: usize, c: usize, scratch: usize): void {
  const blockRows = max(4, (blockBytes / (k << 2)) & ~3);
  for (let first = top; first < bottom; first += blockRows) {
    const last = min(bottom, first + blockRows);
    for (let j = 0; j < n; j += 8) {
      const width = min(8, n - j);
      const panel = bp + ((<usize>(j * k)) << 2);
      for (let i = first; i < last; i += 4) {
        tile(ap + ((<usize>(i * k)) << 2), k, panel, c + ((<usize>(i * n + j)) << 2), n, min(4, m - i), width, scratch);
      }
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

/**
 * C[i, j] += bias[i] for the m×n row-major C (float32): a bias for each row, added after the
 * product has been summed and rounded — the same bits as a separate element-wise add — while C
 * is still in this memory, so it needs no pass of its own over the result.
 */
export function addRowBias(c: usize, m: i32, n: i32, bias: usize): void {
  for (let i = 0; i < m; i++) {
    const v = load<f32>(bias + ((<usize>i) << 2));
    const v4 = f32x4.splat(v);
    const row = c + ((<usize>(i * n)) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const at = row + ((<usize>j) << 2);
      v128.store(at, f32x4.add(v128.load(at), v4));
    }
    for (; j < n; j++) {
      const at = row + ((<usize>j) << 2);
      store<f32>(at, load<f32>(at) + v);
    }
  }
}
