import { compileBackward, fromArray, gradients, NDArray, randn, type Tensor, tensor } from '@backprop/engine';
import { gradcheck, gradgradcheck } from '@backprop/gradcheck';
import { describe, expect, it } from 'vitest';
import reference from '../fixtures/losses-reference.json' with { type: 'json' };
import * as losses from './index.js';
import type { ReductionOptions } from './util.js';

type LossFn = (input: Tensor, target: Tensor, options?: object) => Tensor;
interface Stored {
  shape: number[];
  data: number[];
  int: boolean;
}

const load = (s: Stored, requiresGrad: boolean): Tensor =>
  fromArray(new NDArray(s.int ? Int32Array.from(s.data) : Float64Array.from(s.data), s.shape), { requiresGrad: requiresGrad && !s.int });

/** The case's options, with tensor options (stored as `{ shape, data }`) as float64 tensors. */
const optionsOf = (options: object): object =>
  Object.fromEntries(
    Object.entries(options).map(([k, v]) =>
      typeof v === 'object' && v !== null && 'shape' in v
        ? [k, fromArray(new NDArray(Float64Array.from(v.data as number[]), v.shape as number[]))]
        : [k, v],
    ),
  );

function worstRelative(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1e-300, Math.abs(expected[i]), 1));
  return worst;
}

describe('every loss matches PyTorch in value and gradient (fixtures/make-fixtures.py)', () => {
  for (const c of reference.cases) {
    it(c.name, () => {
      const fn = (losses as unknown as Record<string, LossFn>)[c.loss];
      const inputs = c.inputs.map((s, i) => load(s as Stored, String(i) in c.grads));
      const out = fn(inputs[0], inputs[1], optionsOf(c.options));
      expect(out.shape).toEqual(c.out.shape);
      expect(worstRelative(out.value.data, c.out.data)).toBeLessThan(1e-12);
      out
        .mul(tensor(c.seed, { dtype: 'float64' }).reshape(c.out.shape))
        .sum()
        .backward();
      for (const [i, expected] of Object.entries(c.grads)) {
        const g = inputs[Number(i)].grad as Tensor;
        expect(worstRelative(g.value.data, expected)).toBeLessThan(1e-12);
        expect([...g.value.data].every(Number.isFinite)).toBe(true);
      }
    });
  }
});

describe('compileBackward: the compiled regression, KL and binary losses match PyTorch too', () => {
  const compiledLosses = [
    'halfSquaredError',
    'mse',
    'huber',
    'smoothL1',
    'klDivergence',
    'binaryCrossEntropy',
    'binaryCrossEntropyWithLogits',
  ];
  const compilable = reference.cases.filter((c) => compiledLosses.includes(c.loss) && c.out.data.length === 1);
  it('covers the mean and sum forms, weights and per-class positive weights', () => {
    expect(compilable.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'halfSquaredError mean',
        'halfSquaredError sum',
        'mse mean',
        'mse sum',
        'huber delta 1.5',
        'smoothL1 beta 0.5 sum',
        'klDivergence batchmean',
        'klDivergence mean',
        'klDivergence logTarget sum',
        'bce on probabilities incl. 0 and 1',
        'bce on probabilities, weight, sum',
        'bce with logits at ±1000 and 0',
        'bce with logits, posWeight 2.5, sum',
        'bce with logits, posWeight per class, mean',
        'bce with logits, weight [N, 1], posWeight per class, mean',
      ]),
    );
  });
  for (const c of compilable) {
    it(c.name, () => {
      const fn = (losses as unknown as Record<string, LossFn>)[c.loss];
      const inputs = c.inputs.map((s, i) => load(s as Stored, String(i) in c.grads));
      const options = optionsOf(c.options);
      const step = compileBackward((a: Tensor, b: Tensor) => fn(a, b, options));
      expect(worstRelative(step(inputs[0], inputs[1]).value.data, c.out.data)).toBeLessThan(1e-12);
      // The fixtures' gradients are seeded with c.seed; the compiled backward seeds 1.
      for (const [i, expected] of Object.entries(c.grads)) {
        const g = inputs[Number(i)].grad as Tensor;
        expect(
          worstRelative(
            g.value.data,
            (expected as number[]).map((v) => v / (c.seed as unknown as number[])[0]),
          ),
        ).toBeLessThan(1e-12);
      }
    });
  }
});

