import { describe, expect, it } from 'vitest';
import { trainXor } from './xor.js';

describe('XOR demo', () => {
  it('learns XOR: the loss falls and all four outputs are on the right side of 0.5', () => {
    const result = trainXor({ epochs: 5000 });
    expect(result.losses[result.losses.length - 1]).toBeLessThan(result.losses[0] / 10);
    expect(result.solved).toBe(true);
  });

  it('is deterministic for a seed', () => {
    expect(trainXor({ epochs: 50, seed: 3 }).outputs).toEqual(trainXor({ epochs: 50, seed: 3 }).outputs);
  });
});
