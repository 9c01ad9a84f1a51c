// AssemblyScript source of the WebAssembly SIMD element-wise kernels of @backprop/tensor.
// All operands are float32 (comparison results int32) at byte addresses in this module's memory.
// The JS side copies operands in and results out; these loops run 4 lanes at a time with no
// branch on the data, which is what makes them several times faster than the JS loops.

// Operation codes shared with src/backend/wasm/index.ts.
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const EQ = 4;
const NE = 5;
const LT = 6;
const LE = 7;
const GT = 8;
const GE = 9;
const RELU_GRAD = 10;

@inline function lanes(op: i32, x: v128, y: v128): v128 {
  const one = i32x4.splat(1);
  switch (op) {
    case ADD:
      return f32x4.add(x, y);
    case SUB:
      return f32x4.sub(x, y);
    case MUL:
      return f32x4.mul(x, y);
    case DIV:
      return f32x4.div(x, y);
    case EQ:
      return v128.and(f32x4.eq(x, y), one);
    case NE:
      return v128.and(f32x4.ne(x, y), one);
    case LT:
      return v128.and(f32x4.lt(x, y), one);
    case LE:
      return v128.and(f32x4.le(x, y), one);
    case GT:
      return v128.and(f32x4.gt(x, y), one);
    case GE:
      return v128.and(f32x4.ge(x, y), one);
    default:
      // x · [y > 0]: the mask's all-ones lanes select the bits of 1.0.
      return f32x4.mul(x, v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.splat(1)));
  }
}

@inline function single(op: i32, x: f32, y: f32, out: usize): void {
  switch (op) {
    case ADD:
      store<f32>(out, x + y);
      return;
    case SUB:
      store<f32>(out, x - y);
      return;
    case MUL:
      store<f32>(out, x * y);
      return;
    case DIV:
      store<f32>(out, x / y);
      return;
    case EQ:
      store<i32>(out, i32(x == y));
      return;
    case NE:
      store<i32>(out, i32(x != y));
      return;
    case LT:
      store<i32>(out, i32(x < y));
      return;
    case LE:
      store<i32>(out, i32(x <= y));
      return;
    case GT:
      store<i32>(out, i32(x > y));
      return;
    case GE:
      store<i32>(out, i32(x >= y));
      return;
    default:
      store<f32>(out, x * <f32>(y > 0));
  }
}

/**
 * `out[r, j] = op(a[r·aOuter + j·aInner], b[r·bOuter + j·bInner])` for `rows × length` elements;
 * strides in elements, inner strides 0 (a broadcast value per row) or 1 (contiguous).
 */
export function binaryRows(
  op: i32,
  a: usize,
  aOuter: i32,
  aInner: i32,
  b: usize,
  bOuter: i32,
  bInner: i32,
  out: usize,
  rows: i32,
  length: i32,
): void {
  const aStep: usize = aInner == 0 ? 0 : 16;
  const bStep: usize = bInner == 0 ? 0 : 16;
  const aOne: usize = aInner == 0 ? 0 : 4;
  const bOne: usize = bInner == 0 ? 0 : 4;
  const vectors = length >> 2;
  for (let r = 0; r < rows; r++) {
    let pa = a + ((<usize>(r * aOuter)) << 2);
    let pb = b + ((<usize>(r * bOuter)) << 2);
    let po = out + ((<usize>(r * length)) << 2);
    const sa = v128.load32_splat(pa);
    const sb = v128.load32_splat(pb);
    for (let j = 0; j < vectors; j++) {
      const x = aInner == 0 ? sa : v128.load(pa);
      const y = bInner == 0 ? sb : v128.load(pb);
      v128.store(po, lanes(op, x, y));
      pa += aStep;
      pb += bStep;
      po += 16;
    }
    for (let j = vectors << 2; j < length; j++) {
      single(op, load<f32>(pa), load<f32>(pb), po);
      pa += aOne;
      pb += bOne;
      po += 4;
    }
  }
}

/**
 * ReLU on the bit patterns: a value is kept when its sign bit is clear or it is a NaN, else it
 * becomes +0 — the same results as the JS kernel, NaN payloads included.
 */
export function relu(x: usize, out: usize, n: i32): void {
  const magnitude = i32x4.splat(0x7fffffff);
  const infinity = i32x4.splat(0x7f800000);
  const zero = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const bits = v128.load(x + at);
    const keep = v128.or(i32x4.gt_s(bits, zero), i32x4.gt_s(v128.and(bits, magnitude), infinity));
    v128.store(out + at, v128.and(bits, keep));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const bits = load<i32>(x + at);
    store<i32>(out + at, bits > 0 || (bits & 0x7fffffff) > 0x7f800000 ? bits : 0);
  }
}

