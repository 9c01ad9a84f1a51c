import { describe, expect, it } from 'vitest';
import { compileBackward } from '../compile/index.js';
import { gradients } from '../functional.js';
import { ArgumentError, enableGrad, type Tensor, tensor } from '../index.js';
import { expectGradientsMatch } from '../testing.js';
import { elu, gelu, leakyRelu, selu, silu, softplus } from './activation.js';
import { maximum, mul } from './arithmetic.js';
import { greater } from './compare.js';
import { where } from './indexing.js';
import { abs, erf, exp, expm1, log1p, sigmoid, tanh } from './unary.js';

// Each activation is one recorded op computing the function and its derivative per element. Its
// definition is the composition of engine ops below (the formulas PyTorch documents); the fused
// op must agree with it to a few ulp in float64, pass finite differences to second order, and
// compile to code giving its float32 bits.

type Fn = (x: Tensor) => Tensor;
/** `piecewiseLinear`: the derivative is constant on each side of 0, so it has no gradient of its own. */
const cases: Record<string, { fused: Fn; composed: Fn; op: string; piecewiseLinear?: true }> = {
  gelu: { fused: (x) => gelu(x), composed: (x) => mul(x, erf(mul(x, Math.SQRT1_2)).add(1)).mul(0.5), op: 'gelu' },
  geluTanh: {
    fused: (x) => gelu(x, { approximate: 'tanh' }),
    composed: (x) => mul(x, tanh(mul(x.add(mul(x.mul(x).mul(x), 0.044715)), Math.sqrt(2 / Math.PI))).add(1)).mul(0.5),
    op: 'gelu',
  },
  softplus: { fused: (x) => softplus(x), composed: (x) => maximum(x, 0).add(log1p(exp(mul(abs(x), -1)))), op: 'softplus' },
  softplusBeta: {
    fused: (x) => softplus(x, 2.5),
    composed: (x) => maximum(x, 0).add(mul(log1p(exp(mul(abs(mul(x, 2.5)), -1))), 1 / 2.5)),
    op: 'softplus',
  },
  elu: { fused: (x) => elu(x, 0.7), composed: (x) => where(greater(x, 0), x, mul(expm1(x), 0.7)), op: 'elu' },
  selu: {
    fused: selu,
    composed: (x) => mul(where(greater(x, 0), x, mul(expm1(x), 1.6732632423543772)), 1.0507009873554805),
    op: 'selu',
  },
  leakyRelu: {
    fused: (x) => leakyRelu(x, 0.2),
    composed: (x) => where(greater(x, 0), x, mul(x, 0.2)),
    op: 'leakyRelu',
    piecewiseLinear: true,
  },
  silu: { fused: silu, composed: (x) => mul(x, sigmoid(x)), op: 'silu' },
};

// Away from the kinks at 0 (leakyRelu, elu), where finite differences straddle two branches.
const points = [-7.5, -2.1, -0.7, -0.05, 0.3, 1.9, 4.2, 9];

/** The gradient accumulated in `t`, as numbers (empty if none). */
const gradOf = (t: Tensor): number[] => [...(t.grad?.value.data ?? [])];

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tolerance * (1 + Math.abs(expected[i])));
  }
}

