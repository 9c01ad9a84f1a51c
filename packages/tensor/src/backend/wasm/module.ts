import { decodeBase64 } from './base64.js';
import { kernelsBase64 } from './kernels.js';
import type { GemmKernels } from './threads.js';

// The compiled WebAssembly SIMD kernels (AssemblyScript in wasm/, ~6.5 KB embedded as base64):
// compiled synchronously on first use, so they load in Node and browsers without extra files.

/** The kernels' exports (addresses are byte offsets into `memory`). */
export interface Kernels extends GemmKernels {
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
  sumRows(x: number, rows: number, length: number, out: number): void;
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
  Memory: new (descriptor: { initial: number }) => Kernels['memory'];
}

/**
 * The kernels' memory, in 64 KiB pages: 128 MiB of address space if the runtime grants it, so
 * that it rarely has to grow — growing a WebAssembly memory detaches its old ArrayBuffer, and
 * from the first detach on V8 checks for detached buffers in every typed-array loop of the
 * process (measured: a column sum of a 1024×1000 float32 array 3.0 → 4.9 ms). Pages never
 * touched cost no physical memory. Smaller sizes where that much cannot be reserved.
 */
const initialPages = [2048, 256, 16, 1];

/** The kernels' memory at the largest of {@link initialPages} the runtime grants. @internal */
export function createMemory(api: Pick<WebAssemblyApi, 'Memory'>): Kernels['memory'] {
  for (const pages of initialPages) {
    try {
      return new api.Memory({ initial: pages });
    } catch {
      // Try a smaller memory.
    }
  }
  throw new Error('no WebAssembly memory');
}

let kernels: Kernels | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is unavailable. */
export function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!api) throw new Error('no WebAssembly');
    const instance = new api.Instance(new api.Module(decodeBase64(kernelsBase64)), { env: { memory: createMemory(api) } });
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
export const elementThreshold = 2048;

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

/**
 * The kernels with their memory as floats, grown to hold `floats`; null where WebAssembly SIMD is
 * unavailable or the memory cannot grow that far. Every wrapper runs the JS kernel on null.
 */
export function kernelsWithHeap(floats: number): { wasm: Kernels; heap: Float32Array } | null {
  const wasm = load();
  const heap = wasm && heapOf(wasm.memory, floats);
  return wasm && heap ? { wasm, heap } : null;
}

/** The kernel's code of each op it runs (see wasm/elementwise.ts). */