/** Whether `v` replaces `best` as the maximum: larger, or the first NaN. 0 or 1. */
@inline function beats(v: f32, best: f32): i32 {
  return i32(v > best) | (i32(v != v) & i32(best == best));
}

/** The same for 4 lanes: all ones where `v` replaces `best`. */
@inline function beats4(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}

/**
 * Max pooling of float32 NCHW planes where every window lies inside the image (no padding):
 * the largest value and its flat index (first maximum; the first NaN beats every number).
 * Only the index is chosen by `select` (a conditional move); the value is re-read through it,
 * since V8 turns a float `select` into a branch. 2×2 windows with stride 2, the usual pooling,
 * take four windows at a time in SIMD lanes.
 */
export function maxPoolInside(
  image: usize,
  planes: i32,
  height: i32,
  width: i32,
  kernelH: i32,
  kernelW: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  outH: i32,
  outW: i32,
  out: usize,
  argmax: usize,
): void {
  const pairs = kernelH == 2 && kernelW == 2 && strideH == 2 && strideW == 2 && dilationH == 1 && dilationW == 1;
  const lanes = i32x4(0, 2, 4, 6);
  let o: usize = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * height * width;
    for (let oy = 0; oy < outH; oy++) {
      let ox = 0;
      if (pairs) {
        for (; ox + 4 <= outW; ox += 4) {
          const start = base + oy * 2 * width + ox * 2;
          const top = image + ((<usize>start) << 2);
          const bottom = top + ((<usize>width) << 2);
          const t0 = v128.load(top);
          const t1 = v128.load(top, 16);
          const b0 = v128.load(bottom);
          const b1 = v128.load(bottom, 16);
          // Window order: top-left, top-right, bottom-left, bottom-right.
          let best = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6);
          const first = i32x4.add(i32x4.splat(start), lanes);
          let at = first;
          const tr = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
          let take = beats4(tr, best);
          best = v128.bitselect(tr, best, take);
          at = v128.bitselect(i32x4.add(first, i32x4.splat(1)), at, take);
          const bl = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
          take = beats4(bl, best);
          best = v128.bitselect(bl, best, take);
          at = v128.bitselect(i32x4.add(first, i32x4.splat(width)), at, take);
          const br = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
          take = beats4(br, best);
          best = v128.bitselect(br, best, take);
          at = v128.bitselect(i32x4.add(first, i32x4.splat(width + 1)), at, take);
          v128.store(out + (o << 2), best);
          v128.store(argmax + (o << 2), at);
          o += 4;
        }
      }
      for (; ox < outW; ox++) {
        const start = base + oy * strideH * width + ox * strideW;
        let at = start;
        for (let ki = 0; ki < kernelH; ki++) {
          const row = start + ki * dilationH * width;
          for (let kj = ki == 0 ? 1 : 0; kj < kernelW; kj++) {
            const index = row + kj * dilationW;
            const take = beats(load<f32>(image + ((<usize>index) << 2)), load<f32>(image + ((<usize>at) << 2)));
            at = select<i32>(index, at, take != 0);
          }
        }
        store<f32>(out + (o << 2), load<f32>(image + ((<usize>at) << 2)));
        store<i32>(argmax + (o << 2), at);
        o++;
      }
    }
  }
}

/**
 * Copies n floats, bit for bit. Rows of an image are short (28 floats for MNIST), where
 * memory.copy costs a call into the engine each time: 4 floats at a time instead, and
 * memory.copy for long rows.
 */
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  if (n >= 64) {
    memory.copy(dst, src, (<usize>n) << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(dst + at, v128.load(src + at));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    store<i32>(dst + at, load<i32>(src + at));
  }
}

/**
 * im2col of float32 NCHW planes into `[planes·kH·kW, outH·outW]` rows (out-of-image positions
 * read `padValue`), or with `accumulate` col2im: the columns added back into the image. The same
 * walk as the JS kernel: per kernel tap, the output columns whose input is inside the image
 * form one range, and with stride 1 each row of it is one block copy.
 */
