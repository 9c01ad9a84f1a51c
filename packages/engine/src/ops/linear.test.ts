import { describe, expect, it } from 'vitest';
import { gradients } from '../functional.js';
import { enableGrad, randn, type Tensor, tensor } from '../index.js';
import { countProducts } from '../test-util.js';
import { expectGradientsMatch } from '../testing.js';
import { linear } from './linear.js';

// `linear` has two forward/backward implementations: a direct call of the JS gemm for tiny products
// (under 4096 multiply-adds) and matmul/add/sum for the rest. Both must agree with the composite x·W + b — bit for
// bit in float32, where the arithmetic is the same (sums in float64, rounded once, bias added after).

const leaf = (shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float32') =>
  randn(shape, { seed, dtype }).detach().setRequiresGrad();

/** Values and gradients of linear and of the composite for the same inputs. */
function both(xShape: number[], inF: number, outF: number, options: { bias?: boolean; xGrad?: boolean } = {}) {
  const run = (f: (x: Tensor, w: Tensor, b: Tensor | null) => Tensor) => {
    const x = leaf(xShape, 1);
    if (options.xGrad === false) x.requiresGrad = false;
    const w = leaf([inF, outF], 2);
    const b = options.bias === false ? null : leaf([outF], 3);
    const y = f(x, w, b);
    y.backward(randn(y.shape, { seed: 4 }));
    return {
      y: [...y.data],
      dx: x.grad ? [...x.grad.data] : null,
      dw: [...(w.grad as Tensor).data],
      db: b ? [...(b.grad as Tensor).data] : null,
    };
  };
  return {
    fused: run((x, w, b) => linear(x, w, b)),
    composite: run((x, w, b) => (b === null ? x.matmul(w) : x.matmul(w).add(b))),
  };
}

describe('linear', () => {
  const cases: [string, number[], number, number, { bias?: boolean; xGrad?: boolean }][] = [
    ['tiny: XOR-sized layer', [4, 2], 2, 4, {}],
    ['tiny: no bias', [4, 4], 4, 1, { bias: false }],
    ['tiny: input without gradient', [3, 5], 5, 7, { xGrad: false }],
    ['tiny: just under 16³ multiply-adds', [15, 16], 16, 17, {}],
    ['gemm: 16³ multiply-adds, where the WebAssembly gemm starts', [16, 16], 16, 16, {}],
    ['gemm: above the tiny size', [32, 40], 40, 30, {}],
  ];
  for (const [name, xShape, inF, outF, options] of cases) {
    it(`${name}: the same float32 values and gradients as matmul + add`, () => {
      const { fused, composite } = both(xShape, inF, outF, options);
      expect(fused).toEqual(composite);
      expect(fused.dx === null).toBe(options.xGrad === false);
    });
  }
  // A 3-D input is one product of its flattened rows; the composite multiplies each matrix of the
  // stack and sums dW over the stack afterwards, so the sums are grouped differently.
  const close = (a: number[] | null, b: number[] | null) => {
    expect(a?.length).toBe(b?.length);
    a?.forEach((v, i) => expect(Math.abs(v - (b as number[])[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
  };
  for (const [name, xShape, inF, outF, options] of [
    ['tiny: 3-D input', [2, 3, 4], 4, 5, {}],
    ['gemm: 3-D input, no bias', [4, 8, 16], 16, 12, { bias: false }],
  ] as const) {
    it(`${name}: float32 values and gradients as matmul + add, to rounding`, () => {
      const { fused, composite } = both([...xShape], inF, outF, options);
      expect(fused.y).toEqual(composite.y);
      close(fused.dx, composite.dx);
      close(fused.dw, composite.dw);
      close(fused.db, composite.db);
    });
  }

  it('tiny, float64, with sums whose value depends on their order: bit for bit matmul + add (each sum left to right)', () => {
    // x [3, 4], W [4, 3], dy [3, 3]: every sum of the product and of both gradients has at least
    // three terms mixing about ±1e16 and small values, so any other order than the gemm's (left to
    // right) changes the result.
    const mixed = (rows: number, cols: number) =>
      Array.from({ length: rows }, (_, i) =>
        Array.from({ length: cols }, (_, j) => ((i + j) % 3 === 0 ? (-1) ** (i + j) * 1e16 : 1 + ((i * cols + j) % 5) * 0.25)),
      );
    const run = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => {
      const x = tensor(mixed(3, 4), { dtype: 'float64' }).setRequiresGrad();
      const w = tensor(mixed(4, 3), { dtype: 'float64' }).setRequiresGrad();
      const b = tensor([0.25, -0.75, 0.5], { dtype: 'float64' }).setRequiresGrad();
      const y = f(x, w, b);
      y.backward(tensor(mixed(3, 3), { dtype: 'float64' }));
      return [[...y.data], ...[x, w, b].map((t) => [...(t.grad as Tensor).data])];
    };
    expect(run((x, w, b) => linear(x, w, b))).toEqual(run((x, w, b) => x.matmul(w).add(b)));
  });

  it('has gradients that match finite differences (float64), tiny and large', () => {
    for (const [rows, inF, outF] of [
      [4, 2, 4],
      [20, 30, 10],
    ]) {
      expectGradientsMatch(
        (x, w, b) => linear(x, w, b).sin().sum(),
        [leaf([rows, inF], 5, 'float64'), leaf([inF, outF], 6, 'float64'), leaf([outF], 7, 'float64')],
      );
    }
  });

  it('records its backward for second derivatives (createGraph), tiny and large', () => {
    for (const [rows, inF, outF] of [
      [4, 2, 4],
      [20, 30, 10],
    ]) {
      const x = leaf([rows, inF], 8, 'float64');
      const w = leaf([inF, outF], 9, 'float64');
      const [dw] = gradients(linear(x, w, null).square().sum(), [w], { createGraph: true });
      // d/dx Σ dW = d/dx Σ_pj 2 Σ_i x_ip (x·W)_ij: checked against finite differences of the first gradient.
      expectGradientsMatch(
        (xx) => enableGrad(() => gradients(linear(xx, w, null).square().sum(), [w], { createGraph: true })[0].sum()),
        [x],
      );
      expect(dw.node).not.toBeNull();
    }
  });

  it('runs even tiny products on a backend of the user’s own', () => {
    const products = countProducts(() => {
      const x = leaf([4, 2], 1);
      linear(x, leaf([2, 4], 2), leaf([4], 3))
        .sum()
        .backward();
    });
    expect(products).toBe(3); // forward, dx and dW
  });
});
