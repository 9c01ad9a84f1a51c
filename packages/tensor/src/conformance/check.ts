import type { Backend } from '../backend/backend.js';
import type { Generator } from '../random/generator.js';

/** One named check of a backend; `run` throws an Error describing the first mismatch. */
export interface ConformanceCase {
  readonly name: string;
  run(backend: Backend): void;
}

/** The tolerances of the comparisons where float32 kernels may sum in another order than the reference. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): void {
  if (actual.length !== expected.length) throw new Error(`${name}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${name}: element ${i} is ${a}, expected ${e}`);
  }
}

export function randomArray(g: Generator, length: number, scale = 2): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = (g.nextFloat() - 0.5) * 2 * scale;
  return out;
}

export function randomShape(g: Generator, ndim: number, maxDim = 4): number[] {
  return Array.from({ length: ndim }, () => 1 + g.nextBelow(maxDim));
}

/** Index of every element of `shape` under `strides` (the naive odometer). */
export function offsets(shape: readonly number[], strides: readonly number[], base = 0): number[] {
  const out: number[] = [];
  const visit = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(offset);
      return;
    }
    for (let i = 0; i < shape[dim]; i++) visit(dim + 1, offset + i * strides[dim]);
  };
  visit(0, base);
  return out;
}
