import { describe, expect, it } from 'vitest';
import { arange, array } from './ops/create.js';
import { reshape } from './ops/reshape.js';

describe('toString', () => {
  it('renders small arrays in full and large ones with ellipses', () => {
    expect(
      array([
        [1, 2.5],
        [3, -0.125],
      ]).toString(),
    ).toBe('array([[1, 2.5],\n       [3, -0.125]], dtype=float32)');
    expect(array([1 / 3], { dtype: 'float64' }).toString()).toBe('array([0.3333], dtype=float64)');
    const big = reshape(arange(2000), [2, 1000]).toString();
    expect(big).toContain('[0, 1, 2, ..., 997, 998, 999]');
    expect(big).toContain('dtype=float32');
  });
});
