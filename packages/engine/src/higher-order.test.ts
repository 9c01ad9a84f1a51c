import { describe, expect, it } from 'vitest';
import { grad, gradients, randn, type Tensor, tensor } from './index.js';

/** d²f/dx² by differentiating the gradient (createGraph). */
function secondDerivative(f: (x: Tensor) => Tensor, x0: number[]): number[] {
  const d2 = grad((x: Tensor) => grad((y: Tensor) => f(y).sum(), { createGraph: true })(x).sum());
  return [...d2(tensor(x0, { dtype: 'float64' })).data];
}

describe('higher-order gradients', () => {
  const xs = [-1.5, -0.3, 0.4, 2];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const cases: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ['x³', (x) => x.pow(3), (v) => 6 * v],
    ['x·x·x', (x) => x.mul(x).mul(x), (v) => 6 * v],
    ['sin', (x) => x.sin(), (v) => -Math.sin(v)],
    ['sigmoid', (x) => x.sigmoid(), (v) => sig(v) * (1 - sig(v)) * (1 - 2 * sig(v))],
    ['tanh', (x) => x.tanh(), (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
    ['exp', (x) => x.exp(), Math.exp],
    ['log', (x) => x.abs().add(1).log(), (v) => -1 / (Math.abs(v) + 1) ** 2],
  ];
  for (const [name, f, d2] of cases) {
    it(`second derivative of ${name} matches the closed form`, () => {
      secondDerivative(f, xs).forEach((v, i) => expect(v).toBeCloseTo(d2(xs[i]), 10));
    });
  }

  it('third derivative of x⁴ is 24x', () => {
    const f = (x: Tensor) => x.pow(4).sum();
    const d1 = (x: Tensor) => grad(f, { createGraph: true })(x).sum();
    const d2 = (x: Tensor) => grad(d1, { createGraph: true })(x).sum();
    expect([...grad(d2)(tensor([0.5, 2], { dtype: 'float64' })).data]).toEqual([12, 48]);
  });

  it('Hessian-vector product of a small MLP loss matches finite differences of its gradient', () => {
    const x = randn([5, 3], { dtype: 'float64', seed: 1 });
    const target = randn([5, 2], { dtype: 'float64', seed: 2 });
    const w1 = randn([3, 4], { dtype: 'float64', seed: 3 });
    const w2 = randn([4, 2], { dtype: 'float64', seed: 4 });
    const v1 = randn([3, 4], { dtype: 'float64', seed: 5 });
    const loss = (a: Tensor, b: Tensor) => x.matmul(a).tanh().matmul(b).sigmoid().sub(target).square().mean();
    const gradAt = (a: Tensor, b: Tensor) => {
      const [ga, gb] = gradients(loss(a, b), [a, b]);
      return [ga, gb];
    };
    // Hv with v = (v1, 0): differentiate ⟨∇_{w1} L, v1⟩ once more.
    const a = w1.detach().setRequiresGrad();
    const b = w2.detach().setRequiresGrad();
    const [ga] = gradients(loss(a, b), [a, b], { createGraph: true });
    const [hvA, hvB] = gradients(ga.mul(v1).sum(), [a, b]);
    // Finite differences: (∇L(w + εv) − ∇L(w − εv)) / 2ε.
    const eps = 1e-5;
    const plus = gradAt(w1.add(v1.mul(eps)).setRequiresGrad(), w2.detach().setRequiresGrad());
    const minus = gradAt(w1.sub(v1.mul(eps)).setRequiresGrad(), w2.detach().setRequiresGrad());
    [hvA, hvB].forEach((hv, k) => {
      const fd = plus[k].sub(minus[k]).div(2 * eps);
      [...hv.data].forEach((value, i) => expect(value).toBeCloseTo(fd.data[i], 6));
    });
    expect(Math.max(...[...hvA.data].map(Math.abs))).toBeGreaterThan(1e-4);
  });
});
