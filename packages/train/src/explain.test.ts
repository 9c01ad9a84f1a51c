import { BackpropError, tensor } from '@backprop/engine';
import { damageJson, damagingValues, fuzzSettings } from '@backprop/engine/testing';
import { Dense, LeakyReLU, Sequential, Sigmoid } from '@backprop/layers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTrace, formatTrace, traceBackprop, tracedLayers, traceSteps } from './explain.js';

// The textbook example: 2-2-1 sigmoid, ½(y − f)², x = (1, 0), y = 1, learning rate 0.5.
const textbook = [
  {
    weight: [
      [-0.07, 0.94],
      [0.22, 0.46],
    ],
    bias: [-0.46, 0.1],
    activation: 'sigmoid',
  },
  { weight: [[-0.22], [0.58]], bias: [0.78], activation: 'sigmoid' },
];
const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe('traceBackprop', () => {
  const trace = traceBackprop(textbook, [1, 0], [1], { learningRate: 0.5, loss: 'halfSquaredError' });

  it('computes every quantity of the textbook example by the classic formulas', () => {
    // Forward, by hand.
    const z1 = [1 * -0.07 + 0 * 0.22 - 0.46, 1 * 0.94 + 0 * 0.46 + 0.1];
    const a1 = z1.map(sigma);
    const z2 = a1[0] * -0.22 + a1[1] * 0.58 + 0.78;
    const f = sigma(z2);
    expect(trace.z[0][0]).toBeCloseTo(z1[0], 14);
    expect(trace.z[0][1]).toBeCloseTo(z1[1], 14);
    expect(trace.a[0][0]).toBeCloseTo(a1[0], 14);
    expect(trace.z[1][0]).toBeCloseTo(z2, 14);
    expect(trace.loss).toBeCloseTo(0.5 * (1 - f) ** 2, 14);
    // Backward: δ_out = (f − y)·f(1 − f); δ_hidden = δ_out·u_j·a_j(1 − a_j).
    const deltaOut = (f - 1) * f * (1 - f);
    const deltaHidden = [0, 1].map((j) => deltaOut * [-0.22, 0.58][j] * a1[j] * (1 - a1[j]));
    expect(trace.outputError[0]).toBeCloseTo(f - 1, 14);
    expect(trace.delta[1][0]).toBeCloseTo(deltaOut, 14);
    expect(trace.delta[0][0]).toBeCloseTo(deltaHidden[0], 14);
    expect(trace.dW[1][0][0]).toBeCloseTo(deltaOut * a1[0], 14);
    expect(trace.dW[0][0][0]).toBeCloseTo(deltaHidden[0] * 1, 14);
    expect(trace.dW[0][1][0]).toBe(0); // x2 = 0
    expect(trace.newW[1][0][0]).toBeCloseTo(-0.22 - 0.5 * deltaOut * a1[0], 14);
    // The textbook's own figures where it did not slip: hidden values.
    expect(trace.z[0].map((v) => v.toFixed(2))).toEqual(['-0.53', '1.04']);
    expect(trace.a[0].map((v) => v.toFixed(4))).toEqual(['0.3705', '0.7389']);
    // The correct output pre-activation is 1.1270, not the textbook's 1.1122.
    expect(trace.z[1][0].toFixed(4)).toBe('1.1270');
    expect(trace.newLoss).toBeLessThan(trace.loss);
  });

  it("checkTrace points at the textbook's slip: the output pre-activation", () => {
    const values = {
      z1: [-0.53, 1.04],
      a1: [0.3705, 0.7389],
      z2: [1.1122],
      a2: [0.7525],
      loss: 0.0306,
      dW2: [[-0.0171], [null]],
      dW1: [
        [0.0024, null],
        [null, null],
      ],
      newPrediction: [0.7615],
      newLoss: 0.0284,
    };
    const { difference, checked } = checkTrace(trace, values);
    expect(checked).toBe(5);
    expect(difference?.key).toBe('z2');
    expect(difference?.index).toEqual([0]);
    expect(difference?.given).toBe(1.1122);
    expect(difference?.correct).toBeCloseTo(1.12705, 4);
    const correct = Object.fromEntries(traceSteps(trace).map((s) => [s.key, s.value]));
    expect(checkTrace(trace, correct).difference).toBeUndefined();
    expect(() => checkTrace(trace, { z3: 1 })).toThrow(/unknown quantity 'z3'/);
  });

  it('formats the trace the way textbooks write it', () => {
    const text = formatTrace(trace, '½(y − f)²');
    expect(text).toContain('z1[1] = 1.0000·(-0.0700) + 0.0000·0.2200 + (-0.4600) = -0.5300');
    expect(text).toContain('a1[2] = sigmoid(z1[2]) = 0.7389');
    expect(text).toContain(`z2[1] = 0.3705·(-0.2200) + 0.7389·0.5800 + 0.7800 = ${trace.z[1][0].toFixed(4)}`);
    expect(text).toContain(`½(y − f)² L = ${trace.loss.toFixed(4)}`);
    expect(text).toContain(`∂L/∂W1[1][1] = x1·δ1[1] = 1.0000·${trace.delta[0][0].toFixed(4)} = ${trace.dW[0][0][0].toFixed(4)}`);
    expect(text).toContain(`new prediction (${trace.newPrediction[0].toFixed(4)})`);
    // A negative input is bracketed like every other negative factor.
    const negative = formatTrace(traceBackprop(textbook, [-1, 0.5], [1]));
    expect(negative).toContain('z1[1] = (-1.0000)·(-0.0700) + 0.5000·0.2200 + (-0.4600) = -0.2800');
  });

  it('reads a Sequential of Dense + activation layers, keeping activation options', () => {
    const model = new Sequential(
      new Dense(2, 3, { dtype: 'float64' }),
      new LeakyReLU(0.2),
      new Dense(3, 1, { dtype: 'float64' }),
      new Sigmoid(),
    );
    const layers = tracedLayers(model);
    expect(layers.map((l) => l.activation)).toEqual(['LeakyReLU', 'Sigmoid']);
    const t = traceBackprop(layers, [0.5, -1], [1]);
    const y = model.forward(tensor([[0.5, -1]], { dtype: 'float64' }));
    expect(t.a[1][0]).toBe(y.item());
    expect(t.a[0][1]).toBeCloseTo(Math.max(t.z[0][1], 0.2 * t.z[0][1]), 14);
  });
});

