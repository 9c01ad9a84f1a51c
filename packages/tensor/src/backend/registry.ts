import { ArgumentError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

let current: Backend = jsBackend;

/** The backend every op of this package runs its kernels on. */
export function getBackend(): Backend {
  return current;
}

/**
 * Switches the backend for all later ops (results of earlier ops are plain typed arrays and stay valid).
 * @example
 * setBackend(myWasmBackend);
 */
export function setBackend(backend: Backend): void {
  const required = ['unary', 'binary', 'where', 'gemm', 'reduce', 'argReduce', 'softmax', 'copy', 'take', 'gather', 'im2col'] as const;
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
