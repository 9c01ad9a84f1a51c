import { fromArray, manualSeed, NDArray, randn, type Tensor } from '@backprop/engine';
import { damageJson, damagingValues, fuzzSettings } from '@backprop/engine/testing';
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
  layerTypes,
  MaxPool2d,
  type Module,
  ReLU,
  SELU,
  Sequential,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Tanh,
} from '@backprop/layers';
import { BackpropError, FileFormatError } from '@backprop/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deserializeModel, serializeModel } from './model-file.js';

// Random models over every built-in layer type, trained a little (so that parameters and batch
// norm statistics are off their initial values), written with serializeModel and read back with
// deserializeModel: the same config, the same state bit for bit, the same outputs bit for bit.

type DType = 'float32' | 'float64';

/** Numbers that choose a model's layers and their options. */
type Genes = readonly number[];

/** Reads the genes one at a time, modulo what each choice allows (0 once they run out). */
function reader(genes: Genes) {
  let next = 0;
  return (n: number) => (n <= 1 ? 0 : (genes[next++] ?? 0) % n);
}

const activations: (() => Module)[] = [
  () => new Sigmoid(),
  () => new Tanh(),
  () => new ReLU(),
  () => new LeakyReLU(0.2),
  () => new ELU(0.5),
  () => new SELU(),
  () => new GELU({ approximate: 'tanh' }),
  () => new Softplus(2),
  () => new SiLU(),
  () => new Identity(),
];

/** Appends layers for `[batch, features]` inputs to `layers`. */
function vectorLayers(pick: (n: number) => number, features: number, layers: Module[], dtype: DType): void {
  let width = features;
  for (let i = pick(4); i >= 0; i--) {
    const out = 1 + pick(6);
    layers.push(new Dense(width, out, { bias: pick(3) !== 0, dtype }));
    width = out;
    const extra = pick(6);
    if (extra === 0) layers.push(new BatchNorm1d(width, { affine: pick(2) === 0, momentum: 0.5, dtype }));
    else if (extra === 1) layers.push(new LayerNorm(width, { elementwiseAffine: pick(2) === 0, dtype }));
    else if (extra === 2) layers.push(new Dropout(0.25));
    layers.push(activations[pick(activations.length)]());
  }
  if (pick(3) === 0) layers.push(pick(2) === 0 ? new Softmax() : new LogSoftmax());
}

interface RandomModel {
  readonly model: Sequential;
  /** A batch of inputs for it. */
  readonly input: (seed: number) => Tensor;
}

function randomModel(genes: Genes): RandomModel {
  const pick = reader(genes);
  const layers: Module[] = [];
  const batch = 2 + pick(3);
  const kind = pick(3);
  const dtype: DType = pick(2) === 0 ? 'float32' : 'float64';
  if (kind === 0) {
    // Images [batch, channels, size, size]: a convolution, batch norm, pooling, then flattened.
    const [channels, imageSize] = [1 + pick(2), 5 + pick(3)];
    const out = 2 * (1 + pick(2));
    const groups = channels === 2 && pick(2) === 0 ? 2 : 1;
    const [kernel, padding, stride] = [1 + pick(3), pick(2), 1 + pick(2)];
    layers.push(new Conv2d(channels, out, kernel, { padding, stride, groups, bias: pick(3) !== 0, dtype }));
    let size = Math.floor((imageSize + 2 * padding - kernel) / stride) + 1;
    if (pick(2) === 0) layers.push(new BatchNorm2d(out, { momentum: 0.5, dtype }));
    layers.push(activations[pick(activations.length)]());
    if (size >= 2) {
      // A 2×2 window at stride 1: one less, or with a padding of 1 one more.
      const poolPadding = pick(2);
      layers.push(
        pick(2) === 0 ? new MaxPool2d(2, { stride: 1, padding: poolPadding }) : new AvgPool2d(2, { stride: 1, padding: poolPadding }),
      );
      size += poolPadding === 1 ? 1 : -1;
    }
    layers.push(new Flatten());
    vectorLayers(pick, out * size * size, layers, dtype);
    return { model: new Sequential(...layers), input: (seed) => randn([batch, channels, imageSize, imageSize], { seed, dtype }) };
  }
  if (kind === 1) {
    // Token ids [batch, steps]: an embedding, an LSTM, then flattened.
    const [vocabulary, steps, dim, hidden] = [3 + pick(5), 1 + pick(3), 1 + pick(4), 1 + pick(4)];
    layers.push(new Embedding(vocabulary, dim, { dtype }), new LSTM(dim, hidden, { dtype }), new Flatten());
    vectorLayers(pick, steps * hidden, layers, dtype);
    return {
      model: new Sequential(...layers),
      input: (seed) =>
        fromArray(
          new NDArray(
            Int32Array.from({ length: batch * steps }, (_, i) => (i * 5 + seed) % vocabulary),
            [batch, steps],
          ),
        ),
    };
  }
  const features = 1 + pick(5);
  vectorLayers(pick, features, layers, dtype);
  return { model: new Sequential(...layers), input: (seed) => randn([batch, features], { seed, dtype }) };
}