describe('compileBackward: crossEntropy on probability targets (logSoftmax, compiled) matches PyTorch', () => {
  const soft = reference.cases.filter((c) => c.loss === 'crossEntropy' && !c.inputs[1].int);
  it('covers plain targets and weights with smoothing', () => {
    expect(soft.map((c) => c.name)).toEqual(['crossEntropy soft targets', 'crossEntropy soft targets, weights, smoothing, sum']);
  });
  for (const c of soft) {
    it(c.name, () => {
      const [logits, targets] = c.inputs.map((s, i) => load(s as Stored, String(i) in c.grads));
      const step = compileBackward((z: Tensor, t: Tensor) => (losses.crossEntropy as LossFn)(z, t, c.options));
      expect(worstRelative(step(logits, targets).value.data, c.out.data)).toBeLessThan(1e-12);
      const seed = (c.seed as unknown as number[])[0];
      expect(
        worstRelative(
          (logits.grad as Tensor).value.data,
          (c.grads['0'] as number[]).map((v) => v / seed),
        ),
      ).toBeLessThan(1e-12);
    });
  }
});

describe('compileBackward: crossEntropy and nllLoss on labels (the fused op) match PyTorch', () => {
  // Every label case takes the fused op, which has a compiled form; each is compiled as
  // Σ seed · loss so 'none' is covered too.
  const fused = reference.cases.filter((c) => (c.loss === 'crossEntropy' || c.loss === 'nllLoss') && c.inputs[1].int);
  it('covers every reduction, ignoreIndex, class weights, smoothing, [C] and [N, C, L], and nllLoss', () => {
    expect(fused.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'crossEntropy labels, ±1000 logits',
        'crossEntropy labels, none',
        'crossEntropy labels, sum',
        'crossEntropy ignoreIndex 3',
        'crossEntropy ignoreIndex 3, none',
        'crossEntropy [C] single sample',
        'crossEntropy class weights',
        'crossEntropy label smoothing 0.1',
        'crossEntropy smoothing + weights + ignoreIndex',
        'crossEntropy [N, C, L]',
        'nllLoss weights',
        'nllLoss none',
        'nllLoss ignoreIndex 3, sum',
        'nllLoss [N, C, L]',
      ]),
    );
  });
  for (const c of fused) {
    it(c.name, () => {
      const [logits, labels] = c.inputs.map((s, i) => load(s as Stored, String(i) in c.grads));
      const loss = (losses as unknown as Record<string, LossFn>)[c.loss];
      // One recorded op in the eager path as well.
      expect(loss(logits, labels, c.options).node?.op).toBe(c.loss);
      const seed = tensor(c.seed, { dtype: 'float64' }).reshape(c.out.shape);
      const step = compileBackward((z: Tensor, y: Tensor) => loss(z, y, c.options).mul(seed).sum());
      const expected = c.out.data.reduce((total, v, i) => total + v * c.seed[i], 0);
      expect(worstRelative(step(logits, labels).value.data, [expected])).toBeLessThan(1e-12);
      expect(worstRelative((logits.grad as Tensor).value.data, c.grads['0'])).toBeLessThan(1e-12);
    });
  }
  it('reads new labels on every call and checks them there', () => {
    const z = tensor(
      [
        [0.5, -1, 2],
        [1, 0, -0.5],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const step = compileBackward((y: Tensor) => losses.crossEntropy(z, y));
    for (const labels of [
      [2, 0],
      [1, 1],
      [0, -100],
    ]) {
      const y = tensor(labels, { dtype: 'int32' });
      z.grad = null;
      const compiled = step(y).item();
      const compiledGrad = [...(z.grad as unknown as Tensor).value.data];
      z.grad = null;
      const eager = losses.crossEntropy(z, y);
      eager.backward();
      expect(compiled).toBeCloseTo(eager.item(), 14);
      expect(worstRelative(compiledGrad, [...(z.grad as unknown as Tensor).value.data])).toBeLessThan(1e-14);
    }
    expect(() => step(tensor([0, 3], { dtype: 'int32' }))).toThrow(
      'crossEntropy: label 3 at position 1 of the target is out of range: expected an integer class from 0 to 2',
    );
  });
  it('reads a weight tensor when called, so changing it in place changes the compiled loss', () => {
    const z = tensor([[0.5, -1, 2]], { dtype: 'float64', requiresGrad: true });
    const y = tensor([1], { dtype: 'int32' });
    const weight = tensor([1, 1, 1], { dtype: 'float64' });
    const step = compileBackward(() => losses.crossEntropy(z, y, { weight, labelSmoothing: 0.3 }));
    const before = step().item();
    weight.data[1] = 4;
    const after = step().item();
    expect(after).not.toBeCloseTo(before, 6);
    expect(after).toBeCloseTo(losses.crossEntropy(z, y, { weight, labelSmoothing: 0.3 }).item(), 14);
  });
  it('[N, C, d1, d2] logits with weights, smoothing and an ignored label: compiled = eager, gradient = finite differences', () => {
    const z = randn([2, 3, 2, 2], { dtype: 'float64', seed: 11, requiresGrad: true });
    const y = tensor(
      [
        [
          [0, 2],
          [1, -100],
        ],
        [
          [2, 2],
          [0, 1],
        ],
      ],
      { dtype: 'int32' },
    );
    const options = { weight: [0.7, 1.5, 0.2], labelSmoothing: 0.15 };
    expect(gradcheck((t) => losses.crossEntropy(t, y, options), [z]).passed).toBe(true);
    // Without smoothing it is nllLoss of logSoftmax (the composed definition).
    expect(losses.crossEntropy(z, y, { weight: options.weight }).item()).toBeCloseTo(
      losses.nllLoss(z.logSoftmax(1), y, { weight: options.weight }).item(),
      14,
    );
    const eager = losses.crossEntropy(z, y, options);
    eager.backward();
    const eagerGrad = [...(z.grad as Tensor).value.data];
    z.grad = null;
    const compiled = compileBackward(() => losses.crossEntropy(z, y, options))().item();
    expect(compiled).toBeCloseTo(eager.item(), 14);
    expect(worstRelative((z.grad as unknown as Tensor).value.data, eagerGrad)).toBeLessThan(1e-14);
  });
  it('a mean over labels that are all ignored is NaN, as in PyTorch', () => {
    const z = tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
    const y = tensor([-100], { dtype: 'int32' });
    expect(losses.crossEntropy(z, y).item()).toBeNaN();
    expect(compileBackward(() => losses.crossEntropy(z, y))().item()).toBeNaN();
  });
});

