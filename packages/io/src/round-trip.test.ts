import { add, leakyRelu, manualSeed, mul, ones, randn, type Tensor } from '@backprop/engine';
import {
  BatchNorm1d,
  Dense,
  Dropout,
  Embedding,
  Flatten,
  type LayerConfig,
  Module,
  ReLU,
  registerLayer,
  Sequential,
} from '@backprop/layers';
import { globalGenerator } from '@backprop/tensor';
import { describe, expect, it } from 'vitest';
import { deserializeModel, serializeModel } from './model-file.js';

// Custom layers with a getConfig() that leaves something out, registered as their users would.

/** A leaky ReLU whose getConfig() forgets its slope: rebuilt, it has the default one. */
class ForgetfulLeaky extends Module {
  constructor(readonly slope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.slope);
  }
  override getConfig(): LayerConfig {
    return { type: 'ForgetfulLeaky' };
  }
}
registerLayer('ForgetfulLeaky', (c) => new ForgetfulLeaky((c.slope as number | undefined) ?? 0.01));

/** A per-feature gain whose getConfig() forgets its size: rebuilt, it has 3 gains. */
class ForgetfulGain extends Module {
  readonly gain: Tensor;
  constructor(readonly size = 3) {
    super();
    this.gain = this.parameter('gain', ones([size]));
  }
  forward(x: Tensor): Tensor {
    return mul(x, this.gain);
  }
  override getConfig(): LayerConfig {
    return { type: 'ForgetfulGain' };
  }
}
registerLayer('ForgetfulGain', (c) => new ForgetfulGain((c.size as number | undefined) ?? 3));

/** The same gain, described completely. */
class Gain extends ForgetfulGain {
  override getConfig(): LayerConfig {
    return { type: 'Gain', size: this.size };
  }
}
registerLayer('Gain', (c) => new Gain(c.size as number));

/** Noise from the global generator, in every mode (as Monte Carlo dropout would), described completely. */
class Jitter extends Module {
  forward(x: Tensor): Tensor {
    return add(x, randn(x.shape, { dtype: x.dtype }));
  }
  override getConfig(): LayerConfig {
    return { type: 'Jitter' };
  }
}
registerLayer('Jitter', () => new Jitter());

describe('serializeModel checks that the description builds the same model again', () => {
  it('refuses a getConfig() that changes the parameters (a forgotten size), with or without inputShape', () => {
    const model = new Sequential(new Dense(2, 5), new ForgetfulGain(5));
    for (const options of [{}, { inputShape: [2] }]) {
      expect(() => serializeModel(model, options)).toThrow(
        "serializeModel: the model's getConfig() describes another model ('1.gain' is float32 [5] in the model but float32 [3] rebuilt): a custom layer's getConfig() must return every option its constructor needs",
      );
    }
  });

  it('refuses a getConfig() that changes what the model computes (a forgotten slope), given inputShape', () => {
    const model = new Sequential(new Dense(2, 4), new ForgetfulLeaky(0.3), new Dense(4, 1));
    expect(() => serializeModel(model, { inputShape: [2] })).toThrow(
      "serializeModel: the model's getConfig() describes another model: with the same weights, the rebuilt model computes other outputs",
    );
    // Without an input shape there is nothing to run it on: only the parameters are compared.
    expect(() => serializeModel(model)).not.toThrow();
  });

  it('saves complete descriptions, and leaves the model’s modes and the global generator as they were', () => {
    manualSeed(5);
    const model = new Sequential(new Dense(3, 4), new BatchNorm1d(4), new Dropout(0.5), new ReLU(), new Gain(4), new Dense(4, 2));
    model.train();
    (model.layers[2] as Module).eval();
    const next = globalGenerator().getState();
    const { description, weights } = serializeModel(model, { inputShape: [3] });
    expect(globalGenerator().getState()).toEqual(next);
    expect(model.layers.map((l) => l.training)).toEqual([true, true, false, true, true, true]);
    expect(model.training).toBe(true);
    // And the file loads into a model with the same outputs.
    const loaded = deserializeModel(JSON.parse(JSON.stringify(description)), weights).model;
    const x = randn([5, 3], { seed: 9 });
    model.eval();
    loaded.eval();
    expect([...loaded.forward(x).value.data]).toEqual([...model.forward(x).value.data]);
  });

  it('a layer that draws from the global generator in eval mode draws alike in both runs, and the sequence is untouched', () => {
    const model = new Sequential(new Dense(2, 3), new Jitter(), new Dense(3, 1));
    manualSeed(11);
    const next = globalGenerator().getState();
    expect(() => serializeModel(model, { inputShape: [2] })).not.toThrow();
    expect(globalGenerator().getState()).toEqual(next);
  });

  it('skips the output check for inputs of another kind (indices), and checks nothing it cannot build', () => {
    const embedding = new Sequential(new Embedding(10, 3), new Flatten(), new Dense(6, 1));
    expect(() => serializeModel(embedding, { inputShape: [2] })).not.toThrow();
    class Unregistered extends ForgetfulGain {
      override getConfig(): LayerConfig {
        return { type: 'NotRegisteredHere', size: this.size };
      }
    }
    expect(() => serializeModel(new Sequential(new Dense(2, 3), new Unregistered(3)), { inputShape: [2] })).not.toThrow();
  });

  it('refuses an inputShape that loadModel would refuse', () => {
    for (const inputShape of [[0], [2.5], [-1, 2]]) {
      expect(() => serializeModel(new Sequential(new Dense(2, 1)), { inputShape })).toThrow(
        `serializeModel: 'inputShape' must be a list of positive integers (one sample, without the batch axis), got ${JSON.stringify(inputShape)}`,
      );
    }
  });
});
