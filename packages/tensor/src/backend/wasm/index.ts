import type { Backend, BinaryOp } from '../backend.js';
import { coalesce } from '../js/elementwise.js';
import { jsBackend } from '../js/index.js';
import { decodeBase64 } from './base64.js';
import { kernelsBase64 } from './kernels.js';
import { type GemmKernels, gemmPool } from './threads.js';

// The WebAssembly SIMD backend: float32 matrix products above a size threshold run in a
// register-blocked SIMD kernel (wasm/gemm.ts); large float32 element-wise ops (arithmetic,
// comparisons, ReLU) and max pooling without padding in wasm/elementwise.ts; everything else is
// the plain-TypeScript backend. The module is ~2 KB, embedded, and compiled synchronously, so it
// loads in Node and browsers without extra files.

interface Kernels extends GemmKernels {
  gemmNT(m: number, n: number, k: number, a: number, b: number, c: number): void;
  binaryRows(
    op: number,
    a: number,
    aOuter: number,
    aInner: number,
    b: number,
    bOuter: number,
    bInner: number,
    out: number,
    rows: number,
    length: number,
  ): void;
  relu(x: number, out: number, n: number): void;
  adam(
    param: number,
    grad: number,
    m: number,
    v: number,
    vMax: number,
    amsgrad: boolean,
    n: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    inverseSqrtCorrection2: number,
    eps: number,
    l2: number,
    shrink: number,
  ): void;
  im2col(
    image: number,
    columns: number,
    planes: number,
    height: number,
    width: number,
    kernelH: number,
    kernelW: number,
    strideH: number,
    strideW: number,
    padH: number,
    padW: number,
    dilationH: number,
    dilationW: number,
    outH: number,
    outW: number,
    padValue: number,
    accumulate: boolean,
  ): void;
  maxPoolInside(
    image: number,
    planes: number,
    height: number,
    width: number,
    kernelH: number,
    kernelW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    outH: number,
    outW: number,
    out: number,
    argmax: number,
  ): void;
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

/** The part of the WebAssembly JS API used here (declared locally: the package builds without DOM types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** Below this many multiply-adds a product stays in JavaScript (copying would cost more than it saves). */
const threshold = 16 * 16 * 16;
/**
 * From this many multiply-adds on, a product is split across two threads where that is possible
 * (measured: below it, a second thread cost the W2 training step more than it saved).
 */
const threadThreshold = 256 * 256 * 512;

let kernels: Kernels | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is unavailable. */
function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!api) throw new Error('no WebAssembly');
    const instance = new api.Instance(new api.Module(decodeBase64(kernelsBase64)), {});
    kernels = instance.exports as unknown as Kernels;
  } catch {
    kernels = null;
  }
  return kernels;
}

/** Whether this runtime can run the WebAssembly SIMD kernels. */
export function wasmSimdSupported(): boolean {
  return load() !== null;
}

/**
 * Below this many elements an element-wise op stays in JavaScript: copying the operands into the
 * module's memory and the result out costs about as much as the JS loop saves.
 */
const elementThreshold = 2048;

/**
 * A memory as floats, grown to hold at least `floats` of them; null when it cannot grow that far
 * (WebAssembly memories stop at 4 GiB): the caller then runs the JS kernel instead. @internal
 */
export function heapOf(memory: Kernels['memory'], floats: number): Float32Array | null {
  const bytes = floats * 4;
  try {
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  } catch {
    return null;
  }
  return new Float32Array(memory.buffer);
}

/** The kernel's code of each op it runs (see wasm/elementwise.ts). */
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

const unary: Backend['unary'] = (op, x, out, p0, p1) => {
  const wasm = op === 'relu' && x.length >= elementThreshold && x instanceof Float32Array && out instanceof Float32Array ? load() : null;
  if (!wasm) {
    jsBackend.unary(op, x, out, p0, p1);
    return;
  }
  const n = x.length;
  const heap = heapOf(wasm.memory, 2 * n);
  if (!heap) {
    jsBackend.unary(op, x, out, p0, p1);
    return;
  }
  heap.set(x, 0);
  wasm.relu(0, n * 4, n);
  out.set(heap.subarray(n, 2 * n));
};

