import { tensor } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('losses: bad input never escapes as a bare TypeError', () => {
  it('every loss, called with garbage', () => {
    expect(
      garbageCalls(api, {
        leads: [
          tensor([
            [0.2, 0.7],
            [0.4, 0.1],
          ]),
        ],
      }),
    ).toEqual([]);
  });
});
