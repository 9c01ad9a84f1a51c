import { describe, expect, it } from 'vitest';
import reference from '../../fixtures/torch-reference.json' with { type: 'json' };
import * as ops from '../index.js';
import type { NDArray } from '../ndarray.js';
import { array } from './create.js';

// Reference values generated once with PyTorch (fixtures/make-fixtures.py), compared in float64.

const f64 = (values: unknown): NDArray => array(values as number[], { dtype: 'float64' });

function expectClose(actual: NDArray, expected: unknown, tolerance = 1e-12): void {
  const flat = (expected as number[]).flat(Number.POSITIVE_INFINITY) as number[];
  expect(actual.size).toBe(flat.length);
  actual.data.forEach((v, i) => {
    const e = flat[i];
    expect(Math.abs(v - e), `element ${i}: got ${v}, expected ${e}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e)));
  });
}

describe('forward values match PyTorch (float64)', () => {
  const unaryOps = reference.unary as Record<string, { x: number[]; y: number[] }>;
  for (const [name, { x, y }] of Object.entries(unaryOps)) {
    it(`unary ${name}`, () => {
      const fn = (ops as unknown as Record<string, (a: NDArray) => NDArray>)[name];
      expectClose(fn(f64(x)), y, name === 'erf' ? 2e-15 : 1e-14);
    });
  }

  it('pow with a tensor exponent', () => {
    expectClose(ops.pow(f64(reference.pow.a), f64(reference.pow.b)), reference.pow.y, 1e-14);
  });

  it('matmul: 2-D, batched with broadcasting, and vector @ matrix', () => {
    expectClose(ops.matmul(f64(reference.matmul.a), f64(reference.matmul.b)), reference.matmul.y);
    const batched = ops.matmul(f64(reference.matmulBatched.a), f64(reference.matmulBatched.b));
    expect(batched.shape).toEqual([2, 3, 3, 2]);
    expectClose(batched, reference.matmulBatched.y);
    const vector = ops.matmul(f64(reference.matmulVector.a), f64(reference.matmulVector.b));
    expect(vector.shape).toEqual([2]);
    expectClose(vector, reference.matmulVector.y);
  });

  it('softmax, logSoftmax and logSumExp stay finite for logits of ±1000', () => {
    const x = f64(reference.softmax.x);
    expectClose(ops.softmax(x), reference.softmax.y);
    expectClose(ops.logSoftmax(x), reference.softmax.log);
    expectClose(ops.logSumExp(x, -1), reference.logSumExp.y);
  });

  it('reductions over axis sets', () => {
    const r = reference.reductions;
    const x = f64(r.x);
    expectClose(ops.sum(x, 1), r.sum_1);
    expectClose(ops.mean(x, [0, 2]), r.mean_02);
    expectClose(ops.prod(x, 2), r.prod_2);
    expectClose(ops.max(x, 0), r.max_0);
    expectClose(ops.min(x, [1, 2]), r.min_12);
    expectClose(ops.variance(x, 2), r.var_2);
    expectClose(ops.variance(x, undefined, { correction: 0 }), [r.var_biased_all]);
    expectClose(ops.argmax(x, 1), r.argmax_1, 0);
    expectClose(ops.argmin(x, 2), r.argmin_2, 0);
  });
});
