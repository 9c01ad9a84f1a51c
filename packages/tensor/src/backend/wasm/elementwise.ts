import type { Backend, BinaryOp, WindowGeometry } from '../backend.js';
import { coalesce } from '../js/elementwise.js';
import { jsBackend } from '../js/index.js';
import { reduce as jsReduce, merge } from '../js/reduce.js';
import { elementThreshold, type Kernels, kernelsWithHeap } from './module.js';

// Large float32 element-wise ops, ReLU, row sums, max pooling without padding, im2col and the
// Adam step in the SIMD kernels of wasm/elementwise.ts: operands are copied into the module's memory and the
// results out; below `elementThreshold` elements, or for other dtypes, the JS kernels run.

const binaryCodes: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  eq: 4,
  ne: 5,
  lt: 6,
  le: 7,
  gt: 8,
  ge: 9,
  reluGrad: 10,
};

export const unary: Backend['unary'] = (op, x, out, p0, p1) => {
  const n = x.length;
  const run =
    op === 'relu' && n >= elementThreshold && x instanceof Float32Array && out instanceof Float32Array ? kernelsWithHeap(2 * n) : null;
  if (!run) {
    jsBackend.unary(op, x, out, p0, p1);
    return;
  }
  const { wasm, heap } = run;
  heap.set(x, 0);
  wasm.relu(0, n * 4, n);
  out.set(heap.subarray(n, 2 * n));
};

export const binary: Backend['binary'] = (op, a, aStrides, b, bStrides, out, shape) => {
  const code = binaryCodes[op];
  const comparison = code !== undefined && code >= 4 && code <= 9;
  const eligible =
    code !== undefined &&
    out.length >= elementThreshold &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    (comparison ? out instanceof Int32Array : out instanceof Float32Array);
  const merged = eligible ? coalesce(shape, [aStrides, bStrides]) : null;
  // Rows of contiguous or broadcast values (inner strides 0 or 1), in blocks of two merged
  // dimensions; outer dimensions, if any, are walked here, one kernel call per block.
  const nd = merged ? merged.shape.length : 0;
  const rowsFit = merged !== null && nd > 0 && merged.strides[0][nd - 1] <= 1 && merged.strides[1][nd - 1] <= 1;
  // Heap layout (in floats): a | b | out.
  const aAt = 0;
  const bAt = a.length;
  const outAt = bAt + b.length;
  const run = rowsFit ? kernelsWithHeap(outAt + out.length) : null;
  if (!merged || !run) {
    jsBackend.binary(op, a, aStrides, b, bStrides, out, shape);
    return;
  }
  const { wasm, heap } = run;
  const dims = nd === 1 ? [1, 1, ...merged.shape] : [1, ...merged.shape];
  const [sa, sb] = merged.strides.map((st) => (nd === 1 ? [0, 0, ...st] : [0, ...st]));
  const d = dims.length;
  const [rows, length] = [dims[d - 2], dims[d - 1]];
  heap.set(a, aAt);
  heap.set(b, bAt);
  const blocks = out.length / (rows * length);
  const counter = new Array<number>(d - 2).fill(0);
  let aOff = 0;
  let bOff = 0;
  for (let block = 0; block < blocks; block++) {
    const o = outAt + block * rows * length;
    wasm.binaryRows(code as number, (aAt + aOff) * 4, sa[d - 2], sa[d - 1], (bAt + bOff) * 4, sb[d - 2], sb[d - 1], o * 4, rows, length);
    for (let k = d - 3; k >= 0; k--) {
      counter[k]++;
      aOff += sa[k];
      bOff += sb[k];
      if (counter[k] < dims[k]) break;
      aOff -= sa[k] * dims[k];
      bOff -= sb[k] * dims[k];
      counter[k] = 0;
    }
  }
  const result = comparison ? new Int32Array(heap.buffer) : heap;
  out.set(result.subarray(outAt, outAt + out.length));
};

export const reduce: Backend['reduce'] = (op, x, shape, axes, out) => {
  // Float32 sums whose innermost merged dimension is reduced: every run of it summed at once in
  // the kernel, in the JS reference's order (the same bits), and the rest of the walk in JS.
  if (op !== 'sum' || !(x instanceof Float32Array) || x.length < elementThreshold) {
    jsReduce(op, x, shape, axes, out);
    return;
  }
  const { dims, reduced } = merge(shape, axes);
  const length = reduced[dims.length - 1] ? dims[dims.length - 1] : 0;
  const rows = length > 0 ? x.length / length : 0;
  // Heap layout: x (floats, padded to 8 bytes) | the run sums (float64).
  const sumsAt = x.length + (x.length & 1);
  const run = rows > 0 ? kernelsWithHeap(sumsAt + 2 * rows) : null;
  if (!run) {
    jsReduce(op, x, shape, axes, out);
    return;
  }
  const { wasm, heap } = run;
  heap.set(x, 0);
  wasm.sumRows(0, rows, length, sumsAt * 4);
  jsReduce(op, x, shape, axes, out, new Float64Array(heap.buffer, sumsAt * 4, rows));
};

