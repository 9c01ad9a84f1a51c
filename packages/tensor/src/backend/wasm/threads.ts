import { decodeBase64 } from './base64.js';
import { sharedKernelsBase64 } from './kernels.js';

// Splitting large float32 products across two threads (Node: worker_threads over a shared
// WebAssembly memory). The main thread and one worker share the work of a product through
// counters in a small shared control block: each claims the next task with Atomics.add — first
// the packing of A and of B (one each, in parallel), then blocks of rows of C — so that a thread
// slowed down by the machine simply takes fewer blocks. Waiting uses Atomics.wait: allowed on
// Node's main thread, not on a browser's, so browsers (and runtimes without SharedArrayBuffer)
// keep the one-thread kernel.

/** The matrix-product kernels (see wasm/gemm.ts), on either memory. */
export interface GemmKernels {
  packA(a: number, m: number, k: number, trans: boolean, dst: number): void;
  packB(b: number, k: number, n: number, trans: boolean, dst: number): void;
  gemmPacked(top: number, bottom: number, m: number, n: number, k: number, ap: number, bp: number, c: number, scratch: number): void;
  addRowBias(c: number, m: number, n: number, bias: number): void;
}

/** Where the operands of one product are on the shared heap (byte offsets) and how to cut it. */
export interface GemmJob {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** A and B as given. */
  a: number;
  b: number;
  /** Room for packed A (⌈m/4⌉·4·k floats) and packed B (⌈n/8⌉·8·k floats). */
  ap: number;
  bp: number;
  c: number;
  /** 128 bytes of scratch for each of the two threads. */
  scratch: readonly [number, number];
  /** Rows of C per task (a multiple of 4). */
  rows: number;
}

/** A second thread that shares products on a shared memory. */
export interface GemmPool {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  /** The main thread's instance of the kernels on that memory. */
  kernels: GemmKernels;
  /**
   * Computes C = A·B for operands already on the shared heap, sharing the work with the worker.
   * `meanwhile`, if given, runs on this thread after the worker has been woken and before this
   * thread takes its share (the worker takes more blocks of rows in the meantime).
   */
  run(job: GemmJob, meanwhile?: () => void): void;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBuffer; grow(pages: number): number };
}

type WorkerLike = { unref(): void; on(event: string, listener: (...args: unknown[]) => void): void };

// The control block, in int32 slots.
const SEQ = 0; // number of the current job (the worker wakes when it changes)
const DONE = 1; // number of the last job the worker has left
const NEXT = 2; // next task to claim: 0 packs A, 1 packs B, 2 + i computes row block i
const PACKED = 3; // how many of the two packings have finished
const ARGS = 4; // m, n, k, a, b, ap, bp, c, transA, transB, rows, scratch (worker's)

/**
 * The work loop both threads run for one product, on their own instance of the kernels. It is
 * also the worker's source (through its text), so it uses nothing but its arguments and
 * Atomics: no imports, no closures.
 */
function work(ctrl: Int32Array, kernels: GemmKernels, scratch: number): void {
  const m = ctrl[4];
  const n = ctrl[5];
  const k = ctrl[6];
  const rows = ctrl[14];
  const blocks = Math.ceil(m / rows);
  for (;;) {
    const task = Atomics.add(ctrl, 2, 1);
    if (task < 2) {
      if (task === 0) kernels.packA(ctrl[7], m, k, ctrl[12] === 1, ctrl[9]);
      else kernels.packB(ctrl[8], k, n, ctrl[13] === 1, ctrl[10]);
      Atomics.add(ctrl, 3, 1);
      Atomics.notify(ctrl, 3);
      continue;
    }
    if (task - 2 >= blocks) return;
    // Both packings must be complete before any block of C.
    for (let packed = Atomics.load(ctrl, 3); packed < 2; packed = Atomics.load(ctrl, 3)) Atomics.wait(ctrl, 3, packed);
    const top = (task - 2) * rows;
    kernels.gemmPacked(top, Math.min(m, top + rows), m, n, k, ctrl[9], ctrl[10], ctrl[11], scratch);
  }
}

// The worker's whole program: instantiate the shared-memory kernels, then take part in each job.
const workerSource = `
const { workerData } = require('node:worker_threads');
const { bytes, memory, control } = workerData;
const kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const ctrl = new Int32Array(control);
const work = ${work.toString()};
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  seen = Atomics.load(ctrl, ${SEQ});
  work(ctrl, kernels, ctrl[${ARGS + 11}]);
  Atomics.store(ctrl, ${DONE}, seen);
  Atomics.notify(ctrl, ${DONE});
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
    const control = new g.SharedArrayBuffer(4 * (ARGS + 12));
    const ctrl = new Int32Array(control);
    const worker = new Worker(workerSource, { eval: true, workerData: { bytes, memory, control } });
    worker.unref();
    let broken = false;
    worker.on('error', () => {
      broken = true;
    });
    let seq = 0;
    const kernels = instance.exports as GemmKernels;
    pool = {
      memory,
      kernels,
      run(job, meanwhile) {
        seq++;
        const args = [job.m, job.n, job.k, job.a, job.b, job.ap, job.bp, job.c, +job.transA, +job.transB, job.rows, job.scratch[1]];
        for (let i = 0; i < args.length; i++) ctrl[ARGS + i] = args[i];
        ctrl[NEXT] = 0;
        ctrl[PACKED] = 0;
        Atomics.store(ctrl, SEQ, seq);
        Atomics.notify(ctrl, SEQ);
        meanwhile?.();
        work(ctrl, kernels, job.scratch[0]);
        // The worker may still be inside its last block (or not yet awake): wait until it has
        // left this job, so that the next job cannot reset the counters under it.
        for (;;) {
          // Wait on the value just seen: had the worker finished in between, the wait would
          // otherwise sleep on the new value until its timeout.
          const done = Atomics.load(ctrl, DONE);
          if (done === seq) return;
          if (broken) throw new Error('the gemm worker thread failed');
          Atomics.wait(ctrl, DONE, done, 1000);
        }
      },
    };
  } catch {
    pool = null;
  }
  return pool;
}