describe('every loss passes gradcheck with respect to its input', () => {
  const x = tensor(
    [
      [0.3, -1.2, 2.1],
      [-0.4, 0.8, -2.5],
    ],
    { dtype: 'float64' },
  );
  const y = tensor(
    [
      [0.1, -0.2, 0.3],
      [1.4, 0.2, -1.1],
    ],
    { dtype: 'float64' },
  );
  const p = tensor(
    [
      [0.2, 0.7, 0.4],
      [0.9, 0.3, 0.55],
    ],
    { dtype: 'float64' },
  );
  const b = tensor(
    [
      [0, 1, 1],
      [0, 0.5, 1],
    ],
    { dtype: 'float64' },
  );
  const labels = tensor([2, 0], { dtype: 'int32' });
  const signs = tensor(
    [
      [1, -1, 1],
      [-1, 1, -1],
    ],
    { dtype: 'float64' },
  );
  const cases: [string, (t: Tensor) => Tensor, Tensor][] = [
    ['mse', (t) => losses.mse(t, y), x],
    ['halfSquaredError', (t) => losses.halfSquaredError(t, y), x],
    ['mae', (t) => losses.mae(t, y), x],
    ['huber', (t) => losses.huber(t, y, { delta: 0.7 }), x],
    ['smoothL1', (t) => losses.smoothL1(t, y, { beta: 0.6 }), x],
    ['binaryCrossEntropy', (t) => losses.binaryCrossEntropy(t, b), p],
    ['binaryCrossEntropyWithLogits', (t) => losses.binaryCrossEntropyWithLogits(t, b, { posWeight: 2 }), x],
    ['crossEntropy (labels, weights, smoothing)', (t) => losses.crossEntropy(t, labels, { weight: [1, 2, 0.5], labelSmoothing: 0.1 }), x],
    ['crossEntropy (labels: the fused op)', (t) => losses.crossEntropy(t, labels), x],
    ['crossEntropy (labels, ignoreIndex, sum)', (t) => losses.crossEntropy(t, labels, { ignoreIndex: 0, reduction: 'sum' }), x],
    ['crossEntropy (soft)', (t) => losses.crossEntropy(t, p.softmax(1)), x],
    ['nllLoss', (t) => losses.nllLoss(t.logSoftmax(1), labels), x],
    ['klDivergence', (t) => losses.klDivergence(t.logSoftmax(1), p.softmax(1), { reduction: 'batchmean' }), x],
    ['hinge', (t) => losses.hinge(t, signs, { reduction: 'sum' }), x],
  ];
  for (const [name, fn, input] of cases) {
    it(name, () => {
      expect(gradcheck(fn, [input]).passed).toBe(true);
    });
  }
  it('halfSquaredError and mse, with respect to the target too (both reductions)', () => {
    for (const reduction of ['mean', 'sum'] as const) {
      for (const loss of [losses.halfSquaredError, losses.mse]) {
        expect(gradcheck((a, b) => loss(a, b, { reduction }), [x, y]).passed).toBe(true);
        expect(gradgradcheck((a, b) => loss(a, b, { reduction }), [x, y]).passed).toBe(true);
      }
    }
  });
  it('nllLoss on labels (the fused op) has the recorded gradient of the plain one, and passes gradcheck', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      for (const more of [{}, { ignoreIndex: 1, weight: [1, 2, 0.5] }]) {
        const fn = (t: Tensor) =>
          losses
            .nllLoss(t, labels, { reduction, ...more })
            .mul(2)
            .sum();
        const z = x.detach().setRequiresGrad();
        expect(losses.nllLoss(z, labels, { reduction, ...more }).node?.op).toBe('nllLoss');
        const [recorded] = gradients(fn(z), [z], { createGraph: true });
        const [plain] = gradients(fn(z), [z]);
        expect(worstRelative(recorded.value.data, [...plain.value.data])).toBeLessThan(1e-15);
        expect(gradcheck(fn, [x]).passed).toBe(true);
      }
    }
  });
  it('crossEntropy on labels (the fused op) passes gradgradcheck, and its recorded gradient equals the plain one', () => {
    const options = [
      { ignoreIndex: 1 },
      { ignoreIndex: 1, weight: [1, 2, 0.5], labelSmoothing: 0.2 },
      { weight: [0.5, 0, 3], labelSmoothing: 1 },
    ];
    for (const [reduction, more] of (['mean', 'sum', 'none'] as const).flatMap((r) => options.map((o) => [r, o] as const))) {
      const fn = (t: Tensor) =>
        losses
          .crossEntropy(t, labels, { reduction, ...more })
          .mul(2)
          .sum();
      expect(gradgradcheck(fn, [x]).passed).toBe(true);
      const z = x.detach().setRequiresGrad();
      const [recorded] = gradients(fn(z), [z], { createGraph: true });
      const [plain] = gradients(fn(z), [z]);
      expect(worstRelative(recorded.value.data, [...plain.value.data])).toBeLessThan(1e-15);
      expect(gradcheck(fn, [x]).passed).toBe(true);
    }
  });
});