describe('activation ops', () => {
  for (const [name, { fused, composed, op, piecewiseLinear }] of Object.entries(cases)) {
    describe(name, () => {
      it('is one recorded op with the values and gradient of its composition (float64)', () => {
        const x = tensor(points, { dtype: 'float64' }).setRequiresGrad();
        const y = fused(x);
        expect(y.node?.op).toBe(op);
        expect(y.node?.inputs).toEqual([x]);
        const reference = composed(x);
        closeTo(y.value.data, reference.value.data, 1e-14);
        const [dx] = gradients(y.mul(tensor(points, { dtype: 'float64' })).sum(), [x]);
        const [dxRef] = gradients(reference.mul(tensor(points, { dtype: 'float64' })).sum(), [x]);
        closeTo(dx.value.data, dxRef.value.data, 1e-14);
      });

      it('matches finite differences to second order (createGraph)', () => {
        const x = tensor(points, { dtype: 'float64' });
        expectGradientsMatch((t) => fused(t).square().sum(), [x]);
        const [dx] = gradients(fused(x.setRequiresGrad()).sum(), [x], { createGraph: true });
        if (piecewiseLinear) {
          expect(dx.node).toBeNull();
          return;
        }
        expect(dx.node).not.toBeNull();
        expectGradientsMatch(
          (t) => enableGrad(() => gradients(fused(t).sum(), [t], { createGraph: true })[0].square().sum()),
          [tensor(points, { dtype: 'float64' })],
        );
      });

      it('compiles to code giving the eager float32 bits (compileBackward)', () => {
        const x = tensor([[...points, 0, -0.5, 40, -40]], { dtype: 'float32' }).setRequiresGrad();
        const weight = tensor([[0.5, -1.25, 2, 0.75, -0.3, 1.5, -2, 0.25, 1, -1, 0.1, 3]]);
        const step = compileBackward(() => fused(x).mul(weight).sum());
        const compiledLoss = step().item();
        const compiledGrad = gradOf(x);
        x.grad = null;
        const loss = fused(x).mul(weight).sum();
        loss.backward();
        expect(compiledLoss).toBe(loss.item());
        expect(compiledGrad).toEqual(gradOf(x));
      });

      it('gives float32 for integer input, and finite values and gradients at ±1000', () => {
        expect(fused(tensor([1, -2, 3], { dtype: 'int32' })).dtype).toBe('float32');
        const x = tensor([-1000, 1000], { dtype: 'float64' }).setRequiresGrad();
        const y = fused(x);
        y.sum().backward();
        for (const v of [...y.value.data, ...gradOf(x)]) expect(Number.isFinite(v)).toBe(true);
      });
    });
  }

  it('derivatives at the kinks follow PyTorch: leakyRelu and elu take the negative side at 0', () => {
    const zero = () => tensor([0], { dtype: 'float64' }).setRequiresGrad();
    for (const [fn, expected] of [
      [(x: Tensor) => leakyRelu(x, 0.2), 0.2],
      [(x: Tensor) => elu(x, 0.7), 0.7],
      [(x: Tensor) => softplus(x), 0.5],
    ] as const) {
      const x = zero();
      fn(x).backward();
      expect(gradOf(x)).toEqual([expected]);
    }
  });

  it('rejects bad parameters with an error naming the op and the parameter', () => {
    const x = tensor([1, 2]);
    expect(() => softplus(x, 0)).toThrow(ArgumentError);
    expect(() => softplus(x, 0)).toThrow("softplus: 'beta' must be a finite positive number, got 0");
    expect(() => elu(x, Number.NaN)).toThrow("elu: 'alpha' must be a finite number, got NaN");
    expect(() => leakyRelu(x, '0.1' as unknown as number)).toThrow(`leakyRelu: 'slope' must be a finite number, got "0.1"`);
    expect(() => gelu(x, { approximate: 'erf' as 'none' })).toThrow("gelu: 'approximate' must be 'none' or 'tanh', got erf");
    expect(() => silu([1, 2] as unknown as Tensor)).toThrow("silu: argument 'x' must be a Tensor, got object");
  });
});

describe('the forward pass keeps what the derivative needs only where a backward pass may follow', () => {
  it('gives the same gradient with and without a graph around the input', () => {
    const data = [-3, -0.4, 0.2, 2.5];
    for (const fn of [(x: Tensor) => gelu(x), silu, (x: Tensor) => softplus(x, 3)]) {
      const plain = fn(tensor(data, { dtype: 'float64' }));
      expect(plain.node).toBeNull();
      const x = tensor(data, { dtype: 'float64' }).setRequiresGrad();
      const y = fn(x);
      expect([...y.value.data]).toEqual([...plain.value.data]);
      y.sum().backward();
      expect(gradOf(x).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('Tensor methods', () => {
  it('are the ops, with their parameters', () => {
    const x = tensor([-2, -0.5, 0.5, 3], { dtype: 'float64' });
    const same = (a: Tensor, b: Tensor) => expect([...a.value.data]).toEqual([...b.value.data]);
    same(x.leakyRelu(0.3), leakyRelu(x, 0.3));
    same(x.leakyRelu(), leakyRelu(x));
    same(x.elu(0.5), elu(x, 0.5));
    same(x.selu(), selu(x));
    same(x.gelu({ approximate: 'tanh' }), gelu(x, { approximate: 'tanh' }));
    same(x.gelu(), gelu(x));
    same(x.softplus(2), softplus(x, 2));
    same(x.silu(), silu(x));
  });
});
