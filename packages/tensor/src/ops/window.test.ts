import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '../errors.js';
import { randn } from '../random/sample.js';
import { mul } from './binary.js';
import { sum } from './reduce.js';
import { fold2d, unfold2d, windowGeometry } from './window.js';

describe('windowGeometry', () => {
  it('computes output sizes as PyTorch does', () => {
    // torch: Conv2d(k=3, stride=2, padding=1, dilation=2) on 28×28 gives 13×13.
    const g = windowGeometry([1, 1, 28, 28], { kernelSize: 3, stride: 2, padding: 1, dilation: 2 }, 'conv');
    expect([g.outH, g.outW]).toEqual([13, 13]);
    const h = windowGeometry([2, 3, 7, 10], { kernelSize: [2, 5], stride: [1, 3] }, 'conv');
    expect([h.outH, h.outW]).toEqual([6, 2]);
  });

  it('rejects windows that do not fit and malformed options', () => {
    expect(() => windowGeometry([1, 1, 2, 2], { kernelSize: 3 }, 'conv2d')).toThrow(ShapeError);
    expect(() => windowGeometry([1, 1, 2, 2], { kernelSize: 3 }, 'conv2d')).toThrow(/3×3 window .* \[1, 1, 2, 2\]/);
    expect(() => windowGeometry([1, 4, 4], { kernelSize: 3 }, 'conv2d')).toThrow(/NCHW/);
    expect(() => windowGeometry([1, 1, 4, 4], { kernelSize: 0 }, 'conv2d')).toThrow(ArgumentError);
    expect(() => windowGeometry([1, 1, 4, 4], { kernelSize: 2, stride: [1] as never }, 'conv2d')).toThrow(/'stride'/);
  });
});

describe('unfold2d / fold2d', () => {
  it('lays a 3×3 image out as PyTorch F.unfold does', () => {
    const x = randn([1, 1, 3, 3], { seed: 1 });
    const cols = unfold2d(x, { kernelSize: 2 });
    expect(cols.shape).toEqual([1, 4, 4]);
    const v = [...x.data];
    // Row r = kernel tap (ki, kj), column = output position (oy, ox): value x[oy + ki, ox + kj].
    expect([...cols.data]).toEqual([v[0], v[1], v[3], v[4], v[1], v[2], v[4], v[5], v[3], v[4], v[6], v[7], v[4], v[5], v[7], v[8]]);
  });

  it('fold2d is the adjoint of unfold2d: <unfold(x), c> = <x, fold(c)>', () => {
    const options = { kernelSize: [3, 2] as const, stride: [2, 1] as const, padding: 1, dilation: [1, 2] as const };
    const x = randn([2, 3, 7, 6], { seed: 2, dtype: 'float64' });
    const cols = unfold2d(x, options);
    const c = randn(cols.shape, { seed: 3, dtype: 'float64' });
    const left = sum(mul(cols, c)).item();
    const right = sum(mul(x, fold2d(c, x.shape, options))).item();
    expect(Math.abs(left - right)).toBeLessThan(1e-10 * Math.abs(left) + 1e-12);
  });

  it('pads with the given value and checks the columns shape', () => {
    const x = randn([1, 1, 2, 2], { seed: 4 });
    const cols = unfold2d(x, { kernelSize: 2, padding: 1, padValue: Number.NEGATIVE_INFINITY });
    expect(cols.data[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(() => fold2d(cols, [1, 1, 3, 3], { kernelSize: 2, padding: 1 })).toThrow(/columns must have shape \[1, 4, 16\]/);
  });
});
