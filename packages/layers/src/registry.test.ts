import { noGrad, randint, randn, type Tensor } from '@backprop/engine';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Dense,
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  LogSoftmax,
  LSTM,
  layerFromConfig,
  layerTypes,
  MaxPool2d,
  Module,
  ReLU,
  registerLayer,
  SELU,
  Sequential,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Tanh,
} from './index.js';

const image = () => randn([2, 4, 7, 7], { seed: 3, dtype: 'float64' });

/**
 * One instance of every built-in layer type, built with options other than the defaults (so a
 * config that forgot one shows), and an input for it.
 */
const cases: Record<string, () => { layer: Module; input: Tensor }> = {
  Sequential: () => ({
    layer: new Sequential(new Dense(3, 4, { dtype: 'float64' }), new Tanh(), new Dense(4, 2, { bias: false, dtype: 'float64' })),
    input: randn([5, 3], { seed: 1, dtype: 'float64' }),
  }),
  Dense: () => ({ layer: new Dense(3, 2, { bias: false, dtype: 'float64' }), input: randn([5, 3], { seed: 1, dtype: 'float64' }) }),
  Linear: () => ({ layer: new Dense(3, 2), input: randn([5, 3], { seed: 1 }) }),
  Conv2d: () => ({
    layer: new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, bias: false, dtype: 'float64' }),
    input: image(),
  }),
  MaxPool2d: () => ({ layer: new MaxPool2d([3, 2], { stride: [2, 1], padding: 1 }), input: image() }),
  AvgPool2d: () => ({ layer: new AvgPool2d(2, { stride: 3, padding: [1, 0] }), input: image() }),
  Flatten: () => ({ layer: new Flatten(2, 3), input: image() }),
  Dropout: () => ({ layer: new Dropout(0.3), input: randn([5, 3], { seed: 1 }) }),
  BatchNorm1d: () => ({
    layer: new BatchNorm1d(3, { eps: 1e-3, momentum: 0.3, affine: false, dtype: 'float64' }),
    input: randn([5, 3], { seed: 1, dtype: 'float64' }),
  }),
  BatchNorm2d: () => ({ layer: new BatchNorm2d(4, { eps: 1e-4, momentum: 0.2, dtype: 'float64' }), input: image() }),
  LayerNorm: () => ({
    layer: new LayerNorm([7, 7], { eps: 1e-3, elementwiseAffine: false, dtype: 'float64' }),
    input: image(),
  }),
  Embedding: () => ({ layer: new Embedding(10, 3, { dtype: 'float64' }), input: randint(0, 10, [2, 5], { seed: 4 }) }),
  LSTM: () => ({ layer: new LSTM(3, 4, { dtype: 'float64' }), input: randn([2, 5, 3], { seed: 1, dtype: 'float64' }) }),
  Sigmoid: () => ({ layer: new Sigmoid(), input: randn([5, 3], { seed: 1 }) }),
  Tanh: () => ({ layer: new Tanh(), input: randn([5, 3], { seed: 1 }) }),
  ReLU: () => ({ layer: new ReLU(), input: randn([5, 3], { seed: 1 }) }),
  LeakyReLU: () => ({ layer: new LeakyReLU(0.2), input: randn([5, 3], { seed: 1 }) }),
  ELU: () => ({ layer: new ELU(0.5), input: randn([5, 3], { seed: 1 }) }),
  SELU: () => ({ layer: new SELU(), input: randn([5, 3], { seed: 1 }) }),
  GELU: () => ({ layer: new GELU({ approximate: 'tanh' }), input: randn([5, 3], { seed: 1 }) }),
  Softplus: () => ({ layer: new Softplus(2), input: randn([5, 3], { seed: 1 }) }),
  SiLU: () => ({ layer: new SiLU(), input: randn([5, 3], { seed: 1 }) }),
  Softmax: () => ({ layer: new Softmax(0), input: randn([5, 3], { seed: 1 }) }),
  LogSoftmax: () => ({ layer: new LogSoftmax(0), input: randn([5, 3], { seed: 1 }) }),
  Identity: () => ({ layer: new Identity(), input: randn([5, 3], { seed: 1 }) }),
};

/** The layer rebuilt from its config after a trip through JSON text, with the original's state. */
function rebuilt(layer: Module): Module {
  const again = layerFromConfig(JSON.parse(JSON.stringify(layer.getConfig())));
  again.loadStateDict(layer.stateDict());
  return again;
}

