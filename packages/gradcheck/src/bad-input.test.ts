import { tensor } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('gradcheck: bad input never escapes as a bare TypeError', () => {
  it('every function, called with garbage', () => {
    const f = (x: ReturnType<typeof tensor>) => x.sum();
    // GradcheckError is a class of errors, not a check.
    expect(garbageCalls(api, { skip: ['GradcheckError'], leads: [f, tensor([1, 2])] })).toEqual([]);
  });
});

describe('misspelt gradcheck options', () => {
  it('are refused by name instead of being ignored', () => {
    const f = (x: ReturnType<typeof tensor>) => x.mul(x).sum();
    const x = tensor([1, 2], { dtype: 'float64' });
    expect(() => api.gradcheck(f, [x], { tol: 1e-3 } as never)).toThrow(
      "gradcheck: unknown option 'tol' (did you mean 'atol'?); its options are eps, atol, rtol, raiseException, mode, inputs, seed",
    );
    expect(() => api.gradgradcheck(f, [x], { rTol: 1e-3 } as never)).toThrow("gradgradcheck: unknown option 'rTol' (did you mean 'rtol'?)");
    const p = tensor([1, 2], { dtype: 'float64' }).setRequiresGrad();
    const module = { forward: (t: ReturnType<typeof tensor>) => t.mul(p).sum(), namedParameters: () => [['p', p]] };
    expect(() => api.gradcheckModule(module as never, [x], { inputs: [0] } as never)).toThrow("gradcheckModule: unknown option 'inputs'");
    expect(api.gradcheck(f, [x], { atol: 1e-6, rtol: 1e-4, mode: 'full' }).passed).toBe(true);
  });
});
