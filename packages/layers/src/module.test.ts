import { NDArray, ones, randn, ShapeError, type Tensor } from '@backprop/engine';
import { describe, expect, it } from 'vitest';
import { ReLU, Sigmoid } from './activations.js';
import { Conv2d, MaxPool2d } from './conv.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Module } from './module.js';
import { BatchNorm1d } from './normalization.js';
import { layerFromConfig } from './registry.js';
import { Sequential } from './sequential.js';

class Encoder extends Module {
  readonly fc1 = this.module('fc1', new Dense(4, 8));
  readonly norm = this.module('norm', new BatchNorm1d(8));
  readonly fc2 = this.module('fc2', new Dense(8, 2));
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.norm.forward(this.fc1.forward(x)).relu());
  }
}

class AutoEncoder extends Module {
  readonly encoder = this.module('encoder', new Encoder());
  readonly decoder = this.module('decoder', new Sequential(new Dense(2, 4), new Dropout(0.5)));
  readonly scale = this.parameter('scale', ones([1]));
  forward(x: Tensor): Tensor {
    return this.decoder.forward(this.encoder.forward(x)).mul(this.scale);
  }
}

describe('Module', () => {
  it('names parameters with dotted paths, in registration order', () => {
    const model = new AutoEncoder();
    expect(model.namedParameters().map(([name]) => name)).toEqual([
      'scale',
      'encoder.fc1.weight',
      'encoder.fc1.bias',
      'encoder.norm.weight',
      'encoder.norm.bias',
      'encoder.fc2.weight',
      'encoder.fc2.bias',
      'decoder.0.weight',
      'decoder.0.bias',
    ]);
    expect(model.namedBuffers().map(([name]) => name)).toEqual(['encoder.norm.runningMean', 'encoder.norm.runningVar']);
    expect(model.encoder.fc2.path).toBe('encoder.fc2');
    expect(model.encoder.fc2.weight.name).toBe('encoder.fc2.weight');
    expect(model.children().length).toBe(2);
    expect(model.parameterCount()).toBe(1 + (4 * 8 + 8) + 16 + (8 * 2 + 2) + (2 * 4 + 4));
  });

  it('counts a shared parameter once', () => {
    const shared = new Dense(3, 3);
    const model = new Sequential(shared, new ReLU(), shared);
    expect(model.parameters().length).toBe(2);
    expect(model.parameterCount()).toBe(12);
  });

  it('train() and eval() reach every descendant; zeroGrad clears every gradient', () => {
    const model = new AutoEncoder();
    model.eval();
    expect(model.namedModules().every(([, m]) => !m.training)).toBe(true);
    model.train();
    expect(model.encoder.norm.training).toBe(true);
    model
      .forward(randn([3, 4]))
      .sum()
      .backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("train(mode) calls each descendant's own train, so a layer that overrides it is told", () => {
    const modes: boolean[] = [];
    class Frozen extends Dense {
      override train(mode = true): this {
        modes.push(mode);
        // Stays in evaluation mode whatever its parent does.
        return super.train(false);
      }
    }
    const model = new Sequential(new Sequential(new Dense(2, 2), new Frozen(2, 2)), new Dropout(0.5));
    model.eval();
    model.train();
    expect(modes).toEqual([false, true]);
    expect(model.namedModules().map(([path, m]) => `${path || 'root'}:${m.training}`)).toEqual([
      'root:true',
      '0:true',
      '0.0:true',
      '0.1:false',
      '1:true',
    ]);
  });

  it('stateDict / loadStateDict round-trip exactly and are copies', () => {
    const a = new AutoEncoder();
    const b = new AutoEncoder();
    const state = a.stateDict();
    b.loadStateDict(state);
    for (const [name, p] of b.namedParameters()) expect([...p.value.data]).toEqual([...state[name].data]);
    state['encoder.fc1.weight'].data[0] = 1234;
    expect(a.encoder.fc1.weight.value.data[0]).not.toBe(1234);
  });

  it('a strict load lists every missing, unexpected and mis-shaped entry and changes nothing', () => {
    const model = new AutoEncoder();
    const before = [...model.encoder.fc1.weight.value.data];
    const state: Record<string, NDArray> = model.stateDict();
    delete state['decoder.0.bias'];
    state['encoder.fc1.weight'] = new NDArray(new Float32Array(12), [3, 4]);
    state['encoder.extra'] = new NDArray(new Float32Array(1), [1]);
    let message = '';
    try {
      model.loadStateDict(state);
    } catch (error) {
      expect(ShapeError.isInstance(error)).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toContain('missing: decoder.0.bias');
    expect(message).toContain('unexpected: encoder.extra');
    expect(message).toContain('encoder.fc1.weight: shape [3, 4] in the state, [4, 8] in the model');
    expect([...model.encoder.fc1.weight.value.data]).toEqual(before);
  });

  it('a state entry read from JSON is checked too: { shape, data } with numbers of the right count (it threw TypeErrors)', () => {
    const dense = new Dense(1, 3);
    const before = [...dense.bias!.value.data];
    const load = (bias: unknown) => () => dense.loadStateDict({ weight: dense.weight.value, bias } as never);
    expect(load({ shape: 'x', data: [1] })).toThrow('bias: not an array (an NDArray, a tensor, or { shape, data })');
    expect(load({ shape: [3], data: 'abc' })).toThrow('bias: not an array');
    expect(load({ shape: [3], data: [1, 2, 3, 4, 5] })).toThrow('bias: shape [3] but 5 values in the state');
    expect([...dense.bias!.value.data]).toEqual(before);
    load({ shape: [3], data: [1, 2, 3] })();
    expect([...dense.bias!.value.data]).toEqual([1, 2, 3]);
  });

  it('summary lists layers, output shapes and parameter counts', () => {
    const model = new Sequential(new Conv2d(1, 4, 3), new ReLU(), new MaxPool2d(2), new Flatten(), new Dense(4 * 13 * 13, 10));
    const text = model.summary([1, 1, 28, 28]);
    expect(text).toContain('0 (Conv2d)');
    expect(text).toContain('[1, 4, 26, 26]');
    expect(text).toContain('[1, 4, 13, 13]');
    expect(text).toContain('[1, 676]');
    expect(text).toContain('6,770');
    expect(text).toContain(`Total parameters: ${(40 + 6770).toLocaleString('en-US')}`);
    expect(model.training).toBe(true);
    expect(model.forward(randn([1, 1, 28, 28])).shape).toEqual([1, 10]);
  });

  it('errors from inside a custom module are labelled with its path', () => {
    class Broken extends Module {
      forward(x: Tensor): Tensor {
        return x.matmul(randn([5, 5]));
      }
      override get typeName() {
        return 'Broken';
      }
    }
    const model = new Sequential(new Dense(2, 3), new Broken());
    expect(() => model.forward(randn([1, 2]))).toThrow(/^Broken '1': matmul/);
  });

  it('registration rejects bad and duplicate names', () => {
    class Twice extends Module {
      readonly a = this.parameter('w', ones([1]));
      readonly b = this.parameter('w', ones([1]));
      forward(x: Tensor) {
        return x;
      }
    }
    expect(() => new Twice()).toThrow("the name 'w' is already registered");
  });
});

describe('configs', () => {
  it('a Sequential model round-trips through its JSON config', () => {
    const model = new Sequential(new Dense(3, 5), new Sigmoid(), new Dropout(0.2), new BatchNorm1d(5), new Dense(5, 2, { bias: false }));
    const config = JSON.parse(JSON.stringify(model.getConfig()));
    const again = layerFromConfig(config);
    again.loadStateDict(model.stateDict());
    expect(again.getConfig()).toEqual(model.getConfig());
    model.eval();
    again.eval();
    const x = randn([4, 3], { seed: 2 });
    expect([...again.forward(x).value.data]).toEqual([...model.forward(x).value.data]);
  });

  it('config errors name the place in the description', () => {
    expect(() =>
      layerFromConfig({
        type: 'Sequential',
        layers: [
          { type: 'Dense', inFeatures: 2, outFeatures: 3 },
          { type: 'Dense', inFeatures: -1, outFeatures: 1 },
        ],
      }),
    ).toThrow("model.layers[1] (Dense): Dense: 'inFeatures' must be an integer ≥ 1, got -1");
    expect(() => layerFromConfig({ type: 'Sequential', layers: [{ type: 'Dnese' }] })).toThrow(
      /model.layers\[0\]: unknown layer type 'Dnese'; known: Sequential, Dense/,
    );
  });
});

describe('printing a model', () => {
  it("String(model) and console.log show the module tree with each layer's options", async () => {
    const { inspect } = await import('node:util');
    class Block extends Module {
      readonly fc = this.module('fc', new Dense(4, 4, { bias: false }));
      forward(x: Tensor) {
        return this.fc.forward(x).relu();
      }
    }
    const model = new Sequential(new Dense(2, 4), new Sigmoid(), new Block(), new Dropout(0.25));
    const expected = [
      'Sequential(',
      '  (0): Dense(inFeatures=2, outFeatures=4, bias=true, dtype=float32)',
      '  (1): Sigmoid()',
      '  (2): Block(',
      '    (fc): Dense(inFeatures=4, outFeatures=4, bias=false, dtype=float32)',
      '  )',
      '  (3): Dropout(p=0.25)',
      ')',
    ].join('\n');
    expect(String(model)).toBe(expected);
    expect(inspect(model)).toBe(expected);
  });
});

describe('freezing', () => {
  it('setRequiresGrad(false) freezes a sub-module: no gradients there, the rest trains', () => {
    const model = new Sequential(new Dense(2, 3), new ReLU(), new Dense(3, 1));
    const first = model.namedChildren()[0][1];
    expect(first.setRequiresGrad(false)).toBe(first);
    expect(model.parameterCount(true)).toBe(4);
    expect(model.parameterCount()).toBe(13);
    model
      .forward(randn([5, 2], { seed: 1 }))
      .sum()
      .backward();
    expect(first.parameters().map((p) => p.grad)).toEqual([null, null]);
    expect(
      model
        .parameters()
        .slice(2)
        .every((p) => p.grad !== null),
    ).toBe(true);
    first.setRequiresGrad();
    expect(model.parameterCount(true)).toBe(13);
  });
});