const bits = (a: NDArray) => [...new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)];

describe('serializeModel / deserializeModel on random models', () => {
  it('the same config, state and outputs, bit for bit, for every built-in layer type', () => {
    const seen = new Set<string>();
    const collect = (config: { type: string; layers?: unknown[] }) => {
      seen.add(config.type);
      for (const layer of config.layers ?? []) collect(layer as { type: string });
    };
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 40, maxLength: 40 }), fc.nat(1000), (genes, seed) => {
        manualSeed(seed);
        const { model, input } = randomModel(genes);
        // A few forward passes in training mode move batch norm's running statistics; then
        // parameters off their initial values.
        for (let i = 0; i < 2; i++) model.forward(input(seed + i));
        for (const p of model.parameters()) p.value.data.set(randn(p.shape, { seed: seed + 17, dtype: p.dtype }).value.data);
        model.eval();
        const { description, weights } = serializeModel(model, { inputShape: input(0).shape.slice(1) });
        const loaded = deserializeModel(JSON.parse(JSON.stringify(description)), weights).model;
        expect(loaded.getConfig()).toEqual(model.getConfig());
        const [state, again] = [model.stateDict(), loaded.stateDict()];
        expect(Object.keys(again)).toEqual(Object.keys(state));
        for (const name of Object.keys(state)) {
          expect(again[name].dtype).toBe(state[name].dtype);
          expect(bits(again[name]), name).toEqual(bits(state[name]));
        }
        loaded.eval();
        const x = input(seed + 5);
        expect(bits(loaded.forward(x).value)).toEqual(bits(model.forward(x).value));
        collect(model.getConfig() as { type: string; layers?: unknown[] });
      }),
      fuzzSettings(300),
    );
    // 'Linear' is another name of Dense (its config says 'Dense').
    expect([...seen].sort()).toEqual(
      layerTypes()
        .filter((t) => t !== 'Linear')
        .sort(),
    );
  });
});

describe('deserializeModel on damaged descriptions', () => {
  it('every change to a valid model.json loads, or fails with a FileFormatError naming the file', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 40, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, undefined)), { minLength: 1, maxLength: 3 }),
        (genes, edits) => {
          manualSeed(1);
          const { model, input } = randomModel(genes);
          const { description, weights } = serializeModel(model, {
            inputShape: [3],
            optimizer: { type: 'SGD', paramGroups: [{ params: [0], lr: 0.1 }], state: { 0: { step: 2 } } },
          });
          const { value: json, changed } = damageJson(description, edits);
          let loaded: Module;
          try {
            loaded = deserializeModel(json, weights, { file: 'model.json', weightsFile: 'model.safetensors' }).model;
          } catch (error) {
            if (!FileFormatError.isInstance(error)) throw new Error(`${changed.join(', ')}: ${error}`);
            expect((error as Error).message).toMatch(/model\.(json|safetensors)/);
            return;
          }
          // What loads runs, or refuses its input with a backprop error (a changed layer option may change the shapes it takes).
          for (const mode of ['train', 'eval'] as const) {
            loaded[mode]();
            try {
              loaded.forward(input(7));
            } catch (error) {
              if (!BackpropError.isInstance(error)) throw new Error(`${changed.join(', ')}, forward in ${mode} mode: ${error}`);
            }
          }
        },
      ),
      fuzzSettings(500),
    );
  });
});