const binary: Backend['binary'] = (op, a, aStrides, b, bStrides, out, shape) => {
  const code = binaryCodes[op];
  const comparison = code !== undefined && code >= 4 && code <= 9;
  const wasm =
    code !== undefined &&
    out.length >= elementThreshold &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    (comparison ? out instanceof Int32Array : out instanceof Float32Array)
      ? load()
      : null;
  const merged = wasm ? coalesce(shape, [aStrides, bStrides]) : null;
  // Rows of contiguous or broadcast values (inner strides 0 or 1), in blocks of two merged
  // dimensions; outer dimensions, if any, are walked here, one kernel call per block.
  const nd = merged ? merged.shape.length : 0;
  if (!wasm || !merged || nd === 0 || merged.strides[0][nd - 1] > 1 || merged.strides[1][nd - 1] > 1) {
    jsBackend.binary(op, a, aStrides, b, bStrides, out, shape);
    return;
  }
  const dims = nd === 1 ? [1, 1, ...merged.shape] : [1, ...merged.shape];
  const [sa, sb] = merged.strides.map((st) => (nd === 1 ? [0, 0, ...st] : [0, ...st]));
  const d = dims.length;
  const [rows, length] = [dims[d - 2], dims[d - 1]];
  const aAt = 0;
  const bAt = a.length;
  const outAt = bAt + b.length;
  const heap = heapOf(wasm.memory, outAt + out.length);
  if (!heap) {
    jsBackend.binary(op, a, aStrides, b, bStrides, out, shape);
    return;
  }
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

const maxPool: Backend['maxPool'] = (g, image, out, argmax) => {
  const wasm =
    g.padH === 0 && g.padW === 0 && image.length >= elementThreshold && image instanceof Float32Array && out instanceof Float32Array
      ? load()
      : null;
  if (!wasm) {
    jsBackend.maxPool(g, image, out, argmax);
    return;
  }
  const outAt = image.length;
  const argAt = outAt + out.length;
  const heap = heapOf(wasm.memory, argAt + out.length);
  if (!heap) {
    jsBackend.maxPool(g, image, out, argmax);
    return;
  }
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

const im2col: Backend['im2col'] = (g, image, columns, padValue, accumulate) => {
  const wasm = columns.length >= elementThreshold && image instanceof Float32Array && columns instanceof Float32Array ? load() : null;
  if (!wasm) {
    jsBackend.im2col(g, image, columns, padValue, accumulate);
    return;
  }
  const columnsAt = image.length;
  const heap = heapOf(wasm.memory, columnsAt + columns.length);
  if (!heap) {
    jsBackend.im2col(g, image, columns, padValue, accumulate);
    return;
  }
  heap.set(image, 0);
  if (accumulate) heap.set(columns, columnsAt);
  wasm.im2col(
    0,
    columnsAt * 4,
    g.batch * g.channels,
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
  if (accumulate) image.set(heap.subarray(0, image.length));
  else columns.set(heap.subarray(columnsAt, columnsAt + columns.length));
};

const adam: Backend['adam'] = (param, grad, m, v, vMax, h) => {
  const float32 =
    param instanceof Float32Array &&
    grad instanceof Float32Array &&
    m instanceof Float32Array &&
    v instanceof Float32Array &&
    (vMax === null || vMax instanceof Float32Array);
  const wasm = float32 && param.length >= elementThreshold ? load() : null;
  if (!wasm) {
    jsBackend.adam(param, grad, m, v, vMax, h);
    return;
  }
  // Heap layout (in floats): param | grad | m | v | vMax; the updated param, m, v, vMax are copied back.
  const n = param.length;
  const heap = heapOf(wasm.memory, (vMax ? 5 : 4) * n);
  if (!heap) {
    jsBackend.adam(param, grad, m, v, vMax, h);
    return;
  }
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

const gemm: Backend['gemm'] = (transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset) => {
  const wasm =
    c instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array && m * n * k >= threshold ? load() : null;
  if (!wasm) {
    jsBackend.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
    return;
  }
  if (transB && !transA && n <= 16) {
    // Few columns: C = A·Bᵀ as dot products of rows, with no transposition or packing.
    const heap = heapOf(wasm.memory, m * k + n * k + m * n);
    if (!heap) {
      jsBackend.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
      return;
    }
    heap.set(a.subarray(aOffset, aOffset + m * k), 0);
    heap.set(b.subarray(bOffset, bOffset + n * k), m * k);
    const cAt = m * k + n * k;
    wasm.gemmNT(m, n, k, 0, m * k * 4, cAt * 4);
    c.set(heap.subarray(cAt, cAt + m * n), cOffset);
    return;
  }
  // Heap layout (in floats): A | B as given | packed A (⌈m/4⌉·4·k) | packed B (⌈n/8⌉·8·k) | C | 2 scratch tiles.
  const aAt = 0;
  const bAt = aAt + m * k;
  const apAt = bAt + k * n;
  const bpAt = apAt + Math.ceil(m / 4) * 4 * k;
  const cAt = bpAt + Math.ceil(n / 8) * 8 * k;
  const scratchAt = cAt + m * n;
  const threads = m >= 8 && m * n * k >= threadThreshold ? gemmPool() : null;
  const heap = heapOf(threads ? threads.memory : wasm.memory, scratchAt + 64);
  if (!heap) {
    jsBackend.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
    return;
  }
  heap.set(a.subarray(aOffset, aOffset + m * k), aAt);
  heap.set(b.subarray(bOffset, bOffset + k * n), bAt);
  const kernels: GemmKernels = threads ? threads.kernels : wasm;
  kernels.packA(aAt * 4, m, k, transA, apAt * 4);
  kernels.packB(bAt * 4, k, n, transB, bpAt * 4);
  const packed = [m, n, k, apAt * 4, bpAt * 4, cAt * 4] as const;
  if (threads) {
    // The worker takes the bottom rows (a multiple of 4 on the top keeps the tiles whole).
    const top = Math.min(m, Math.ceil(m / 2 / 4) * 4);
    const wait = threads.start([top, m, ...packed, (scratchAt + 32) * 4]);
    threads.kernels.gemmPacked(0, top, ...packed, scratchAt * 4);
    wait();
  } else {
    wasm.gemmPacked(0, m, ...packed, scratchAt * 4);
  }
  c.set(heap.subarray(cAt, cAt + m * n), cOffset);
};

/**
 * The WebAssembly SIMD backend: float32 matrix products, large element-wise ops, im2col, max
 * pooling and the Adam step in 128-bit SIMD kernels, the rest in plain TypeScript. Sums are accumulated in float32 (the JS kernel accumulates in float64), so
 * results differ from the reference by float32 rounding; the conformance suite allows for that.
 * @example if (wasmSimdSupported()) setBackend(wasmBackend);
 */
export const wasmBackend: Backend = { ...jsBackend, name: 'wasm-simd', gemm, unary, binary, maxPool, im2col, adam };
