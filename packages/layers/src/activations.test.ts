import { grad, tensor } from '@backprop/engine';
import { gradcheck } from '@backprop/gradcheck';
import { describe, expect, it } from 'vitest';
import reference from '../fixtures/layers-reference.json' with { type: 'json' };
import {
  activation,
  activationFunction,
  activationNames,
  elu,
  gelu,
  leakyRelu,
  relu,
  selu,
  sigmoid,
  silu,
  softplus,
  tanh,
} from './activations.js';

const functions = {
  sigmoid,
  tanh,
  relu,
  leakyRelu: (x) => leakyRelu(x),
  elu: (x) => elu(x),
  selu,
  gelu: (x) => gelu(x),
  geluTanh: (x) => gelu(x, { approximate: 'tanh' }),
  softplus: (x) => softplus(x),
  silu,
} satisfies Record<string, (x: ReturnType<typeof tensor>) => ReturnType<typeof tensor>>;

describe('activations match PyTorch, values and derivatives, including at ±1000', () => {
  const grid = reference.grid;
  for (const [name, fn] of Object.entries(functions)) {
    it(name, () => {
      const ref = reference.activations[name as keyof typeof reference.activations];
      const x = tensor(grid, { dtype: 'float64' });
      const y = fn(x);
      const dy = grad((t) => fn(t).sum())(x);
      for (let i = 0; i < grid.length; i++) {
        expect(Number.isFinite(y.value.data[i]) && Number.isFinite(dy.value.data[i])).toBe(true);
        expect(Math.abs(y.value.data[i] - ref.y[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(ref.y[i])));
        expect(Math.abs(dy.value.data[i] - ref.dy[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(ref.dy[i])));
      }
    });
  }
});

describe('the textbook derivative tables hold exactly', () => {
  const z = tensor([-2, -0.3, 0.4, 1.7], { dtype: 'float64' });
  it("σ'(z) = σ(z)(1 − σ(z)) and tanh'(z) = 1 − tanh²(z)", () => {
    const s = sigmoid(z).value.data;
    const ds = grad((t) => sigmoid(t).sum())(z).value.data;
    const t = tanh(z).value.data;
    const dt = grad((u) => tanh(u).sum())(z).value.data;
    for (let i = 0; i < 4; i++) {
      expect(ds[i]).toBe(s[i] * (1 - s[i]));
      expect(dt[i]).toBe(1 - t[i] * t[i]);
    }
  });
  it('every activation passes gradcheck away from its kinks', () => {
    const x = tensor([-2.1, -0.7, 0.3, 1.9, 4.2], { dtype: 'float64' });
    for (const fn of Object.values(functions)) expect(gradcheck((t) => fn(t), [x]).passed).toBe(true);
  });
});

describe('activations by name', () => {
  it('every name builds a layer that computes its function', () => {
    const x = tensor([[-1.5, 0.2, 2]], { dtype: 'float64' });
    for (const name of activationNames) {
      const layer = activation(name);
      expect(layer.forward(x).shape).toEqual([1, 3]);
      expect([...activationFunction(name)(x).value.data]).toEqual([...layer.forward(x).value.data]);
    }
    expect([...activation('geluTanh').forward(x).value.data]).toEqual([...gelu(x, { approximate: 'tanh' }).value.data]);
    expect(activation('identity').forward(x)).toBe(x);
  });
  it('unknown names list the known ones', () => {
    expect(() => activation('sigmod')).toThrow(/unknown activation "sigmod"; known: sigmoid, tanh, relu/);
    expect(() => activation('constructor')).toThrow(/unknown activation/);
  });
});
