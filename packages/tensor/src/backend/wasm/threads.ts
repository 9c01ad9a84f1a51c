import { decodeBase64 } from './base64.js';
import { sharedKernelsBase64 } from './kernels.js';

// Splitting large float32 products across two threads (Node: worker_threads over a shared
// WebAssembly memory). The main thread computes the top rows of C while one worker computes the
// bottom rows, then waits for it with Atomics.wait — allowed on Node's main thread, not on a
// browser's, so browsers (and runtimes without SharedArrayBuffer) keep the one-thread kernel.

/** The matrix-product kernels (see wasm/gemm.ts), on either memory. */
export interface GemmKernels {
  packA(a: number, m: number, k: number, trans: boolean, dst: number): void;
  packB(b: number, k: number, n: number, trans: boolean, dst: number): void;
  gemmPacked(top: number, bottom: number, m: number, n: number, k: number, ap: number, bp: number, c: number, scratch: number): void;
}

/** A second thread that runs the kernel on a shared memory. */
export interface GemmPool {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  kernels: GemmKernels;
  /** Runs the kernel on the worker with these arguments; returns a function that waits for it. */
  start(args: readonly number[]): () => void;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBuffer; grow(pages: number): number };
}

type WorkerLike = { unref(): void; on(event: string, listener: (...args: unknown[]) => void): void };

// The worker's whole program: instantiate the shared-memory kernels, then loop waiting for jobs.
const workerSource = `
const { workerData } = require('node:worker_threads');
const { bytes, memory, control } = workerData;
const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
const ctrl = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  instance.exports.gemmPacked(ctrl[2], ctrl[3], ctrl[4], ctrl[5], ctrl[6], ctrl[7], ctrl[8], ctrl[9], ctrl[10]);
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
`;

let pool: GemmPool | null | undefined;

/**
 * The two-thread pool, created on first use; null where threads are unavailable (browsers,
 * no SharedArrayBuffer, fewer than 2 cores, or `BACKPROP_THREADS=1`).
 */
export function gemmPool(): GemmPool | null {
  if (pool !== undefined) return pool;
  pool = null;
  try {
    const g = globalThis as unknown as {
      process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown };
      WebAssembly?: WebAssemblyApi;
      SharedArrayBuffer?: new (n: number) => ArrayBuffer;
    };
    if (
      g.process?.env?.BACKPROP_THREADS === '1' ||
      !g.SharedArrayBuffer ||
      !g.WebAssembly ||
      typeof g.process?.getBuiltinModule !== 'function'
    )
      return pool;
    const os = g.process.getBuiltinModule('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] };
    if ((os.availableParallelism?.() ?? os.cpus().length) < 2) return pool;
    const { Worker } = g.process.getBuiltinModule('node:worker_threads') as { Worker: new (code: string, options: object) => WorkerLike };
    const bytes = decodeBase64(sharedKernelsBase64);
    const memory = new g.WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
    const instance = new g.WebAssembly.Instance(new g.WebAssembly.Module(bytes), { env: { memory } });
    const control = new g.SharedArrayBuffer(64);
    const ctrl = new Int32Array(control);
    const worker = new Worker(workerSource, { eval: true, workerData: { bytes, memory, control } });
    worker.unref();
    let broken = false;
    worker.on('error', () => {
      broken = true;
    });
    let seq = 0;
    pool = {
      memory,
      kernels: instance.exports as GemmKernels,
      start(args) {
        seq++;
        for (let i = 0; i < args.length; i++) ctrl[2 + i] = args[i];
        Atomics.store(ctrl, 0, seq);
        Atomics.notify(ctrl, 0);
        const job = seq;
        return () => {
          for (;;) {
            // Wait on the value just seen: had the worker finished in between, the wait would
            // otherwise sleep on the new value until its timeout.
            const done = Atomics.load(ctrl, 1);
            if (done === job) return;
            if (broken) throw new Error('the gemm worker thread failed');
            Atomics.wait(ctrl, 1, done, 1000);
          }
        };
      },
    };
  } catch {
    pool = null;
  }
  return pool;
}
