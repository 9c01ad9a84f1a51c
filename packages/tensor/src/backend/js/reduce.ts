import { allocate, type TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import type { ReduceOp } from '../backend.js';

/**
 * Reductions walk the input once in memory order. Adjacent dimensions of the same kind (kept or
 * reduced) are merged first, so the common layouts become two flat loops:
 * `[kept, reduced]` (rows) and `[reduced, kept]` (columns, e.g. a bias gradient).
 * Sums and products are accumulated in float64 and rounded once (sums in four interleaved partial
 * sums: see sumRunF64).
 */

export interface Merged {
  dims: number[];
  reduced: boolean[];
}

/** The shape with adjacent kept or reduced dimensions merged (size-1 dimensions dropped). */
export function merge(shape: Shape, axes: readonly number[]): Merged {
  const dims: number[] = [];
  const reduced: boolean[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const r = axes.includes(i);
    if (dims.length > 0 && reduced[reduced.length - 1] === r) dims[dims.length - 1] *= shape[i];
    else {
      dims.push(shape[i]);
      reduced.push(r);
    }
  }
  return { dims, reduced };
}

function initial(op: ReduceOp): number {
  switch (op) {
    case 'sum':
      return 0;
    case 'prod':
      return 1;
    case 'max':
      return Number.NEGATIVE_INFINITY;
    case 'min':
      return Number.POSITIVE_INFINITY;
  }
}

/** acc[o] = op(acc[o], x[i]); NaN wins max and min, as in NumPy. */
function combine(op: ReduceOp, acc: Float64Array, o: number, v: number): void {
  switch (op) {
    case 'sum':
      acc[o] += v;
      return;
    case 'prod':
      acc[o] *= v;
      return;
    case 'max':
      if (v > acc[o] || v !== v) acc[o] = v;
      return;
    case 'min':
      if (v < acc[o] || v !== v) acc[o] = v;
      return;
  }
}

/** Backend.reduce; `runSums`, when given, are the sums of the innermost reduced runs (see sumRun). */
export function reduce(
  op: ReduceOp,
  x: TypedArray,
  shape: Shape,
  axes: readonly number[],
  out: TypedArray,
  runSums: Float64Array | null = null,
): void {
  const acc = allocate('float64', out.length).fill(initial(op));
  if (x.length > 0) accumulate(op, x, shape, axes, acc, runSums);
  out.set(acc);
}

/**
 * Folds every element of `x` (non-empty) into `acc`, in double precision. The loops are a function
 * of their own, with nothing after them: V8 optimizes a long first call's loop on the stack (OSR)
 * before the code after it has ever run, and a call after that loop in the same function would
 * then leave that optimized code on every later call (a deoptimization per call).
 */
function accumulate(
  op: ReduceOp,
  x: TypedArray,
  shape: Shape,
  axes: readonly number[],
  acc: Float64Array,
  runSums: Float64Array | null,
): void {
  const { dims, reduced } = merge(shape, axes);
  if (dims.length === 0 || (dims.length === 1 && reduced[0])) {
    // Everything is reduced into one value.
    if (op === 'sum') acc[0] = sumRun(x, runSums, 0, x.length);
    else for (let i = 0; i < x.length; i++) combine(op, acc, 0, x[i]);
  } else if (dims.length === 1) {
    for (let i = 0; i < x.length; i++) acc[i] = x[i];
  } else if (dims.length === 2 && !reduced[0]) {
    const [rows, cols] = dims;
    for (let r = 0; r < rows; r++) {
      let a = acc[r];
      const base = r * cols;
      if (op === 'sum') a = sumRun(x, runSums, base, cols);
      else if (op === 'prod') for (let j = 0; j < cols; j++) a *= x[base + j];
      else {
        acc[r] = a;
        for (let j = 0; j < cols; j++) combine(op, acc, r, x[base + j]);
        continue;
      }
      acc[r] = a;
    }
  } else if (dims.length === 2) {
    const [rows, cols] = dims;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      if (op === 'sum') for (let j = 0; j < cols; j++) acc[j] += x[base + j];
      else for (let j = 0; j < cols; j++) combine(op, acc, j, x[base + j]);
    }
  } else {
    // Three or more merged dimensions (e.g. a per-channel sum over [batch, channels, pixels]):
    // walk the rows of the innermost dimension, each folded into one output or added across.
    const outStrides = keptStrides(dims, reduced);
    const innerReduced = reduced[dims.length - 1];
    walkRows(dims, outStrides, (start, o, length) => {
      if (innerReduced) {
        if (op === 'sum') acc[o] += sumRun(x, runSums, start, length);
        else for (let j = 0; j < length; j++) combine(op, acc, o, x[start + j]);
      } else if (op === 'sum') for (let j = 0; j < length; j++) acc[o + j] += x[start + j];
      else for (let j = 0; j < length; j++) combine(op, acc, o + j, x[start + j]);
    });
  }
}

