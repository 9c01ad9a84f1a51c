import { ArgumentError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { wasmBackend, wasmSimdSupported } from './wasm/index.js';

let current: Backend | undefined;

/**
 * The backend every op of this package runs its kernels on: by default the WebAssembly SIMD
 * backend where the runtime supports it (Node 20, current browsers), else the plain-TypeScript one.
 */
export function getBackend(): Backend {
  current ??= wasmSimdSupported() ? wasmBackend : jsBackend;
  return current;
}

/**
 * Switches the backend for all later ops (results of earlier ops are plain typed arrays and stay valid).
 * @example
 * setBackend(myWasmBackend);
 */
export function setBackend(backend: Backend): void {
  const required = [
    'unary',
    'binary',
    'where',
    'gemm',
    'reduce',
    'argReduce',
    'softmax',
    'copy',
    'take',
    'gather',
    'im2col',
    'maxPool',
    'adam',
  ] as const;
  for (const method of required) {
    if (typeof (backend as unknown as Record<string, unknown>)?.[method] !== 'function') {
      throw new ArgumentError(`setBackend: the backend ${JSON.stringify(backend?.name)} has no kernel '${method}'`, {
        where: 'setBackend',
        argument: 'backend',
      });
    }
  }
  current = backend;
}
