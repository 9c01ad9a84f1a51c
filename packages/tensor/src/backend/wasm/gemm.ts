import type { TypedArray } from '../../dtype.js';
import type { Backend, GemmArguments } from '../backend.js';
import { addRowBias } from '../js/gemm.js';
import { jsBackend } from '../js/index.js';
import { heapOf, kernelsWithHeap, load } from './module.js';
import { gemmPool } from './threads.js';

// Float32 matrix products in the SIMD kernels of wasm/gemm.ts: both operands packed (4-row
// blocks of A, 8-column panels of B), then a 4×8 register tile; few-column A·Bᵀ as row dot
// products; large products shared by two threads where that is possible (see threads.ts).

export const threshold = 16 * 16 * 16;
/**
 * From this many multiply-adds on, a product is split across two threads where that is possible
 * (measured: below it, a second thread cost the W2 training step more than it saved).
 */
export const threadThreshold = 256 * 256 * 512;

/** Up to this many columns, A·Bᵀ runs as dot products of rows ({@link rowDots}) instead of packed. */
export const rowDotColumns = 16;

export const gemm: Backend['gemm'] = (transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset) => {
  gemmRowBias(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, null, 0);
};

/**
 * The product in WebAssembly where it can run there (float32, large enough), with the row bias
 * added in the module's memory before C is copied out; else in JS, and then the bias.
 */
export function gemmRowBias(...args: [...GemmArguments, bias: TypedArray | null, biasOffset: number]): void {
  const [transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset, bias, biasOffset] = args;
  if (eligible(m, n, k, a, b, c) && (bias === null || bias instanceof Float32Array)) {
    // (eligible() checked that the operands are float32.)
    const operands = args.slice(0, 11) as Float32Gemm;
    const rows = bias === null ? null : bias.subarray(biasOffset, biasOffset + m);
    const done = transB && !transA && n <= rowDotColumns ? rowDots(rows, ...operands) : packed(rows, ...operands);
    if (done) return;
  }
  jsBackend.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
  if (bias !== null) addRowBias(c, cOffset, m, n, bias, biasOffset);
}

/** Whether a product goes to WebAssembly: float32 throughout, and large enough to repay the copies. */
function eligible(m: number, n: number, k: number, a: TypedArray, b: TypedArray, c: TypedArray): boolean {
  return c instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array && m * n * k >= threshold;
}

/** The arguments of Backend['gemm'] with float32 operands. */
type Float32Gemm = [
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  c: Float32Array,
  cOffset: number,
];

/** Float32 values in a 4 KiB memory page. */
const pageFloats = 1024;

/**
 * Writes one element in each memory page of `c`'s `length` floats from `offset` (the values are
 * overwritten by the product anyway). A large fresh array — the result of an op — has no pages
 * yet: the system maps each on first write, which on a virtual machine costs about 11 ms for 4 MB
 * (a 1024×1024 product), a fifth of the product itself. Done while the worker computes, it is off
 * the critical path instead of in the final copy of C.
 */
function touchPages(c: Float32Array, offset: number, length: number): void {
  const end = offset + length;
  for (let i = offset; i < end; i += pageFloats) c[i] = 0;
  if (length > 0) c[end - 1] = 0;
}

/** Few columns: C = A·Bᵀ as dot products of rows, with no transposition or packing. False if WebAssembly cannot run it. */
function rowDots(bias: Float32Array | null, ...[, , m, n, k, a, aOffset, b, bOffset, c, cOffset]: Float32Gemm): boolean {
  // Heap layout (in floats): A | B | C | bias.
  const cAt = m * k + n * k;
  const biasAt = cAt + m * n;
  const run = kernelsWithHeap(biasAt + m);
  if (!run) return false;
  const { wasm, heap } = run;
  heap.set(a.subarray(aOffset, aOffset + m * k), 0);
  heap.set(b.subarray(bOffset, bOffset + n * k), m * k);
  wasm.gemmNT(m, n, k, 0, m * k * 4, cAt * 4);
  if (bias) {
    heap.set(bias, biasAt);
    wasm.addRowBias(cAt * 4, m, n, biasAt * 4);
  }
  c.set(heap.subarray(cAt, cAt + m * n), cOffset);
  return true;
}

/** Both operands packed, then the 4×8 tile; on two threads where possible. False if WebAssembly cannot run it. */
function packed(bias: Float32Array | null, ...[transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset]: Float32Gemm): boolean {
  const wasm = load();
  if (!wasm) return false;
  // Heap layout (in floats): A | B as given | packed A (⌈m/4⌉·4·k) | packed B (⌈n/8⌉·8·k) | C | 2 scratch tiles | bias.
  const aAt = 0;
  const bAt = aAt + m * k;
  const apAt = bAt + k * n;
  const bpAt = apAt + Math.ceil(m / 4) * 4 * k;
  const cAt = bpAt + Math.ceil(n / 8) * 8 * k;
  const scratchAt = cAt + m * n;
  const threads = m >= 8 && m * n * k >= threadThreshold ? gemmPool() : null;
  const biasAt = scratchAt + 64;
  const heap = heapOf(threads ? threads.memory : wasm.memory, biasAt + m);
  if (!heap) return false;
  heap.set(a.subarray(aOffset, aOffset + m * k), aAt);
  heap.set(b.subarray(bOffset, bOffset + k * n), bAt);
  if (threads) {
    // Blocks of about a sixteenth of the rows: small enough to even out two threads of unequal
    // speed, large enough that a block of packed A stays in cache across B's panels.
    const rows = Math.max(4, Math.ceil(m / 16 / 4) * 4);
    const [a4, b4, ap4, bp4, c4] = [aAt * 4, bAt * 4, apAt * 4, bpAt * 4, cAt * 4];
    const scratch = [scratchAt * 4, (scratchAt + 32) * 4] as const;
    // While the worker packs and starts on the rows, this thread maps C's fresh pages.
    const job = { m, n, k, transA, transB, a: a4, b: b4, ap: ap4, bp: bp4, c: c4, scratch, rows };
    threads.run(job, () => touchPages(c, cOffset, m * n));
  } else {
    wasm.packA(aAt * 4, m, k, transA, apAt * 4);
    wasm.packB(bAt * 4, k, n, transB, bpAt * 4);
    wasm.gemmPacked(0, m, m, n, k, apAt * 4, bpAt * 4, cAt * 4, scratchAt * 4);
  }
  if (bias) {
    heap.set(bias, biasAt);
    (threads ? threads.kernels : wasm).addRowBias(cAt * 4, m, n, biasAt * 4);
  }
  c.set(heap.subarray(cAt, cAt + m * n), cOffset);
  return true;
}
