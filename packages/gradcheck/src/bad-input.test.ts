import { tensor } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('gradcheck: bad input never escapes as a bare TypeError', () => {
  it('every function, called with garbage', () => {
    const f = (x: ReturnType<typeof tensor>) => x.sum();
    // GradcheckError is a class of errors, not a check.
    expect(garbageCalls(api, { skip: ['GradcheckError'], leads: [f, tensor([1, 2])] })).toEqual([]);
  });
});