describe('layerFromConfig', () => {
  it('has a round-trip case for every built-in layer type', () => {
    expect(Object.keys(cases).sort()).toEqual(layerTypes().sort());
  });

  for (const [type, make] of Object.entries(cases)) {
    it(`${type}: the config rebuilds the same layer, options included, and it computes the same`, () => {
      const { layer, input } = make();
      const again = rebuilt(layer);
      expect(again.getConfig()).toEqual(layer.getConfig());
      expect(again.constructor).toBe(layer.constructor);
      // Parameters and buffers keep their names, shapes and dtypes.
      const state = layer.stateDict();
      const stateAgain = again.stateDict();
      expect(Object.keys(stateAgain)).toEqual(Object.keys(state));
      for (const [name, value] of Object.entries(state)) {
        expect(stateAgain[name].shape, name).toEqual(value.shape);
        expect(stateAgain[name].dtype, name).toBe(value.dtype);
      }
      layer.eval();
      again.eval();
      const expected = noGrad(() => layer.forward(input));
      const actual = noGrad(() => again.forward(input));
      expect(actual.shape).toEqual(expected.shape);
      expect(actual.dtype).toBe(expected.dtype);
      expect([...actual.data]).toEqual([...expected.data]);
    });
  }

  it("builds a Dense from the alias 'Linear'", () => {
    const layer = layerFromConfig({ type: 'Linear', inFeatures: 3, outFeatures: 2, bias: false });
    expect(layer).toBeInstanceOf(Dense);
    expect(layer.getConfig()).toMatchObject({ type: 'Dense', inFeatures: 3, outFeatures: 2, bias: false });
  });

  it('builds nested containers and names the nested place of an error', () => {
    const config = {
      type: 'Sequential',
      layers: [{ type: 'Sequential', layers: [{ type: 'Dense', inFeatures: 2, outFeatures: 2 }, { type: 'ReLU' }] }, { type: 'Tanh' }],
    };
    expect(layerFromConfig(config).getConfig()).toMatchObject(config);
    const bad = { type: 'Sequential', layers: [{ type: 'Sequential', layers: [{ type: 'ReLU' }, { type: 'Conv2d', inChannels: 0 }] }] };
    expect(() => layerFromConfig(bad)).toThrow(/^model\.layers\[0\]\.layers\[1\] \(Conv2d\): /);
  });

  it('rejects a config that is not an object with a string type', () => {
    expect(() => layerFromConfig(null as never)).toThrow("model: a layer config must be an object with a string 'type', got null");
    expect(() => layerFromConfig({ type: 3 } as never)).toThrow(
      `model: a layer config must be an object with a string 'type', got {"type":3}`,
    );
    expect(() => layerFromConfig({ type: 'Sequential', layers: 'Dense' })).toThrow("'layers' must be an array of layer configs");
  });
});

class Scale extends Module {
  readonly weight: Tensor;
  constructor(readonly size: number) {
    super();
    this.weight = this.parameter('weight', randn([size], { seed: 9 }));
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.weight);
  }
  override getConfig() {
    return { type: 'Scale', size: this.size };
  }
}

describe('registerLayer', () => {
  afterEach(() => {
    // Registrations are global: replace the test's with one that fails loudly if used later.
    registerLayer('Scale', () => {
      throw new Error('Scale is registered only inside its test');
    });
  });

  it('makes a custom layer loadable, also inside containers', () => {
    registerLayer('Scale', (config) => new Scale(config.size as number));
    expect(layerTypes()).toContain('Scale');
    const model = new Sequential(new Dense(3, 3), new Scale(3));
    const again = rebuilt(model);
    expect(again.getConfig()).toEqual(model.getConfig());
    const x = randn([2, 3], { seed: 5 });
    expect([...again.forward(x).data]).toEqual([...model.forward(x).data]);
  });

  it('per-call layers take precedence over registered ones', () => {
    registerLayer('Scale', () => new Scale(1));
    const layer = layerFromConfig({ type: 'Scale', size: 4 }, { layers: { Scale: (config) => new Scale(config.size as number) } });
    expect((layer as Scale).size).toBe(4);
  });

  it('refuses built-in names and malformed registrations', () => {
    expect(() => registerLayer('Dense', () => new Identity())).toThrow(
      "registerLayer: 'Dense' is a built-in layer type; choose another name",
    );
    expect(() => registerLayer('', () => new Identity())).toThrow('registerLayer: expected a non-empty type name and a factory function');
    expect(() => registerLayer('Thing', 'not a function' as never)).toThrow('expected a non-empty type name and a factory function');
  });

  it('an unknown type lists the known ones, custom ones included', () => {
    expect(() => layerFromConfig({ type: 'Scael' }, { layers: { Extra: () => new Identity() } })).toThrow(
      /unknown layer type 'Scael'; known: Sequential, .*Scale.*, Extra \(register custom layers with registerLayer\(\)\)/,
    );
  });
});