/**
 * The sum of the run `x[start … start + length)` of the innermost (reduced) dimension: from
 * `runSums` when a faster kernel has already made them with the same bits (the WebAssembly
 * backend), else {@link sumRunF64}.
 */
function sumRun(x: TypedArray, runSums: Float64Array | null, start: number, length: number): number {
  return runSums === null ? sumRunF64(x, start, length) : runSums[start / length];
}

/**
 * Σ x[start … start + length) in float64, in four interleaved partial sums: the adds overlap instead
 * of each waiting for the one before (about twice as fast on long rows, e.g. a bias gradient over
 * batch × pixels). The order of summation is therefore not left to right.
 */
function sumRunF64(x: TypedArray, start: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < end; i++) s0 += x[i];
  return s0 + s1 + (s2 + s3);
}

/** Strides into the output for each merged dimension (0 for reduced ones). */
function keptStrides(dims: readonly number[], reduced: readonly boolean[]): number[] {
  const strides = new Array<number>(dims.length).fill(0);
  let stride = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    if (!reduced[d]) {
      strides[d] = stride;
      stride *= dims[d];
    }
  }
  return strides;
}

/**
 * Visits every row of the innermost dimension in memory order: `visit(firstInput, mapped, length)`
 * with the output index of the row's start under `strides`.
 */
function walkRows(
  dims: readonly number[],
  strides: readonly number[],
  visit: (input: number, mapped: number, length: number) => void,
): void {
  const nd = dims.length;
  const length = dims[nd - 1];
  const counter = new Array<number>(nd - 1).fill(0);
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= dims[d];
  let mapped = 0;
  for (let r = 0; r < rows; r++) {
    visit(r * length, mapped, length);
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]++;
      mapped += strides[d];
      if (counter[d] < dims[d]) break;
      mapped -= strides[d] * dims[d];
      counter[d] = 0;
    }
  }
}

export function argReduce(op: 'argmax' | 'argmin', x: TypedArray, shape: Shape, axes: readonly number[], out: Int32Array): void {
  const best = allocate('float64', out.length).fill(op === 'argmax' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
  const seen = new Uint8Array(out.length);
  out.fill(0);
  if (x.length === 0) return;
  // Unmerged walk: the flat index within the reduced dimensions is the arg we report.
  const nd = shape.length;
  const outStrides = new Array<number>(nd).fill(0);
  const redStrides = new Array<number>(nd).fill(0);
  let os = 1;
  let rs = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (axes.includes(d)) {
      redStrides[d] = rs;
      rs *= shape[d];
    } else {
      outStrides[d] = os;
      os *= shape[d];
    }
  }
  const counter = new Array<number>(nd).fill(0);
  let o = 0;
  let r = 0;
  const isMax = op === 'argmax';
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (seen[o] === 0 || (best[o] === best[o] && (v !== v || (isMax ? v > best[o] : v < best[o])))) {
      best[o] = v;
      out[o] = r;
      seen[o] = 1;
    }
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      o += outStrides[d];
      r += redStrides[d];
      if (counter[d] < shape[d]) break;
      o -= outStrides[d] * shape[d];
      r -= redStrides[d] * shape[d];
      counter[d] = 0;
    }
  }
}
