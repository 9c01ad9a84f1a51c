import { describe, expect, it } from 'vitest';
import { AnomalyError, detectAnomaly, tensor } from './index.js';

describe('anomaly mode', () => {
  it('names the first op whose forward produced NaN/Inf from finite inputs', () => {
    const x = tensor([1, 0, 2], { requiresGrad: true });
    const run = () => detectAnomaly(() => x.mul(2).log().sum());
    expect(run).toThrow(AnomalyError);
    expect(run).toThrow(
      "anomaly: 'log' produced -Infinity (first at flat index 1 of [3]) in its forward pass from finite inputs; input shapes: [3]",
    );
  });

  it('names the op whose backward produced a non-finite gradient', () => {
    const x = tensor([0, 4], { requiresGrad: true });
    // sqrt(0) is fine forward, but its derivative 1/(2√x) is Infinity at 0.
    const run = () => detectAnomaly(() => x.sqrt().sum().backward());
    expect(run).toThrow(AnomalyError);
    expect(run).toThrow("the backward of 'sqrt' produced Infinity");
  });

  it('points at data that was already bad', () => {
    const x = tensor([Number.NaN, 1], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.add(1))).toThrow('because input #0 already held NaN or Infinity (a leaf tensor: check the data)');
  });

  it('costs nothing and reports nothing when off', () => {
    const x = tensor([0], { requiresGrad: true });
    expect(x.log().item()).toBe(Number.NEGATIVE_INFINITY);
  });
});
