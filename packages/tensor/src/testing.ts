/**
 * `@backprop/tensor/testing`: the conformance suite every backend must pass. Each case drives a
 * kernel of the backend under test with seeded random inputs and compares it with an obviously
 * correct reference loop written here, element by element.
 *
 * @example
 * import { backendConformanceCases } from '@backprop/tensor/testing';
 * for (const c of backendConformanceCases()) it(c.name, () => c.run(myBackend));
 * @packageDocumentation
 */
import type { ConformanceCase, Tolerance } from './conformance/check.js';
import { elementwiseCases } from './conformance/elementwise.js';
import { gemmAndReductionCases } from './conformance/gemm-and-reductions.js';
import { indexingCases } from './conformance/indexing.js';
import { optimizerCases } from './conformance/optimizers.js';
import { windowCases } from './conformance/windows.js';

export type { ConformanceCase } from './conformance/check.js';

/** Tolerances of the comparison: float32 kernels may sum in another order than the reference. */
export interface ConformanceOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
}

/**
 * The conformance cases (each seeded, so a failure reproduces): element-wise ops, matrix products
 * and reductions, indexing, sliding windows, optimizer updates — each file of `conformance/` is one
 * family, with the reference loops it compares against.
 */
export function backendConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const tolerance: Tolerance = { rtol: options.rtol ?? 1e-5, atol: options.atol ?? 1e-6 };
  return [...elementwiseCases(tolerance), ...gemmAndReductionCases(tolerance), ...indexingCases(), ...windowCases(), ...optimizerCases()];
}