describe('the binary cross-entropies (one fused op each)', () => {
  const z = tensor(
    [
      [0.3, -1.2, 2.1],
      [-0.4, 0.8, -2.5],
    ],
    { dtype: 'float64' },
  );
  const p = z.sigmoid().detach();
  // (Strictly inside [0, 1]: gradcheck moves the targets too.)
  const b = tensor(
    [
      [0.1, 0.9, 0.3],
      [0.95, 0.05, 0.8],
    ],
    { dtype: 'float64' },
  );
  const perClass = tensor([0.5, 2, 3], { dtype: 'float64' });
  const variants: [string, (a: Tensor, t: Tensor, reduction: 'mean' | 'sum' | 'none') => Tensor, Tensor][] = [
    ['binaryCrossEntropy', (a, t, reduction) => losses.binaryCrossEntropy(a, t, { reduction }), p],
    ['binaryCrossEntropyWithLogits', (a, t, reduction) => losses.binaryCrossEntropyWithLogits(a, t, { reduction }), z],
    [
      'binaryCrossEntropyWithLogits, per-class posWeight',
      (a, t, reduction) => losses.binaryCrossEntropyWithLogits(a, t, { reduction, posWeight: perClass }),
      z,
    ],
    ['huber', (a, t, reduction) => losses.huber(a, t, { reduction, delta: 0.7 }), z],
    ['smoothL1', (a, t, reduction) => losses.smoothL1(a, t, { reduction, beta: 0.6 }), z],
    ['klDivergence', (a, t, reduction) => losses.klDivergence(a, t, { reduction }), z.logSoftmax(1).detach()],
    [
      'klDivergence, logTarget',
      (a, t, reduction) => losses.klDivergence(a, t.log(), { reduction, logTarget: true }),
      z.logSoftmax(1).detach(),
    ],
  ];
  for (const [name, fn, input] of variants) {
    it(`${name}: gradgradcheck in input and target for every reduction; the recorded gradient equals the plain one`, () => {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const loss = (a: Tensor, t: Tensor) => fn(a, t, reduction).mul(2).sum();
        expect(gradcheck(loss, [input, b]).passed).toBe(true);
        expect(gradgradcheck(loss, [input, b]).passed).toBe(true);
        const [a, t] = [input.detach().setRequiresGrad(), b.detach().setRequiresGrad()];
        const recorded = gradients(loss(a, t), [a, t], { createGraph: true });
        const plain = gradients(loss(a, t), [a, t]);
        for (let k = 0; k < 2; k++) expect(worstRelative(recorded[k].value.data, [...plain[k].value.data])).toBeLessThan(1e-14);
      }
    });
  }
  it('float32: compiled mse, halfSquaredError, huber and smoothL1 give the eager ops’ loss and gradient, bit for bit', () => {
    const prediction = randn([16, 3], { seed: 5 }).setRequiresGrad();
    const target = randn([16, 3], { seed: 6 });
    for (const [loss, reduction] of [
      [losses.mse, 'mean'],
      [losses.mse, 'sum'],
      [losses.halfSquaredError, 'mean'],
      [losses.halfSquaredError, 'sum'],
      [(a: Tensor, b: Tensor, o: ReductionOptions) => losses.huber(a, b, { ...o, delta: 0.8 }), 'mean'],
      [(a: Tensor, b: Tensor, o: ReductionOptions) => losses.smoothL1(a, b, { ...o, beta: 0.3 }), 'sum'],
    ] as const) {
      const fn = () => loss(prediction, target, { reduction });
      prediction.grad = null;
      const eager = fn();
      eager.backward();
      const eagerGrad = [...(prediction.grad as unknown as Tensor).value.data];
      prediction.grad = null;
      expect(compileBackward(fn)().item()).toBe(eager.item());
      expect([...(prediction.grad as unknown as Tensor).value.data]).toEqual(eagerGrad);
    }
  });
  it('float32: the compiled binary cross-entropy gives the eager op’s loss and gradient, bit for bit', () => {
    const logits = randn([16, 3], { seed: 4 }).setRequiresGrad();
    const targets = fromArray(
      new NDArray(
        Float32Array.from({ length: 48 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0)),
        [16, 3],
      ),
    );
    const options = [{}, { reduction: 'sum' as const }, { posWeight: 2.5 }, { posWeight: tensor([0.5, 2, 3]) }];
    for (const option of options) {
      const fn = () => losses.binaryCrossEntropyWithLogits(logits, targets, option);
      logits.grad = null;
      const eager = fn();
      eager.backward();
      const eagerGrad = [...(logits.grad as unknown as Tensor).value.data];
      logits.grad = null;
      const compiled = compileBackward(fn)();
      expect(compiled.item()).toBe(eager.item());
      expect([...(logits.grad as unknown as Tensor).value.data]).toEqual(eagerGrad);
    }
  });
  it('a per-class posWeight broadcasts as in PyTorch (the [C]-weighted loss is the per-element formula)', () => {
    const loss = losses.binaryCrossEntropyWithLogits(z, b, { posWeight: perClass, reduction: 'none' });
    const [zs, ys, ws] = [z.value.data, b.value.data, perClass.value.data];
    const expected = [...zs].map((v, i) => {
      const w = ws[i % 3];
      return (1 - ys[i]) * v + (1 + (w - 1) * ys[i]) * Math.log(1 + Math.exp(-v));
    });
    expect(worstRelative(loss.value.data, expected)).toBeLessThan(1e-14);
  });
  it('a posWeight that does not broadcast, or is not a finite number, is an error naming it', () => {
    expect(() => losses.binaryCrossEntropyWithLogits(z, b, { posWeight: tensor([1, 2]) })).toThrow(
      "binaryCrossEntropyWithLogits: posWeight of shape [2] does not broadcast to the input's shape [2, 3]",
    );
    expect(() => losses.binaryCrossEntropyWithLogits(z, b, { posWeight: Number.NaN })).toThrow(
      "binaryCrossEntropyWithLogits: 'posWeight' must be a finite number or a Tensor, got NaN",
    );
  });
});

