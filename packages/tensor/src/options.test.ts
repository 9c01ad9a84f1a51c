import { describe, expect, it } from 'vitest';
import { ArgumentError } from './errors.js';
import { array, zeros } from './ops/create.js';
import { matmul } from './ops/matmul.js';
import { sum, variance } from './ops/reduce.js';
import { unfold2d } from './ops/window.js';
import { checkOptionKeys, optionKeys } from './options.js';
import { randn } from './random/sample.js';

describe('misspelt options are refused, not ignored', () => {
  it('names the caller, the key, the key it most likely meant and the list', () => {
    expect(() => checkOptionKeys({ keepdim: true }, ['keepDims'], 'sum')).toThrow(
      "sum: unknown option 'keepdim' (did you mean 'keepDims'?); its options are keepDims",
    );
    expect(() => checkOptionKeys({ colour: 1 }, ['dtype', 'seed'], 'randn')).toThrow(
      "randn: unknown option 'colour'; its options are dtype, seed",
    );
    expect(() => checkOptionKeys({ a: 1 }, [], 'f')).toThrow("f: unknown option 'a'; it takes no options");
    const error = (() => {
      try {
        checkOptionKeys({ sed: 1 }, ['dtype', 'seed'], 'randn');
      } catch (e) {
        return e;
      }
    })();
    expect(ArgumentError.isInstance(error) && error.argument).toBe('sed');
    // Known keys, undefined values, inherited keys and non-objects pass.
    checkOptionKeys({ seed: undefined }, ['seed'], 'randn');
    checkOptionKeys(Object.create({ inherited: 1 }), ['seed'], 'randn');
    for (const options of [undefined, null, 3, 'x']) checkOptionKeys(options, ['seed'], 'randn');
    expect(optionKeys({ a: true, b: true })).toEqual(['a', 'b']);
  });

  it("in the tensor package's functions", () => {
    const x = zeros([2, 3]);
    expect(() => sum(x, 0, { keepdim: true } as never)).toThrow("sum: unknown option 'keepdim' (did you mean 'keepDims'?)");
    expect(() => variance(x, 0, { corection: 0 } as never)).toThrow("variance: unknown option 'corection' (did you mean 'correction'?)");
    expect(() => randn([2], { seeed: 1 } as never)).toThrow("randn: unknown option 'seeed' (did you mean 'seed'?)");
    expect(() => zeros([2], { type: 'float64' } as never)).toThrow("zeros: unknown option 'type' (did you mean 'dtype'?)");
    expect(() => array([1, 2], { shap: [2] } as never)).toThrow("array: unknown option 'shap' (did you mean 'shape'?)");
    expect(() => matmul(x, zeros([3, 2]), { transA: true } as never)).toThrow("matmul: unknown option 'transA'");
    expect(() => unfold2d(zeros([1, 1, 3, 3]), { kernelSize: 2, pad: 1 } as never)).toThrow("unfold2d: unknown option 'pad'");
    // What they take still works, the variance's correction and keepDims included.
    expect(variance(array([1, 2, 3, 4]), 0, { correction: 0, keepDims: true }).toArray()).toEqual([1.25]);
    expect(array([1, 2, 3, 4], { dtype: 'float64', shape: [2, 2] }).shape).toEqual([2, 2]);
  });
});