describe('explain on hand-edited files', () => {
  const settings = fuzzSettings(400);
  const edits = fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, 'relu', 'tanh', undefined)), {
    minLength: 1,
    maxLength: 3,
  });
  const setup = { layers: textbook, input: [1, 0], target: [1], learningRate: 0.5, loss: 'halfSquaredError' };

  it('traceBackprop and formatTrace take a damaged setup or refuse it with a backprop error', () => {
    fc.assert(
      fc.property(edits, (damage) => {
        const { value, changed } = damageJson(setup, damage);
        try {
          const trace = traceBackprop(value.layers, value.input, value.target, { learningRate: value.learningRate, loss: value.loss });
          // Every quantity is numbers all the way down (huge inputs may overflow to ±∞: that is arithmetic).
          const numbers = (v: unknown): boolean => (Array.isArray(v) ? v.every(numbers) : typeof v === 'number');
          for (const step of traceSteps(trace)) expect(numbers(step.value), `${changed.join(', ')}: ${step.key}`).toBe(true);
          formatTrace(trace);
        } catch (error) {
          if (!BackpropError.isInstance(error)) throw new Error(`${changed.join(', ')}: ${error}`);
        }
      }),
      settings,
    );
  });

  it('names what is wrong: a weight that is not a number, hand values that are not an object, NaN given', () => {
    const broken = [{ ...textbook[0], weight: [[-0.07, null], textbook[0].weight[1]] }, textbook[1]];
    expect(() => traceBackprop(broken as never, [1, 0], [1])).toThrow(/layer 1: weight and bias must hold finite numbers/);
    const trace = traceBackprop(textbook, [1, 0], [1], { learningRate: 0.5, loss: 'halfSquaredError' });
    expect(() => checkTrace(trace, null as never)).toThrow(/the values must be an object of quantities by name, got null/);
    expect(() => checkTrace(trace, { z2: [Number.NaN] })).toThrow(/z2\[0\] must be a number, got null/);
  });

  it('checkTrace takes damaged hand values or refuses them with a backprop error', () => {
    const trace = traceBackprop(textbook, [1, 0], [1], { learningRate: 0.5, loss: 'halfSquaredError' });
    const correct = Object.fromEntries(traceSteps(trace).map((s) => [s.key, s.value]));
    fc.assert(
      fc.property(edits, fc.boolean(), (damage, whole) => {
        const { value, changed } = whole
          ? { value: damageJson({ v: correct }, damage).value.v, changed: ['(whole)'] }
          : damageJson(correct, damage);
        try {
          const { checked, difference } = checkTrace(trace, value as Record<string, unknown>);
          expect(checked, changed.join(', ')).toBeGreaterThanOrEqual(0);
          if (difference) expect(Number.isFinite(difference.given), changed.join(', ')).toBe(true);
        } catch (error) {
          if (!BackpropError.isInstance(error)) throw new Error(`${changed.join(', ')}: ${error}`);
        }
      }),
      settings,
    );
  });
});
