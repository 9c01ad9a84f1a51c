import { getBackend, jsBackend, ShapeError, setBackend, wasmBackend, windowGeometry } from '@backprop/tensor';
import { describe, expect, it, onTestFinished } from 'vitest';
import reference from '../../fixtures/conv-reference.json' with { type: 'json' };
import { tensor } from '../create.js';
import { gradients } from '../functional.js';
import type { Tensor } from '../tensor.js';
import { expectGradientsMatch } from '../testing.js';
import { add, mul } from './arithmetic.js';
import { avgPool2d, type Conv2dOptions, conv2d, fold2d, maxPool2d, unfold2d } from './conv.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

interface Stored {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  op: 'conv2d' | 'maxPool2d' | 'avgPool2d';
  options: Record<string, unknown>;
  x: Stored;
  weight?: Stored;
  bias?: Stored | null;
  seed: Stored;
  y: Stored;
  dx: number[];
  dweight?: number[];
  dbias?: number[] | null;
}

const cases = reference.cases as Case[];
const load = (s: Stored, requiresGrad = true): Tensor =>
  reshape(tensor(s.data, { dtype: 'float64' }), s.shape)
    .detach()
    .setRequiresGrad(requiresGrad);

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}

describe('conv2d and pooling match PyTorch (fixtures/make-fixtures.py)', () => {
  for (const c of cases) {
    it(`${c.op}: ${c.name}`, () => {
      const x = load(c.x);
      const weight = c.weight ? load(c.weight) : undefined;
      const bias = c.bias ? load(c.bias) : undefined;
      const y =
        c.op === 'conv2d'
          ? conv2d(x, weight as Tensor, bias, c.options)
          : (c.op === 'maxPool2d' ? maxPool2d : avgPool2d)(x, c.options as { kernelSize: number });
      expect(y.shape).toEqual(c.y.shape);
      expectClose(y.value.data, c.y.data);
      sum(mul(y, load(c.seed, false))).backward();
      expectClose((x.grad as Tensor).value.data, c.dx);
      if (weight) expectClose((weight.grad as Tensor).value.data, c.dweight as number[]);
      if (bias) expectClose((bias.grad as Tensor).value.data, c.dbias as number[]);
    });
  }
});

describe('gradients of conv2d, pooling, unfold2d and fold2d agree with finite differences', () => {
  const x = (shape: number[], seed: number): Tensor =>
    load({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * 2) });
  it('conv2d with groups, stride, padding and dilation: input, weight and bias', () => {
    const options = { stride: [2, 1] as const, padding: 1, dilation: [1, 2] as const, groups: 2 };
    expectGradientsMatch((a, w, b) => conv2d(a, w, b, options), [x([2, 4, 5, 6], 1), x([4, 2, 2, 2], 2), x([4], 3)]);
  });
  it('maxPool2d and avgPool2d', () => {
    expectGradientsMatch((a) => maxPool2d(a, { kernelSize: 2, stride: 1, padding: 1 }), [x([1, 2, 4, 5], 4)]);
    expectGradientsMatch((a) => avgPool2d(a, { kernelSize: [2, 3], padding: [1, 1] }), [x([2, 1, 4, 5], 5)]);
  });
  it('unfold2d and fold2d, including second order', () => {
    const options = { kernelSize: 2, stride: 2, padding: 1 };
    expectGradientsMatch((a) => unfold2d(a, options), [x([1, 2, 3, 4], 6)]);
    expectGradientsMatch((c) => fold2d(c, [1, 2, 3, 4], options), [x([1, 8, 6], 7)]);
  });
});

describe('maxPool2d gradient on ties', () => {
  it('goes to the first maximum of the window, as PyTorch', () => {
    const x = load({ shape: [1, 1, 2, 4], data: [1, 1, 3, 2, 1, 1, 2, 3] });
    sum(maxPool2d(x, { kernelSize: 2 })).backward();
    expect([...(x.grad as Tensor).value.data]).toEqual([1, 0, 1, 0, 0, 0, 0, 0]);
  });
});

describe('conv2d errors name the shapes', () => {
  it('channel mismatch, bad bias, non-NCHW input', () => {
    const img = load({ shape: [1, 3, 4, 4], data: Array(48).fill(1) });
    const w = load({ shape: [2, 2, 3, 3], data: Array(36).fill(1) });
    expect(() => conv2d(img, w)).toThrow(ShapeError);
    expect(() => conv2d(img, w)).toThrow(/input \[1, 3, 4, 4\] has 3 channels but weight \[2, 2, 3, 3\]/);
    const w3 = load({ shape: [2, 3, 3, 3], data: Array(54).fill(1) });
    expect(() => conv2d(img, w3, load({ shape: [3], data: [1, 2, 3] }))).toThrow(/bias must have shape \[2\]/);
    expect(() => conv2d(reshape(img, [3, 4, 4]), w3)).toThrow(/\[N, C, H, W\]/);
    expect(() => maxPool2d(img, { kernelSize: 5 })).toThrow(/5×5 window/);
  });
});

