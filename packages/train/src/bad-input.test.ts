import { NDArray } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { Dense } from '@backprop/layers';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('train: bad input never escapes as a bare TypeError', () => {
  it('every function and class, called with garbage', () => {
    const x = new NDArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const data = api.dataset(x, [0, 1]);
    expect(garbageCalls(api, { skip: ['History', 'TrainingError'], leads: [x, data, new Dense(2, 2)] })).toEqual([]);
  });
});
