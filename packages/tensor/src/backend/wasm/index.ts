import type { TypedArray } from '../../dtype.js';
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { kernelsBase64 } from './kernels.js';

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

function decode(base64: string): Uint8Array {
  const binary = (globalThis as unknown as { atob: (s: string) => string }).atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let kernels: Kernels | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is unavailable. */
function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!api) throw new Error('no WebAssembly');
    const instance = new api.Instance(new api.Module(decode(kernelsBase64)), {});
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

function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: TypedArray,
  aOffset: number,
  b: TypedArray,
  bOffset: number,
  c: TypedArray,
  cOffset: number,
): void {
  const wasm =
    c instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array && m * n * k >= threshold ? load() : null;
  if (!wasm) {
    jsBackend.gemm(transA, transB, m, n, k, a, aOffset, b, bOffset, c, cOffset);
    return;
  }
  // Heap layout (in floats): A | B | C | panel (k·8 + 32).
  const aAt = 0;
  const bAt = aAt + m * k;
  const cAt = bAt + k * n;
  const panelAt = cAt + m * n;
  const bytes = (panelAt + k * 8 + 32) * 4;
  const memory = wasm.memory;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  const heap = new Float32Array(memory.buffer);
  place(heap, aAt, a, aOffset, m, k, transA);
  place(heap, bAt, b, bOffset, k, n, transB);
  wasm.gemm(m, n, k, aAt * 4, bAt * 4, cAt * 4, panelAt * 4);
  c.set(heap.subarray(cAt, cAt + m * n), cOffset);
}

/**
 * The WebAssembly SIMD backend: float32 matrix products in a 128-bit SIMD kernel, the rest in
 * plain TypeScript. Sums are accumulated in float32 (the JS kernel accumulates in float64), so
 * results differ from the reference by float32 rounding; the conformance suite allows for that.
 * @example if (wasmSimdSupported()) setBackend(wasmBackend);
 */
export const wasmBackend: Backend = { ...jsBackend, name: 'wasm-simd', gemm };
