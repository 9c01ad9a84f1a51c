import { BackpropError, customOp, gradients, manualSeed, randn, ShapeError, type Tensor, tensor } from '@backprop/engine';
import { damageJson, damagingValues, fuzzSettings } from '@backprop/engine/testing';
import { Generator, globalGenerator } from '@backprop/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GradcheckError, gradcheck, gradcheckModule, gradgradcheck } from './index.js';

const f64 = (shape: number[], seed: number) => randn(shape, { dtype: 'float64', seed });

/** A sigmoid whose backward forgets the (1 − σ) factor. */
const badSigmoid = customOp({
  name: 'badSigmoid',
  forward: ([x]) => x.sigmoid(),
  backward: (_inputs, dy, y) => [dy.mul(y)],
});

/** A matmul whose gradient for B is transposed: (Aᵀ·dC)ᵀ instead of Aᵀ·dC. */
const badMatmul = customOp({
  name: 'badMatmul',
  forward: ([a, b]) => a.matmul(b),
  backward: ([a, b], dC) => [dC.matmul(b.transpose()), a.transpose().matmul(dC).transpose()],
});

/** A broadcasting add whose gradient for b takes one row of dy instead of summing over the broadcast axis. */
const badAdd = customOp({
  name: 'badAdd',
  forward: ([a, b]) => a.add(b),
  backward: (_inputs, dy) => [dy, dy.slice([0])],
});

/** The element gradcheck names must be one where the wrong gradient is furthest from the right one. */
function expectWorstIsMostWrong(
  element: number[],
  wrong: (...xs: Tensor[]) => Tensor,
  right: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  index: number,
): void {
  const leaves = inputs.map((t) => t.detach().setRequiresGrad());
  const bad = gradients(wrong(...leaves), leaves)[index];
  const good = gradients(right(...leaves), leaves)[index];
  const errors = [...bad.data].map((v, i) => Math.abs(v - good.data[i]));
  const flat = element.reduce((acc, e, d) => acc * bad.shape[d] + e, 0);
  expect(errors[flat]).toBeGreaterThan(1e-3);
  expect(errors[flat]).toBeCloseTo(Math.max(...errors), 6);
}

