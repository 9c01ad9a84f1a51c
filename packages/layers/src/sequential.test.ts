import { manualSeed, randn, type Tensor } from '@backprop/engine';
import { gradcheckModule } from '@backprop/gradcheck';
import { describe, expect, it } from 'vitest';
import { ELU, GELU, LeakyReLU, ReLU, SELU, Sigmoid, SiLU, Softmax, Softplus, Tanh } from './activations.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import type { Module } from './module.js';
import { Sequential } from './sequential.js';

// Sequential hands runs of Dense + element-wise activation layers to the engine's `mlp` op. Whatever it
// fuses, the model must compute exactly what calling its layers one by one computes.

/** Output and every parameter's gradient, from the model and from its layers called one by one. */
function bothWays(model: Sequential, x: Tensor) {
  const run = (forward: () => Tensor) => {
    model.zeroGrad();
    const y = forward();
    y.backward(randn(y.shape, { seed: 9 }));
    return { y: [...y.data], grads: model.parameters().map((p) => [...(p.grad?.data ?? [])]) };
  };
  return {
    model: run(() => model.forward(x)),
    layers: run(() => model.layers.reduce((h: Tensor, layer: Module) => layer.forward(h), x)),
  };
}

describe('Sequential', () => {
  it('runs the XOR network as one mlp op, bit for bit as its layers one by one', () => {
    manualSeed(1);
    const model = new Sequential(new Dense(2, 4), new Sigmoid(), new Dense(4, 1), new Sigmoid());
    const x = randn([4, 2], { seed: 2 });
    expect(model.forward(x).node?.op).toBe('mlp');
    const { model: fused, layers } = bothWays(model, x);
    expect(fused).toEqual(layers);
  });

  it('fuses the runs around layers it cannot fuse, with the same results', () => {
    manualSeed(2);
    const model = new Sequential(
      new Dense(3, 5),
      new Tanh(),
      new Dense(5, 4),
      new ReLU(),
      new Dropout(0.5),
      new Dense(4, 4),
      new LeakyReLU(0.1),
      new Dense(4, 2),
    );
    model.eval(); // dropout off, so both runs see the same values
    const { model: fused, layers } = bothWays(model, randn([6, 3], { seed: 3 }));
    expect(fused).toEqual(layers);
  });

  it('fuses every element-wise activation layer, with its options, bit for bit as the layers', () => {
    manualSeed(7);
    const model = new Sequential(
      new Dense(3, 4),
      new LeakyReLU(0.2),
      new Dense(4, 4),
      new ELU(0.5),
      new Dense(4, 4),
      new SELU(),
      new Dense(4, 4),
      new GELU({ approximate: 'tanh' }),
      new Dense(4, 4),
      new GELU(),
      new Dense(4, 4),
      new Softplus(2),
      new Dense(4, 2),
      new SiLU(),
    );
    const x = randn([5, 3], { seed: 8 });
    const y = model.forward(x);
    expect(y.node?.op).toBe('mlp');
    expect(y.node?.inputs).toHaveLength(1 + 2 * 7);
    const { model: fused, layers } = bothWays(model, x);
    expect(fused).toEqual(layers);
  });

  it('runs a softmax layer on its own after the fused run', () => {
    manualSeed(8);
    const model = new Sequential(new Dense(3, 4), new GELU(), new Dense(4, 3), new Softmax());
    const x = randn([2, 3], { seed: 9 });
    const y = model.forward(x);
    expect(y.node?.op).toBe('softmax');
    expect(y.node?.inputs[0].node?.op).toBe('mlp');
    const { model: fused, layers } = bothWays(model, x);
    expect(fused).toEqual(layers);
  });

  it('fuses a layer used twice (its gradient is the sum of both uses)', () => {
    manualSeed(6);
    const shared = new Dense(3, 3);
    const model = new Sequential(shared, new Tanh(), shared, new Sigmoid());
    const x = randn([2, 3], { seed: 7 });
    expect(model.forward(x).node?.op).toBe('mlp');
    const { model: fused, layers } = bothWays(model, x);
    expect(fused).toEqual(layers);
  });

  it('leaves subclasses alone: a Dense with its own forward runs it', () => {
    class Doubled extends Dense {
      override forward(x: Tensor): Tensor {
        return super.forward(x).mul(2);
      }
    }
    manualSeed(3);
    const model = new Sequential(new Doubled(2, 3), new Sigmoid(), new Dense(3, 1));
    const x = randn([4, 2], { seed: 4 });
    const { model: viaModel, layers } = bothWays(model, x);
    expect(viaModel).toEqual(layers);
    expect(model.forward(x).node?.op).toBe('linear');
  });

  it('runs a forward replaced on an instance, before or after the first call (summary() replaces them to read each output shape)', () => {
    manualSeed(5);
    const [first, act, second] = [new Dense(2, 3), new Tanh(), new Dense(3, 1)];
    const model = new Sequential(first, act, second);
    const x = randn([4, 2], { seed: 6 });
    const seen: string[] = [];
    const spy = (layer: Module, name: string) => {
      const original = layer.forward.bind(layer);
      layer.forward = (h: Tensor) => {
        seen.push(`${name} ${JSON.stringify(h.shape)}`);
        return original(h);
      };
    };
    spy(act, 'tanh');
    const before = model.forward(x);
    expect(seen).toEqual(['tanh [4,3]']);
    spy(second, 'second'); // after the segments were worked out
    expect([...model.forward(x).data]).toEqual([...before.data]);
    expect(seen).toEqual(['tanh [4,3]', 'tanh [4,3]', 'second [4,3]']);
    expect(
      model
        .summary([5, 2])
        .split('\n')
        .filter((line) => line.includes('[5, 3]')).length,
    ).toBe(2);
  });

  it('outputShapes gives each module its output shape by path, and leaves the modules as they were', () => {
    const first = new Dense(4, 8, { dtype: 'float64' });
    let calls = 0;
    const original = first.forward.bind(first);
    first.forward = (h: Tensor) => {
      calls++;
      return original(h);
    };
    const model = new Sequential(first, new ReLU(), new Dense(8, 3, { dtype: 'float64' }));
    expect(model.outputShapes([5, 4])).toEqual({ '': [5, 3], '0': [5, 8], '1': [5, 8], '2': [5, 3] });
    expect(model.training).toBe(true);
    // The replaced forward ran during the pass and is still in place after it.
    expect(calls).toBe(1);
    model.forward(randn([2, 4], { seed: 1, dtype: 'float64' }));
    expect(calls).toBe(2);
    expect(() => model.outputShapes([5, 3])).toThrow("Dense '0' expected input [*, 4], got [5, 3]");
  });

  it('summary() gives every fused layer its output shape', () => {
    const text = new Sequential(new Dense(4, 8), new ReLU(), new Dense(8, 3)).summary([1, 4]);
    for (const row of ['0 (Dense)', '1 (ReLU)', '2 (Dense)'])
      expect(text).toMatch(new RegExp(`${row.replace(/[()]/g, '\\$&')}\\s+\\[1, ${row.startsWith('2') ? 3 : 8}\\]`));
  });

  it('sees layers added after the first forward', () => {
    manualSeed(4);
    const model = new Sequential(new Dense(2, 3), new Sigmoid());
    const x = randn([4, 2], { seed: 5 });
    expect(model.forward(x).shape).toEqual([4, 3]);
    model.add(new Dense(3, 1));
    expect(model.forward(x).shape).toEqual([4, 1]);
    const { model: fused, layers } = bothWays(model, x);
    expect(fused).toEqual(layers);
  });

  it('is gradient-checked through the fused path (float64)', () => {
    manualSeed(5);
    const f64 = { dtype: 'float64' } as const;
    const model = new Sequential(new Dense(3, 4, f64), new Tanh(), new Dense(4, 2, f64), new Sigmoid());
    const x = randn([5, 3], { ...f64, seed: 6 });
    expect(model.forward(x).node?.op).toBe('mlp');
    expect(gradcheckModule(model, [x]).passed).toBe(true);
    const other = new Sequential(
      new Dense(3, 4, f64),
      new ELU(0.7),
      new Dense(4, 4, f64),
      new GELU(),
      new Dense(4, 2, f64),
      new Softplus(3),
    );
    expect(other.forward(x).node?.op).toBe('mlp');
    expect(gradcheckModule(other, [x]).passed).toBe(true);
  });

  it('still names the layer in errors from a fused run', () => {
    const model = new Sequential(new Dense(4, 8), new Sigmoid(), new Dense(8, 2), new Sigmoid());
    expect(() => model.forward(randn([32, 5]))).toThrow("Dense '0' expected input [*, 4], got [32, 5]");
    // Sizes that do not chain end the run; the layer that cannot take its input says so.
    const wide = new Sequential(new Dense(2, 2), new Sigmoid(), new Dense(3, 1));
    expect(() => wide.forward(randn([1, 2]))).toThrow("Dense '2' expected input [*, 3], got [1, 2]");
  });
});
