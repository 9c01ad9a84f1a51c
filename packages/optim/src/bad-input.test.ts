import { tensor } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('optim: bad input never escapes as a bare TypeError', () => {
  it('every optimizer, schedule and clipping function, called with garbage', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const sgd = new api.SGD([p], { lr: 0.1 });
    // Optimizer and LRScheduler are abstract bases; schedules take an optimizer first.
    expect(garbageCalls(api, { skip: ['Optimizer', 'LRScheduler'], leads: [[p], sgd] })).toEqual([]);
  });
});
