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