describe('gradcheck catches wrong gradients and names the input and element', () => {
  it('sigmoid without (1 − σ): input #0, worst element where σ is largest', () => {
    const x = f64([3, 4], 1);
    let error: GradcheckError | undefined;
    try {
      gradcheck((t) => badSigmoid(t).sum(), [x]);
    } catch (e) {
      if (GradcheckError.isInstance(e)) error = e;
    }
    expect(error).toBeDefined();
    const report = error?.report;
    expect(report?.passed).toBe(false);
    expect(report?.inputs[0].input).toBe(0);
    // analytic σ vs numeric σ(1−σ): the error σ² peaks at the largest x.
    const largest = [...x.data].indexOf(Math.max(...x.data));
    expect(report?.inputs[0].worst.element).toEqual([Math.floor(largest / 4), largest % 4]);
    const s = 1 / (1 + Math.exp(-Math.max(...x.data)));
    expect(report?.inputs[0].worst.analytic).toBeCloseTo(s, 8);
    expect(report?.inputs[0].worst.numeric).toBeCloseTo(s * (1 - s), 6);
    expect(error?.message).toMatch(/gradcheck failed: 1 of 1 inputs disagree/);
    expect(error?.message).toMatch(/input\s+shape\s+max abs err\s+max rel err\s+worst element\s+output\s+analytic\s+numeric\s+result/);
    expect(error?.message).toContain(`#0     [3, 4]`);
    expect(error?.message).toContain('FAIL');
  });

  it('transposed matmul gradient: input #1 fails at an element where the gradient is most wrong', () => {
    const [a, b] = [f64([3, 3], 2), f64([3, 3], 3)];
    const weights = f64([3, 3], 11);
    const report = gradcheck((x, y) => badMatmul(x, y).mul(weights).sum(), [a, b], { raiseException: false });
    expect(report.passed).toBe(false);
    expect(report.inputs.map((r) => r.passed)).toEqual([true, false]);
    expectWorstIsMostWrong(
      report.inputs[1].worst.element,
      (x, y) => badMatmul(x, y).mul(weights).sum(),
      (x, y) => x.matmul(y).mul(weights).sum(),
      [a, b],
      1,
    );
  });

  it('missing broadcast reduction: input #1 fails; a gradient of the wrong shape is a ShapeError naming the op', () => {
    const inputs = [f64([2, 3], 4), f64([3], 5)];
    const report = gradcheck((a, b) => badAdd(a, b).square().sum(), inputs, { raiseException: false });
    expect(report.inputs.map((r) => r.passed)).toEqual([true, false]);
    expectWorstIsMostWrong(
      report.inputs[1].worst.element,
      (a, b) => badAdd(a, b).square().sum(),
      (a, b) => a.add(b).square().sum(),
      inputs,
      1,
    );
    const noReduction = customOp({ name: 'noReduction', forward: ([a, b]) => a.add(b), backward: (_i, dy) => [dy, dy] });
    expect(() => gradcheck((a, b) => noReduction(a, b).sum(), [f64([2, 3], 4), f64([3], 5)])).toThrow(ShapeError);
    expect(() => gradcheck((a, b) => noReduction(a, b).sum(), [f64([2, 3], 4), f64([3], 5)])).toThrow(
      'noReduction: backward returned a gradient of shape [2, 3] for input #1 of shape [3]',
    );
  });

  it('passes correct gradients, also for non-scalar outputs (full Jacobian and projection)', () => {
    const good = gradcheck((a, b) => a.matmul(b).tanh(), [f64([3, 4], 6), f64([4, 2], 7)]);
    expect(good.passed).toBe(true);
    expect(good.mode).toBe('full');
    expect(good.inputs).toHaveLength(2);
    expect(gradcheck((a) => a.softmax(), [f64([2, 5], 8)], { mode: 'projection' }).passed).toBe(true);
    const wrong = gradcheck((t) => badSigmoid(t), [f64([2, 2], 9)], { raiseException: false });
    expect(wrong.passed).toBe(false);
    expect(wrong.inputs[0].worst.output).toHaveLength(2);
  });

  it('checks only requiresGrad inputs when some are marked, and casts float32 inputs to float64', () => {
    const a = randn([2, 2], { seed: 1 });
    const b = randn([2, 2], { seed: 2, requiresGrad: true });
    const report = gradcheck((x, y) => x.mul(y).sum(), [a, b]);
    expect(report.inputs.map((r) => r.input)).toEqual([1]);
  });

  it('rejects bad options with clear errors', () => {
    expect(() => gradcheck((t) => t.sum(), [f64([2], 1)], { eps: -1 })).toThrow("gradcheck: 'eps' must be a non-negative finite number");
    expect(() => gradcheck((t) => t.sum(), [])).toThrow('gradcheck: inputs must be a non-empty array of tensors');
    // Each used to pass unchecked: a TypeError for inputs, a silent full check for an unknown mode.
    expect(() => gradcheck((t) => t.sum(), [f64([2], 1)], { inputs: null as never })).toThrow(
      "gradcheck: 'inputs' must be a list of input positions, got null",
    );
    expect(() => gradcheck((t) => t.sum(), [f64([2], 1)], { mode: 'projected' as never })).toThrow(
      `gradcheck: 'mode' must be 'full' or 'projection', got "projected"`,
    );
    expect(() => gradgradcheck((t) => t.sum(), [f64([2], 1)], null as never)).toThrow("gradcheck: 'options' must be an object, got null");
  });
});

describe('gradgradcheck', () => {
  it('passes for ops whose backward is differentiable', () => {
    expect(gradgradcheck((x) => x.sigmoid().mul(x.tanh()).sum(), [f64([4], 1)]).passed).toBe(true);
    expect(gradgradcheck((a, b) => a.matmul(b).square(), [f64([2, 3], 2), f64([3, 2], 3)]).passed).toBe(true);
  });

  it('fails when a backward detaches what it should differentiate', () => {
    const square = customOp({
      name: 'detachedSquare',
      forward: ([x]) => x.square(),
      backward: ([x], dy) => [dy.mul(x.detach().mul(2))],
    });
    expect(gradcheck((t: Tensor) => square(t).sum(), [f64([3], 4)]).passed).toBe(true);
    expect(() => gradgradcheck((t: Tensor) => square(t).sum(), [f64([3], 4)])).toThrow(GradcheckError);
  });

  it('still works with int32 inputs passed through', () => {
    const labels = tensor([2, 0], { dtype: 'int32' });
    const report = gradcheck(
      (x, l) =>
        x
          .logSoftmax()
          .gather(1, l.reshape([2, 1]))
          .sum(),
      [f64([2, 3], 5), labels],
    );
    expect(report.inputs.map((r) => r.input)).toEqual([0]);
  });
});

