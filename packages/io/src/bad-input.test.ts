import { garbageCalls } from '@backprop/engine/testing';
import { Dense } from '@backprop/layers';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('io: bad input never escapes as a bare TypeError', () => {
  it('every in-memory function, called with garbage', () => {
    expect(garbageCalls(api, { leads: [new Dense(2, 2), new Uint8Array(16)] })).toEqual([]);
  });
});