describe('numerical stability', () => {
  it('cross-entropy of ±1000 logits is finite with gradient softmax − onehot', () => {
    const z = tensor([[1000, -1000, 0]], { dtype: 'float64', requiresGrad: true });
    const loss = losses.crossEntropy(z, tensor([1], { dtype: 'int32' }));
    expect(loss.item()).toBe(2000);
    loss.backward();
    expect([...(z.grad as Tensor).value.data]).toEqual([1, -1, 0]);
  });
  it('bce with logits at ±1000 and 0 has gradient σ(z) − y exactly', () => {
    const z = tensor([1000, -1000, 0], { dtype: 'float64', requiresGrad: true });
    const loss = losses.binaryCrossEntropyWithLogits(z, tensor([0, 0, 1], { dtype: 'float64' }), { reduction: 'sum' });
    expect(loss.item()).toBeCloseTo(1000 + Math.log(2), 12);
    loss.backward();
    expect([...(z.grad as Tensor).value.data]).toEqual([1, 0, -0.5]);
  });
  it('float32 logits of ±1000 stay finite too', () => {
    const z = tensor(
      [
        [1000, -1000],
        [-1000, 1000],
      ],
      { requiresGrad: true },
    );
    const loss = losses.crossEntropy(z, tensor([0, 0], { dtype: 'int32' }));
    loss.backward();
    expect(Number.isFinite(loss.item())).toBe(true);
    expect([...(z.grad as Tensor).value.data].every(Number.isFinite)).toBe(true);
  });
});

