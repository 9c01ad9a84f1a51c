import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { forEachRow } from './elementwise.js';

/** Strided copy from `src` to `dst` over `shape`. */
export function copy(
  src: TypedArray,
  srcOffset: number,
  srcStrides: readonly number[],
  dst: TypedArray,
  dstOffset: number,
  dstStrides: readonly number[],
  shape: Shape,
): void {
  const nd = shape.length;
  if (nd === 0) {
    dst[dstOffset] = src[srcOffset];
    return;
  }
  // forEachRow assumes a contiguous output; track the destination as a third strided operand.
  forEachRow(shape, [srcStrides, dstStrides], (offsets, _o, length, inner) => {
    const [ss, ds] = inner;
    const s = srcOffset + offsets[0];
    const d = dstOffset + offsets[1];
    if (ss === 1 && ds === 1) for (let j = 0; j < length; j++) dst[d + j] = src[s + j];
    else for (let j = 0; j < length; j++) dst[d + j * ds] = src[s + j * ss];
  });
}

/** Gather rows of an `[outer, axisLength, inner]` view by index, or scatter-add them back. */
export function take(
  src: TypedArray,
  outer: number,
  axisLength: number,
  inner: number,
  indices: Int32Array,
  out: TypedArray,
  accumulate: boolean,
): void {
  const count = indices.length;
  if (inner === 1) {
    // One value per index (e.g. the max-pooling gradient scattered to its argmax): no inner loop.
    for (let o = 0; o < outer; o++) {
      const from = o * axisLength;
      const dense = o * count;
      if (accumulate) for (let j = 0; j < count; j++) out[from + indices[j]] += src[dense + j];
      else for (let j = 0; j < count; j++) out[dense + j] = src[from + indices[j]];
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const picked = (o * axisLength + indices[j]) * inner;
      const dense = (o * count + j) * inner;
      if (accumulate) for (let i = 0; i < inner; i++) out[picked + i] += src[dense + i];
      else for (let i = 0; i < inner; i++) out[dense + i] = src[picked + i];
    }
  }
}

/** PyTorch-style gather along `axis` (or its scatter-add reverse). */
export function gather(
  src: TypedArray,
  srcShape: Shape,
  axis: number,
  index: Int32Array,
  indexShape: Shape,
  out: TypedArray,
  accumulate: boolean,
): void {
  const nd = indexShape.length;
  const full = new Array<number>(nd);
  let stride = 1;
  for (let d = nd - 1; d >= 0; d--) {
    full[d] = stride;
    stride *= srcShape[d];
  }
  const axisStride = full[axis];
  // Offsets into the full-size array for every index position, except along `axis`.
  const walkStrides = full.map((s, d) => (d === axis ? 0 : s));
  const counter = new Array<number>(nd).fill(0);
  let base = 0;
  for (let i = 0; i < index.length; i++) {
    const target = base + index[i] * axisStride;
    if (accumulate) out[target] += src[i];
    else out[i] = src[target];
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      base += walkStrides[d];
      if (counter[d] < indexShape[d]) break;
      base -= walkStrides[d] * indexShape[d];
      counter[d] = 0;
    }
  }
}
