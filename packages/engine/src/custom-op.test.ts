import { describe, expect, it } from 'vitest';
import { customOp, gradients, randn, ShapeError, tensor } from './index.js';
import { expectGradientsMatch } from './testing.js';

const softsign = customOp({
  name: 'softsign',
  forward: ([x]) => x.div(x.abs().add(1)),
  backward: ([x], dy) => [dy.div(x.abs().add(1).square())],
});

describe('customOp', () => {
  it('gives a differentiable op from a forward and a hand-written backward', () => {
    const x = randn([3, 4], { dtype: 'float64', seed: 1 });
    expectGradientsMatch((t) => softsign(t).sum(), [x]);
    const y = softsign(tensor([1, -3], { requiresGrad: true }));
    expect(y.toArray()).toEqual([0.5, -0.75]);
    expect(y.node?.op).toBe('softsign');
    expect(String(y)).toContain('gradFn=softsign');
  });

  it('supports second-order gradients when the backward uses engine ops', () => {
    const x = tensor([0.5, 2], { dtype: 'float64', requiresGrad: true });
    const [g] = gradients(softsign(x).sum(), [x], { createGraph: true });
    const [h] = gradients(g.sum(), [x]);
    // softsign'' = −2·sign(x)/(1 + |x|)³
    expect(h.data[0]).toBeCloseTo(-2 / 1.5 ** 3, 12);
    expect(h.data[1]).toBeCloseTo(-2 / 27, 12);
  });

  it('rejects a backward that returns gradients of the wrong shape or count', () => {
    const bad = customOp({ name: 'bad', forward: ([x]) => x.mul(2), backward: (_inputs, dy) => [dy.sum()] });
    const x = randn([2, 2], { requiresGrad: true });
    expect(() => bad(x).sum().backward()).toThrow(ShapeError);
    expect(() => bad(x).sum().backward()).toThrow('bad: backward returned a gradient of shape [] for input #0 of shape [2, 2]');
    const short = customOp({ name: 'short', forward: ([a, b]) => a.add(b), backward: (_inputs, dy) => [dy] });
    expect(() => short(x, x).sum().backward()).toThrow('short: backward returned 1 gradients for 2 inputs');
  });
});