describe('options from a hand-written config', () => {
  it('gradcheck, gradgradcheck and gradcheckModule take damaged options or refuse them with a BackpropError', () => {
    const options = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, raiseException: false, mode: 'full', inputs: [0], seed: 1 };
    const fn = (t: Tensor) => t.sigmoid().mul(t).sum();
    // A module, structurally: one float64 weight.
    const w = randn([3, 2], { dtype: 'float64', seed: 6, requiresGrad: true });
    const module = { namedParameters: (): [string, Tensor][] => [['w', w]], forward: (input: Tensor) => input.matmul(w) };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, 'projection', undefined)), { minLength: 1, maxLength: 3 }),
        fc.nat(2),
        (edits, which) => {
          const { value, changed } = damageJson(options, edits);
          const x = randn([2, 3], { dtype: 'float64', seed: 5, requiresGrad: true });
          try {
            const report =
              which === 0
                ? gradcheck(fn, [x], value as never)
                : which === 1
                  ? gradgradcheck(fn, [x], value as never)
                  : gradcheckModule(module, [x], { ...(value as object), output: (y: Tensor) => y.sum() } as never);
            expect(typeof report.passed, changed.join(', ')).toBe('boolean');
          } catch (error) {
            if (!BackpropError.isInstance(error))
              throw new Error(`${['gradcheck', 'gradgradcheck', 'gradcheckModule'][which]} with ${changed.join(', ')}: ${error}`);
          }
        },
      ),
      fuzzSettings(300),
    );
  });
});

describe('gradcheckModule leaves the module as it was and refuses a random one', () => {
  // A structural module: y = w·x, with a buffer that every forward pass moves (as batch
  // normalisation's running mean) and, when noisy, noise from a generator of its own (as a
  // dropout layer given a seed) or from the global one.
  const moduleOf = (noisy: false | 'own' | 'global') => {
    const own = new Generator(7);
    const w = randn([3], { dtype: 'float64', seed: 1, requiresGrad: true });
    const running = tensor([0, 0, 0], { dtype: 'float64' });
    return {
      running,
      namedParameters: (): [string, Tensor][] => [['w', w]],
      namedBuffers: (): [string, Tensor][] => [['running', running]],
      forward(x: Tensor): Tensor {
        running.value.data.forEach((v, i) => {
          running.value.data[i] = 0.9 * v + 0.1 * x.value.data[i];
        });
        const y = x.mul(w);
        if (noisy === false) return y;
        return y.add(randn([3], { dtype: 'float64', ...(noisy === 'own' ? { generator: own } : {}) }));
      },
    };
  };
  const x = randn([3], { dtype: 'float64', seed: 2 });

  it('puts its buffers and the global generator back after the check', () => {
    const module = moduleOf(false);
    manualSeed(4);
    const state = globalGenerator().getState();
    expect(gradcheckModule(module, [x], { output: (y) => y.sum() }).passed).toBe(true);
    expect([...module.running.value.data]).toEqual([0, 0, 0]);
    expect(globalGenerator().getState()).toEqual(state);
  });

  it('checks a module drawing from the global generator for one fixed draw, and refuses one with a generator of its own', () => {
    manualSeed(5);
    expect(gradcheckModule(moduleOf('global'), [x], { output: (y) => y.sum() }).passed).toBe(true);
    const module = moduleOf('own');
    expect(() => gradcheckModule(module, [x], { output: (y) => y.sum() })).toThrow(
      /^gradcheckModule: two evaluations at the same inputs gave different outputs — the module is random .*; call eval\(\) on it first$/,
    );
    expect([...module.running.value.data]).toEqual([0, 0, 0]);
    // gradcheck of a plain function, alike.
    const own = new Generator(3);
    expect(() => gradcheck((v: Tensor) => v.add(randn([3], { dtype: 'float64', generator: own })).sum(), [x])).toThrow(
      /^gradcheck: two evaluations at the same inputs gave different outputs — the function is random/,
    );
    expect(gradcheck((v: Tensor) => v.mul(randn([3], { dtype: 'float64' })).sum(), [x]).passed).toBe(true);
  });
});
