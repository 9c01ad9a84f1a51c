import { tensor } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('layers: bad input never escapes as a bare TypeError', () => {
  it('every layer constructor, activation and initializer helper, called with garbage', () => {
    // Module is abstract; registerLayer takes a factory callback.
    expect(garbageCalls(api, { skip: ['Module'], leads: [tensor([[1, 2]]), 3] })).toEqual([]);
  });
  it('every layer forward, called with garbage', () => {
    const layers = [
      new api.Dense(2, 3),
      new api.Conv2d(1, 2, 3),
      new api.MaxPool2d(2),
      new api.AvgPool2d(2),
      new api.Flatten(),
      new api.Dropout(0.5),
      new api.BatchNorm1d(2),
      new api.BatchNorm2d(1),
      new api.LayerNorm(2),
      new api.Embedding(3, 2),
      new api.Sequential(new api.Dense(2, 2)),
      api.activation('relu'),
    ];
    const forwards = Object.fromEntries(
      layers.map((l, i) => [`${l.typeName}#${i}.forward`, (...args: unknown[]) => l.forward(...(args as never[]))]),
    );
    expect(garbageCalls(forwards)).toEqual([]);
  });
});

describe('misspelt layer options', () => {
  it('are refused by name instead of being ignored, in constructors and in configs', () => {
    const cases: [() => unknown, string][] = [
      [() => new api.Dense(2, 1, { bais: false } as never), "Dense: unknown option 'bais' (did you mean 'bias'?)"],
      [() => new api.Conv2d(1, 2, 3, { pad: 1 } as never), "Conv2d: unknown option 'pad'"],
      [() => new api.MaxPool2d(2, { strides: 1 } as never), "MaxPool2d: unknown option 'strides' (did you mean 'stride'?)"],
      [() => new api.Dropout(0.5, { sed: 1 } as never), "Dropout: unknown option 'sed' (did you mean 'seed'?)"],
      [() => new api.Embedding(4, 2, { init: 'zeros' } as never), "Embedding: unknown option 'init'"],
      [() => new api.BatchNorm1d(3, { epsilon: 1e-3 } as never), "BatchNorm1d: unknown option 'epsilon'"],
      [() => new api.LayerNorm(3, { affine: false } as never), "LayerNorm: unknown option 'affine'"],
      [() => new api.LSTM(2, 3, { dtyp: 'float64' } as never), "LSTM: unknown option 'dtyp' (did you mean 'dtype'?)"],
      [() => new api.GELU({ approx: 'tanh' } as never), "GELU: unknown option 'approx'"],
      [
        () => api.layerFromConfig({ type: 'Dense', inFeatures: 2, outFeatures: 1, bais: false }),
        "model (Dense): Dense: unknown option 'bais'",
      ],
      [() => api.layerFromConfig({ type: 'Dropout', p: 0.5, q: 1 }), "Dropout: unknown option 'q'"],
      [() => api.layerFromConfig({ type: 'ReLU', slope: 0.1 }), "ReLU: unknown option 'slope'"],
      [
        () => api.layerFromConfig({ type: 'ReLU' }, { layer: {} } as never),
        "layerFromConfig: unknown option 'layer' (did you mean 'layers'?)",
      ],
      [() => new api.Dense(2, 1).loadStateDict(new api.Dense(2, 1).stateDict(), { strct: false } as never), "unknown option 'strct'"],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
    // A config's own entries reach the constructor as options, and it still round-trips.
    const dense = new api.Dense(2, 3, { bias: false, dtype: 'float64' });
    expect(api.layerFromConfig(dense.getConfig()).getConfig()).toEqual(dense.getConfig());
  });
});
