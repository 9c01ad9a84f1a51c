import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as E from '../index.js';
import { randn, type Tensor, tensor } from '../index.js';
import { expectGradientsMatch } from '../testing.js';

// Every differentiable op is checked against central finite differences in float64.

const r = (shape: number[], seed: number) => randn(shape, { dtype: 'float64', seed });
const positive = (shape: number[], seed: number) => r(shape, seed).abs().add(0.5);
const away = (shape: number[], seed: number) => {
  // Values kept away from kinks (0 for relu/abs, bounds for clamp) so that finite differences are exact.
  const x = r(shape, seed);
  return x.add(x.sign().mul(0.2));
};
const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => expectGradientsMatch(fn, inputs, { atol: 1e-6, rtol: 1e-5 });

describe('unary ops: gradients match finite differences', () => {
  const cases: [string, (x: Tensor) => Tensor, (s: number[], seed: number) => Tensor][] = [
    ['neg', (x) => x.neg(), r],
    ['abs', (x) => x.abs(), away],
    ['exp', (x) => x.exp(), r],
    ['log', (x) => x.log(), positive],
    ['log1p', (x) => x.log1p(), positive],
    ['expm1', (x) => x.expm1(), r],
    ['sqrt', (x) => x.sqrt(), positive],
    ['square', (x) => x.square(), r],
    ['reciprocal', (x) => x.reciprocal(), positive],
    ['sin', (x) => x.sin(), r],
    ['cos', (x) => x.cos(), r],
    ['tanh', (x) => x.tanh(), r],
    ['sigmoid', (x) => x.sigmoid(), r],
    ['relu', (x) => x.relu(), away],
    ['erf', (x) => x.erf(), r],
    ['pow scalar', (x) => x.pow(3), r],
    ['pow fractional', (x) => x.pow(1.5), positive],
    ['clamp', (x) => x.clamp(-0.1, 0.1), away],
  ];
  for (const [name, fn, make] of cases) it(name, () => check(fn, [make([3, 4], name.length)]));

  it('sign, floor, ceil and round have zero gradient', () => {
    const x = tensor([0.3, 1.7, -2.2], { dtype: 'float64', requiresGrad: true });
    for (const fn of [E.sign, E.floor, E.ceil, E.round]) {
      const [g] = E.gradients(fn(x).sum(), [x]);
      expect([...g.data]).toEqual([0, 0, 0]);
    }
  });
});

/** Two shapes that broadcast together (some dims 1, some leading dims missing). */
const broadcastPair = fc
  .array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
      fc.integer({ min: 0, max: 1000 }),
    ),
  )
  .map(([shape, ones, drop, seed]) => ({ a: shape, b: shape.map((d, i) => (ones[i] ? 1 : d)).slice(drop), seed }));

describe('binary ops: gradients undo broadcasting (random shapes)', () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, boolean][] = [
    ['add', (a, b) => a.add(b), false],
    ['sub', (a, b) => a.sub(b), false],
    ['mul', (a, b) => a.mul(b), false],
    ['div', (a, b) => a.div(b), true],
    ['pow', (a, b) => a.pow(b), true],
    ['maximum', (a, b) => a.maximum(b), false],
    ['minimum', (a, b) => a.minimum(b), false],
  ];
  for (const [name, fn, needsPositive] of ops) {
    it(name, () => {
      fc.assert(
        fc.property(broadcastPair, ({ a, b, seed }) => {
          const x = needsPositive ? positive(a, seed) : r(a, seed);
          const y = needsPositive ? positive(b, seed + 1) : r(b, seed + 1);
          check(fn, [x, y]);
          check(fn, [y, x]);
        }),
        { numRuns: 25 },
      );
    });
  }

  it('numbers as operands, and mixed float32/float64 inputs get gradients of their own dtype', () => {
    check((x) => x.mul(3).add(1).div(2).sub(0.5), [r([2, 3], 1)]);
    const a = randn([3], { requiresGrad: true, seed: 1 });
    const b = randn([3], { dtype: 'float64', requiresGrad: true, seed: 2 });
    a.mul(b).sum().backward();
    expect(a.grad?.dtype).toBe('float32');
    expect(b.grad?.dtype).toBe('float64');
  });

  it('maximum splits the gradient evenly on ties, as PyTorch', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([1, 3], { requiresGrad: true });
    a.maximum(b).sum().backward();
    expect([...(a.grad?.data ?? [])]).toEqual([0.5, 0]);
    expect([...(b.grad?.data ?? [])]).toEqual([0.5, 1]);
  });
});