describe('conv2d is one op, bit for bit the composition unfold2d → matmul → add', () => {
  const data = (shape: readonly number[], seed: number) =>
    Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(seed * 3.7 + i * 0.91) * 1.5);
  const leaf = (shape: number[], seed: number, dtype: 'float32' | 'float64'): Tensor =>
    reshape(tensor(data(shape, seed), { dtype }), shape)
      .detach()
      .setRequiresGrad();
  /** The definition: the ops conv2d was composed of before it became one. */
  const composition = (x: Tensor, w: Tensor, b: Tensor | null, options: Conv2dOptions) => {
    const [outC, cPerGroup, kH, kW] = w.shape;
    const groups = options.groups ?? 1;
    const window = { kernelSize: [kH, kW] as const, stride: options.stride, padding: options.padding, dilation: options.dilation };
    const columns = unfold2d(x, window);
    const [n, rows, area] = columns.shape;
    const taps = cPerGroup * kH * kW;
    const product =
      groups === 1
        ? matmul(reshape(w, [outC, taps]), columns)
        : matmul(reshape(w, [groups, outC / groups, taps]), reshape(columns, [n, groups, rows / groups, area]));
    const { outH, outW } = windowGeometry(x.shape, window, 'test');
    const y = reshape(product, [n, outC, outH, outW]);
    return b === null ? y : add(y, reshape(b, [1, outC, 1, 1]));
  };
  const cases: [string, number[], number[], boolean, Conv2dOptions][] = [
    ['3×3, bias (W4)', [3, 1, 8, 8], [4, 1, 3, 3], true, {}],
    ['groups, stride, padding, dilation', [2, 4, 7, 6], [6, 2, 2, 3], true, { groups: 2, stride: [2, 1], padding: 1, dilation: [1, 2] }],
    ['no bias', [2, 3, 5, 5], [2, 3, 3, 3], false, { padding: 1 }],
    ['one image, a 1×1 output', [1, 2, 3, 3], [3, 2, 3, 3], true, {}],
    // Large enough for the WebAssembly backend's own convolution (its gemm takes ≥ 16³ products):
    // few taps (the weight gradient as row dot products), and 27 taps with padding (packed).
    ['W4 full size: 8 filters 3×3 on 28×28', [2, 1, 28, 28], [8, 1, 3, 3], true, {}],
    ['27 taps, padding', [2, 3, 12, 12], [5, 3, 3, 3], true, { padding: 1 }],
  ];
  for (const [dtype, backend] of [
    ['float32', wasmBackend],
    ['float64', wasmBackend],
    ['float32', jsBackend],
  ] as const) {
    for (const [name, xShape, wShape, withBias, options] of cases) {
      it(`${name}, ${dtype} on the ${backend.name} backend: values and the gradients of x, weight and bias`, () => {
        const previous = getBackend();
        setBackend(backend);
        onTestFinished(() => setBackend(previous));
        const run = (f: typeof composition) => {
          const x = leaf(xShape, 1, dtype);
          const w = leaf(wShape, 2, dtype);
          const b = withBias ? leaf([wShape[0]], 3, dtype) : null;
          const y = f(x, w, b, options);
          sum(mul(y, reshape(tensor(data(y.shape, 4), { dtype }), y.shape))).backward();
          return { y, grads: [x, w, b].map((t) => (t === null ? [] : [...(t.grad as Tensor).value.data])) };
        };
        const fused = run((x, w, b, o) => conv2d(x, w, b, o));
        const reference = run(composition);
        expect(fused.y.node?.op).toBe('conv2d');
        expect(fused.y.value.dtype).toBe(dtype);
        expect([...fused.y.value.data]).toEqual([...reference.y.value.data]);
        expect(fused.grads).toEqual(reference.grads);
        expect(fused.grads[1].some((v) => v !== 0)).toBe(true);
      });
    }
  }

  it('second order: a Hessian-vector product through conv2d matches finite differences of its gradient', () => {
    const x = leaf([2, 2, 5, 4], 5, 'float64');
    const v = reshape(tensor(data([3, 2, 2, 2], 6), { dtype: 'float64' }), [3, 2, 2, 2]);
    const options = { padding: 1, stride: [1, 2] as const };
    const loss = (w: Tensor) => conv2d(x, w, null, options).tanh().square().sum();
    const gradAt = (w: Tensor) => gradients(loss(w), [w])[0];
    const w = leaf([3, 2, 2, 2], 7, 'float64');
    const [g] = gradients(loss(w), [w], { createGraph: true });
    const [hv] = gradients(g.mul(v).sum(), [w]);
    const eps = 1e-5;
    const fd = gradAt(w.add(v.mul(eps)).detach().setRequiresGrad())
      .sub(gradAt(w.sub(v.mul(eps)).detach().setRequiresGrad()))
      .div(2 * eps);
    [...hv.data].forEach((value, i) => expect(value).toBeCloseTo(fd.data[i], 6));
    expect(Math.max(...[...hv.data].map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('mixed dtypes still work, as the composition (promoted op by op)', () => {
    const x = leaf([1, 1, 4, 4], 8, 'float32');
    const w = leaf([2, 1, 3, 3], 9, 'float64');
    const y = conv2d(x, w);
    expect(y.dtype).toBe('float64');
    expect(y.node?.op).not.toBe('conv2d');
    sum(y).backward();
    expect((x.grad as Tensor).dtype).toBe('float32');
    expect((w.grad as Tensor).shape).toEqual([2, 1, 3, 3]);
  });
});