describe('bad targets get clear errors', () => {
  const z = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  it('labels out of range or not integers', () => {
    expect(() => losses.crossEntropy(z, tensor([0, 3], { dtype: 'int32' }))).toThrow(
      'crossEntropy: label 3 at position 1 of the target is out of range: expected an integer class from 0 to 2',
    );
    expect(() => losses.crossEntropy(z, tensor([0, 1.5]))).toThrow(/label 1.5 at position 1/);
    expect(() => losses.nllLoss(z, tensor([-1, 0], { dtype: 'int32' }))).toThrow(/label -1 at position 0/);
  });
  it('targets of the wrong shape', () => {
    expect(() => losses.mse(tensor([[1], [2]]), tensor([1, 2]))).toThrow('mse: input [2, 1] and target [2] must have the same shape');
    expect(() => losses.crossEntropy(z, tensor([0, 1, 2], { dtype: 'int32' }))).toThrow(
      /class labels must have shape \[2\] for input \[2, 3\]/,
    );
  });
  it('out-of-domain values and options', () => {
    expect(() => losses.binaryCrossEntropy(tensor([0.5, 1.2]), tensor([0, 1]))).toThrow(
      /probabilities in \[0, 1\], got 1.2000000476837158 at flat index 1/,
    );
    expect(() => losses.hinge(tensor([0.5]), tensor([0]))).toThrow(/labels must be −1 or 1/);
    expect(() => losses.mse(z, z, { reduction: 'avg' as never })).toThrow(`mse: 'reduction' must be 'mean', 'sum', 'none', got "avg"`);
    expect(() => losses.crossEntropy(z, tensor([0, 1], { dtype: 'int32' }), { weight: [1, 2] })).toThrow(
      /'weight' must hold 3 non-negative/,
    );
  });
});