describe('matmul', () => {
  it('2-D, vector and batched-broadcast products, with and without transpose flags', () => {
    check((a, b) => a.matmul(b), [r([3, 4], 1), r([4, 2], 2)]);
    check((a, b) => a.matmul(b), [r([4], 1), r([4, 2], 2)]);
    check((a, b) => a.matmul(b), [r([3, 4], 1), r([4], 2)]);
    check((a, b) => a.matmul(b), [r([2, 1, 3, 4], 3), r([3, 4, 2], 4)]);
    check((a, b) => E.matmul(a, b, { transposeA: true }), [r([4, 3], 5), r([4, 2], 6)]);
    check((a, b) => E.matmul(a, b, { transposeB: true }), [r([3, 4], 7), r([2, 4], 8)]);
    check((a, b) => E.matmul(a, b, { transposeA: true, transposeB: true }), [r([2, 4, 3], 9), r([2, 4], 10)]);
  });
});

describe('reductions: every axis combination (random shapes)', () => {
  const shapes = fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1000 }));
  it('sum, mean, prod, max, min, variance, logSumExp with and without keepDims', () => {
    fc.assert(
      fc.property(shapes, ([shape, seed]) => {
        const x = r(shape, seed);
        for (let mask = 1; mask < 1 << shape.length; mask++) {
          const axes = shape.map((_, i) => i).filter((i) => mask & (1 << i));
          const keepDims = mask % 2 === 0;
          check((t) => t.sum(axes, { keepDims }).square(), [x]);
          check((t) => t.mean(axes, { keepDims }).square(), [x]);
          check((t) => t.prod(axes, { keepDims }), [x]);
          check((t) => t.max(axes, { keepDims }), [x]);
          check((t) => t.min(axes, { keepDims }), [x]);
          check((t) => t.logSumExp(axes, { keepDims }), [x]);
          const count = axes.reduce((p, a) => p * shape[a], 1);
          if (count > 1) check((t) => t.variance(axes, { keepDims }), [x]);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('prod with zero factors gives the product of the others', () => {
    const x = tensor([2, 0, 3], { dtype: 'float64', requiresGrad: true });
    x.prod().backward();
    expect([...(x.grad?.data ?? [])]).toEqual([0, 6, 0]);
    const y = tensor([0, 0, 3], { dtype: 'float64', requiresGrad: true });
    y.prod().backward();
    expect([...(y.grad?.data ?? [])]).toEqual([0, 0, 0]);
  });

  it('prod with zero factors differentiates twice and three times (the Hessian Πₖ≠ᵢ,ⱼ xₖ; ∂³ of x₀x₁x₂ is 1)', () => {
    // Row i of the Hessian: the gradient of ∂prod/∂xᵢ, recorded with createGraph.
    const hessian = (values: number[]) => {
      const x = tensor(values, { dtype: 'float64', requiresGrad: true });
      const [g] = E.gradients(x.prod(), [x], { createGraph: true });
      return values.map((_, i) => [...E.gradients(g.slice([i]), [x], { retainGraph: true })[0].value.data]);
    };
    expect(hessian([2, 0, 3])).toEqual([
      [0, 3, 0],
      [3, 0, 2],
      [0, 2, 0],
    ]);
    expect(hessian([0, 0, 3])).toEqual([
      [0, 3, 0],
      [3, 0, 0],
      [0, 0, 0],
    ]);
    const x = tensor([0, 0, 0], { dtype: 'float64', requiresGrad: true });
    const [g] = E.gradients(x.prod(), [x], { createGraph: true });
    const [h0] = E.gradients(g.slice([0]), [x], { createGraph: true });
    expect([...E.gradients(h0.slice([1]), [x])[0].value.data]).toEqual([0, 0, 1]);
    // Over one axis of a matrix, against finite differences of the gradient.
    const m = tensor(
      [
        [0, 1.5, -2],
        [0.5, 0, 0],
      ],
      { dtype: 'float64' },
    );
    const w = r([2, 3], 5);
    // (The finite differences evaluate under noGrad; the inner gradient needs recording.)
    const weights = r([2], 6);
    const gradientOfProd = (t: Tensor) => E.enableGrad(() => E.gradients(t.prod(1).mul(weights).sum(), [t], { createGraph: true })[0]);
    check((t) => gradientOfProd(t).mul(w).sum(), [m.setRequiresGrad()]);
  });

  it('max shares the gradient among ties, as torch.amax', () => {
    const x = tensor([3, 1, 3], { requiresGrad: true });
    x.max().backward();
    expect([...(x.grad?.data ?? [])]).toEqual([0.5, 0, 0.5]);
  });
});

describe('softmax family', () => {
  it('softmax and logSoftmax along each axis', () => {
    for (const axis of [0, 1, -1]) {
      check(
        (x) =>
          x
            .softmax(axis)
            .mul(r([3, 4], 2))
            .sum(),
        [r([3, 4], 1)],
      );
      check(
        (x) =>
          x
            .logSoftmax(axis)
            .mul(r([3, 4], 3))
            .sum(),
        [r([3, 4], 1)],
      );
    }
  });

  it('a 0-d input is one row of one element: softmax 1, logSoftmax 0, gradient 0 (found by the random compiled programs)', () => {
    for (const axis of [-1, 0]) {
      const x = tensor(2.5, { dtype: 'float64', requiresGrad: true });
      const y = x.softmax(axis);
      expect(y.shape).toEqual([]);
      expect(y.item()).toBe(1);
      const z = x.logSoftmax(axis);
      expect(z.item()).toBe(0);
      y.mul(3).add(z.mul(-2)).backward();
      expect(x.grad?.item()).toBe(0);
      check((t) => t.softmax(axis).mul(t.logSoftmax(axis).add(1)), [r([], 4)]);
    }
  });

  it('stays finite for logits of ±1000, with the mathematically correct gradient', () => {
    const x = tensor([[1000, -1000, 0]], { dtype: 'float64', requiresGrad: true });
    const loss = x.logSoftmax().slice([0, 0]).neg();
    expect(loss.item()).toBeCloseTo(0, 12);
    loss.backward();
    // d/dx of −log softmax(x)₀ = softmax(x) − e₀ = [1 − 1, 0 − 0, e^-1000 − 0].
    expect([...(x.grad?.data ?? [])].map((v) => Math.abs(v))).toEqual([0, 0, 0]);
  });
});

describe('shape ops', () => {
  it('reshape, flatten, squeeze, unsqueeze, permute, transpose, swapAxes, broadcastTo', () => {
    const w = r([2, 3, 4], 99);
    check(
      (x) =>
        x
          .reshape([4, -1])
          .mul(w.reshape([4, 6]))
          .sum(),
      [r([2, 3, 4], 1)],
    );
    check((x) => x.flatten(1).mul(w.flatten(1)).sum(), [r([2, 3, 4], 1)]);
    check((x) => x.unsqueeze(0).squeeze(0).mul(w).sum(), [r([2, 3, 4], 1)]);
    check(
      (x) =>
        x
          .permute([2, 0, 1])
          .mul(w.permute([2, 0, 1]))
          .sum(),
      [r([2, 3, 4], 1)],
    );
    check((x) => x.transpose().mul(w.transpose()).sum(), [r([2, 3, 4], 1)]);
    check((x) => x.swapAxes(0, 2).mul(w.swapAxes(0, 2)).sum(), [r([2, 3, 4], 1)]);
    check((x) => x.broadcastTo([2, 3, 4]).mul(w).sum(), [r([3, 1], 1)]);
  });

  it('slice (steps, negative steps, picked axes), pad, flip, concat, stack, split', () => {
    check(
      (x) =>
        x
          .slice([{ start: 1 }, { step: -2 }])
          .square()
          .sum(),
      [r([3, 5], 1)],
    );
    check((x) => x.slice([null, 2]).square().sum(), [r([3, 5], 1)]);
    check(
      (x) =>
        x
          .pad(
            [
              [1, 0],
              [2, 1],
            ],
            3,
          )
          .square()
          .sum(),
      [r([2, 2], 1)],
    );
    check(
      (x) =>
        x
          .flip(1)
          .mul(r([2, 3], 5))
          .sum(),
      [r([2, 3], 1)],
    );
    check((a, b) => E.concat([a, b], 1).square().sum(), [r([2, 3], 1), r([2, 2], 2)]);
    check(
      (a, b) =>
        E.stack([a, b], 1)
          .mul(r([2, 2, 3], 7))
          .sum(),
      [r([2, 3], 1), r([2, 3], 2)],
    );
    check(
      (x) => {
        const [p, q] = E.split(x, [1, 2], 1);
        return p.square().sum().add(q.mul(3).sum());
      },
      [r([2, 3], 1)],
    );
  });

  it('take, gather, indexAdd, scatterAdd and where route gradients to the right places', () => {
    const index = tensor(
      [
        [2, 0],
        [1, 1],
      ],
      { dtype: 'int32' },
    );
    check((x) => x.take([2, 0, 2], 0).square().sum(), [r([3, 2], 1)]);
    check((x) => x.gather(1, index).square().sum(), [r([2, 3], 1)]);
    check((x, s) => E.indexAdd(x, 0, [0, 2, 0], s).square().sum(), [r([3, 2], 1), r([3, 2], 2)]);
    check((x, s) => E.scatterAdd(x, 1, index, s).square().sum(), [r([2, 3], 1), r([2, 2], 2)]);
    const cond = tensor([[1, 0, 1]], { dtype: 'int32' });
    check((a, b) => E.where(cond, a, b).square().sum(), [r([2, 3], 1), r([3], 2)]);
  });

  it('astype between float types carries the gradient back', () => {
    // float32 rounding limits the finite differences, hence the coarse step and tolerance.
    expectGradientsMatch((x) => x.astype('float32').astype('float64').square().sum(), [r([3], 1)], { eps: 1e-2, atol: 1e-3, rtol: 1e-3 });
  });
});