export const maxPool: Backend['maxPool'] = (g, image, out, argmax) => {
  // Heap layout (in floats): image | out | argmax.
  const outAt = image.length;
  const argAt = outAt + out.length;
  const run =
    g.padH === 0 && g.padW === 0 && image.length >= elementThreshold && image instanceof Float32Array && out instanceof Float32Array
      ? kernelsWithHeap(argAt + out.length)
      : null;
  if (!run) {
    jsBackend.maxPool(g, image, out, argmax);
    return;
  }
  const { wasm, heap } = run;
  heap.set(image, 0);
  wasm.maxPoolInside(
    0,
    g.batch * g.channels,
    g.height,
    g.width,
    g.kernelH,
    g.kernelW,
    g.strideH,
    g.strideW,
    g.dilationH,
    g.dilationW,
    g.outH,
    g.outW,
    outAt * 4,
    argAt * 4,
  );
  out.set(heap.subarray(outAt, argAt));
  argmax.set(new Int32Array(heap.buffer, argAt * 4, out.length));
};

export const im2col: Backend['im2col'] = (g, image, columns, padValue, accumulate) => {
  // Heap layout (in floats): image | columns.
  const columnsAt = image.length;
  const run =
    columns.length >= elementThreshold && image instanceof Float32Array && columns instanceof Float32Array
      ? kernelsWithHeap(columnsAt + columns.length)
      : null;
  if (!run) {
    jsBackend.im2col(g, image, columns, padValue, accumulate);
    return;
  }
  const { wasm, heap } = run;
  heap.set(image, 0);
  if (accumulate) heap.set(columns, columnsAt);
  im2colIn(wasm, g, 0, columnsAt * 4, g.batch * g.channels, padValue, accumulate);
  if (accumulate) image.set(heap.subarray(0, image.length));
  else columns.set(heap.subarray(columnsAt, columnsAt + columns.length));
};

/** The im2col kernel on `planes` planes of the geometry's size at byte address `image`, into `columns` (also bytes). */
export function im2colIn(
  wasm: Kernels,
  g: WindowGeometry,
  image: number,
  columns: number,
  planes: number,
  padValue: number,
  accumulate: boolean,
): void {
  wasm.im2col(
    image,
    columns,
    planes,
    g.height,
    g.width,
    g.kernelH,
    g.kernelW,
    g.strideH,
    g.strideW,
    g.padH,
    g.padW,
    g.dilationH,
    g.dilationW,
    g.outH,
    g.outW,
    padValue,
    accumulate,
  );
}

export const adam: Backend['adam'] = (param, grad, m, v, vMax, h) => {
  const float32 =
    param instanceof Float32Array &&
    grad instanceof Float32Array &&
    m instanceof Float32Array &&
    v instanceof Float32Array &&
    (vMax === null || vMax instanceof Float32Array);
  // Heap layout (in floats): param | grad | m | v | vMax; the updated param, m, v, vMax are copied back.
  const n = param.length;
  const run = float32 && n >= elementThreshold ? kernelsWithHeap((vMax ? 5 : 4) * n) : null;
  if (!run) {
    jsBackend.adam(param, grad, m, v, vMax, h);
    return;
  }
  const { wasm, heap } = run;
  heap.set(param, 0);
  heap.set(grad, n);
  heap.set(m, 2 * n);
  heap.set(v, 3 * n);
  if (vMax) heap.set(vMax, 4 * n);
  wasm.adam(
    0,
    n * 4,
    2 * n * 4,
    3 * n * 4,
    4 * n * 4,
    vMax !== null,
    n,
    h.stepSize,
    h.beta1,
    h.beta2,
    h.inverseSqrtCorrection2,
    h.eps,
    h.l2,
    h.shrink,
  );
  param.set(heap.subarray(0, n));
  m.set(heap.subarray(2 * n, 3 * n));
  v.set(heap.subarray(3 * n, 4 * n));
  if (vMax) vMax.set(heap.subarray(4 * n, 5 * n));
};
