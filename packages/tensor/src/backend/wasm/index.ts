import type { TypedArray } from '../../dtype.js';
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { decodeBase64 } from './base64.js';
import { kernelsBase64 } from './kernels.js';
import { gemmPool } from './threads.js';

// The WebAssembly SIMD backend: float32 matrix products above a size threshold run in a
// register-blocked SIMD kernel (wasm/gemm.ts); everything else is the plain-TypeScript backend.
// The module is ~1 KB, embedded, and compiled synchronously, so it loads in Node and browsers
// without extra files.

interface Kernels {
  gemm(m: number, n: number, k: number, a: number, b: number, c: number, panel: number): void;
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

/** Copies an m×k operand (stored k×m when `transposed`) row-major into the heap at `at`. */
function place(heap: Float32Array, at: number, src: TypedArray, offset: number, rows: number, cols: number, transposed: boolean): void {
  if (!transposed) {
    heap.set(src.subarray(offset, offset + rows * cols), at);
    return;
  }
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) heap[at + r * cols + c] = src[offset + c * rows + r];
}

const gemm: Backend['gemm'] = (transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset) => {
  const wasm =
    c instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array && m * n * k >= threshold ? load() : null;
  if (!wasm) {
    jsBackend.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
    return;
  }
  // Heap layout (in floats): A | B | C | panel | second panel (k·8 + 32 each).
  const aAt = 0;
  const bAt = aAt + m * k;
  const cAt = bAt + k * n;
  const panelAt = cAt + m * n;
  const panel2At = panelAt + k * 8 + 32;
  const bytes = (panel2At + k * 8 + 32) * 4;
  const threads = m >= 8 && m * n * k >= threadThreshold ? gemmPool() : null;
  const memory = threads ? threads.memory : wasm.memory;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  const heap = new Float32Array(memory.buffer);
  place(heap, aAt, a, aOffset, m, k, transA);
  place(heap, bAt, b, bOffset, k, n, transB);
  if (threads) {
    // The worker takes the bottom rows (a multiple of 4 on the top keeps the main tiles whole).
    const top = Math.min(m, Math.ceil(m / 2 / 4) * 4);
    const wait = threads.start([m - top, n, k, (aAt + top * k) * 4, bAt * 4, (cAt + top * n) * 4, panel2At * 4]);
    threads.kernels.gemm(top, n, k, aAt * 4, bAt * 4, cAt * 4, panelAt * 4);
    wait();
  } else {
    wasm.gemm(m, n, k, aAt * 4, bAt * 4, cAt * 4, panelAt * 4);
  }
  c.set(heap.subarray(cAt, cAt + m * n), cOffset);
};

/**
 * The WebAssembly SIMD backend: float32 matrix products in a 128-bit SIMD kernel, the rest in
 * plain TypeScript. Sums are accumulated in float32 (the JS kernel accumulates in float64), so
 * results differ from the reference by float32 rounding; the conformance suite allows for that.
 * @example if (wasmSimdSupported()) setBackend(wasmBackend);
 */
export const wasmBackend: Backend = { ...jsBackend, name: 'wasm-simd', gemm };