export function im2col(
  image: usize,
  columns: usize,
  planes: i32,
  height: i32,
  width: i32,
  kernelH: i32,
  kernelW: i32,
  strideH: i32,
  strideW: i32,
  padH: i32,
  padW: i32,
  dilationH: i32,
  dilationW: i32,
  outH: i32,
  outW: i32,
  padValue: f32,
  accumulate: bool,
): void {
  let col = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * height * width;
    for (let ki = 0; ki < kernelH; ki++) {
      for (let kj = 0; kj < kernelW; kj++) {
        const shift = kj * dilationW - padW;
        // lo = first ox with ox·strideW + shift ≥ 0; hi = one past the last with it < width.
        let lo = shift >= 0 ? 0 : (-shift + strideW - 1) / strideW;
        if (lo > outW) lo = outW;
        let hi = width - 1 - shift < 0 ? 0 : (width - 1 - shift) / strideW + 1;
        if (hi > outW) hi = outW;
        if (hi < lo) hi = lo;
        for (let oy = 0; oy < outH; oy++, col += outW) {
          const iy = oy * strideH - padH + ki * dilationH;
          const dst = columns + ((<usize>col) << 2);
          if (iy < 0 || iy >= height) {
            if (!accumulate) for (let ox = 0; ox < outW; ox++) store<f32>(dst + ((<usize>ox) << 2), padValue);
            continue;
          }
          const row = base + iy * width + shift;
          if (accumulate) {
            for (let ox = lo; ox < hi; ox++) {
              const at = image + ((<usize>(row + ox * strideW)) << 2);
              store<f32>(at, load<f32>(at) + load<f32>(dst + ((<usize>ox) << 2)));
            }
            continue;
          }
          for (let ox = 0; ox < lo; ox++) store<f32>(dst + ((<usize>ox) << 2), padValue);
          if (strideW == 1) {
            copyFloats(dst + ((<usize>lo) << 2), image + ((<usize>(row + lo)) << 2), hi - lo);
          } else {
            for (let ox = lo; ox < hi; ox++) store<f32>(dst + ((<usize>ox) << 2), load<f32>(image + ((<usize>(row + ox * strideW)) << 2)));
          }
          for (let ox = hi; ox < outW; ox++) store<f32>(dst + ((<usize>ox) << 2), padValue);
        }
      }
    }
  }
}

/**
 * One Adam step over n float32 values in place (see Backend.adam), 4 lanes at a time in float32
 * arithmetic; `vMax` is used when `amsgrad`.
 */
export function adam(
  param: usize,
  grad: usize,
  m: usize,
  v: usize,
  vMax: usize,
  amsgrad: bool,
  n: i32,
  stepSize: f32,
  beta1: f32,
  beta2: f32,
  inverseSqrtCorrection2: f32,
  eps: f32,
  l2: f32,
  shrink: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const k1 = f32x4.splat(<f32>1 - beta1);
  const k2 = f32x4.splat(<f32>1 - beta2);
  const lane = f32x4.splat(l2);
  const shrinkBy = f32x4.splat(shrink);
  const step = f32x4.splat(stepSize);
  const scale = f32x4.splat(inverseSqrtCorrection2);
  const epsilon = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const p = v128.load(param + at);
    const g = f32x4.add(v128.load(grad + at), f32x4.mul(lane, p));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + at)), f32x4.mul(k1, g));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + at)), f32x4.mul(f32x4.mul(k2, g), g));
    v128.store(m + at, mi);
    v128.store(v + at, vi);
    let second = vi;
    if (amsgrad) {
      second = f32x4.max(v128.load(vMax + at), vi);
      v128.store(vMax + at, second);
    }
    const denominator = f32x4.add(f32x4.mul(f32x4.sqrt(second), scale), epsilon);
    v128.store(param + at, f32x4.sub(f32x4.mul(p, shrinkBy), f32x4.div(f32x4.mul(step, mi), denominator)));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const p = load<f32>(param + at);
    const g = load<f32>(grad + at) + l2 * p;
    const mi = beta1 * load<f32>(m + at) + (<f32>1 - beta1) * g;
    const vi = beta2 * load<f32>(v + at) + (<f32>1 - beta2) * g * g;
    store<f32>(m + at, mi);
    store<f32>(v + at, vi);
    let second = vi;
    if (amsgrad) {
      second = max(load<f32>(vMax + at), vi);
      store<f32>(vMax + at, second);
    }
    store<f32>(param + at, p * shrink - (stepSize * mi) / (sqrt<f32>(second) * inverseSqrtCorrection2 + eps));
  }
}

/**
 * The sum of each row of a rows × length float32 matrix, in float64 and in exactly the JS
 * reference's order (src/backend/js/reduce.ts, sumRunF64): four interleaved partial sums s0…s3 over
 * the elements i ≡ 0…3 (mod 4), the tail added to s0, then (s0 + s1) + (s2 + s3) — so the same
 * bits. `out` receives `rows` float64 values.
 */
export function sumRows(x: usize, rows: i32, length: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>length) << 2);
    let s01 = f64x2.splat(0);
    let s23 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      const v = v128.load(row + ((<usize>i) << 2));
      s01 = f64x2.add(s01, f64x2.promote_low_f32x4(v));
      s23 = f64x2.add(s23, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
    }
    let s0 = f64x2.extract_lane(s01, 0);
    for (; i < length; i++) s0 += <f64>load<f32>(row + ((<usize>i) << 2));
    store<f64>(out + ((<usize>r) << 3), s0 + f64x2.extract_lane(s01, 1) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1)));
  }
}
