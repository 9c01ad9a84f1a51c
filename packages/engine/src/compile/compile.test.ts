import { describe, expect, it } from 'vitest';
import {
  AnomalyError,
  abs,
  add,
  assertNotTracing,
  avgPool2d,
  broadcastTo,
  type CompiledOp,
  CompileError,
  clamp,
  compileBackward,
  concat,
  conv2d,
  cos,
  customOp,
  detectAnomaly,
  div,
  exp,
  expm1,
  fold2d,
  guardTrace,
  isTracing,
  linear,
  log,
  log1p,
  logSoftmax,
  manualSeed,
  matmul,
  max,
  maximum,
  maxPool2d,
  mean,
  minimum,
  mul,
  neg,
  noGrad,
  normal,
  permute,
  pow,
  rand,
  randint,
  randn,
  reciprocal,
  relu,
  reshape,
  sigmoid,
  sin,
  slice,
  softmax,
  sqrt,
  square,
  stack,
  sub,
  sum,
  sumTo,
  type Tensor,
  tanh,
  tensor,
  unfold2d,
  uniform,
} from '../index.js';

/** Fresh float64 leaves requiring a gradient, one per shape (seeded). */
function leaves(shapes: readonly (readonly number[])[], seed = 1): Tensor[] {
  return shapes.map((shape, i) => randn(shape, { dtype: 'float64', seed: seed + i, requiresGrad: true }));
}

/** The loss and every input's gradient from the eager `backward()`. */
function eager(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): { loss: number; grads: number[][] } {
  for (const t of inputs) t.grad = null;
  const loss = fn(...inputs);
  loss.backward();
  return { loss: loss.item(), grads: inputs.map((t) => [...(t.grad?.value.data ?? [])]) };
}

/** The same from a compiled function. */
function compiled(step: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): { loss: number; grads: number[][] } {
  for (const t of inputs) t.grad = null;
  const loss = step(...inputs);
  return { loss: loss.item(), grads: inputs.map((t) => [...(t.grad?.value.data ?? [])]) };
}

/** Central differences of the compiled loss with respect to every element of every input. */
function numericGradients(step: (...xs: Tensor[]) => Tensor, inputs: Tensor[], eps = 1e-6): number[][] {
  return inputs.map((t) => {
    const data = t.value.data;
    return Array.from(data, (_, i) => {
      const keep = data[i];
      data[i] = keep + eps;
      const up = step(...inputs).item();
      data[i] = keep - eps;
      const down = step(...inputs).item();
      data[i] = keep;
      return (up - down) / (2 * eps);
    });
  });
}

function expectClose(actual: number[][], expected: number[][], rtol: number, atol: number): void {
  expect(actual.map((g) => g.length)).toEqual(expected.map((g) => g.length));
  actual.forEach((g, k) =>
    g.forEach((v, i) => {
      const e = expected[k][i];
      if (Math.abs(v - e) > atol + rtol * Math.abs(e)) {
        throw new Error(`input #${k} element ${i}: got ${v}, expected ${e}`);
      }
    }),
  );
}

const positive = (x: Tensor) => abs(x).add(0.5);

// Each case: a scalar loss of float64 inputs of the given shapes, covering every compiled op.
const cases: [string, readonly (readonly number[])[], (...xs: Tensor[]) => Tensor][] = [
  [
    'a 2-3-1 network (linear, sigmoid, tanh, mean)',
    [[5, 2], [2, 3], [3], [3, 1], [1]],
    (x, w1, b1, w2, b2) => mean(tanh(linear(sigmoid(linear(x, w1, b1)), w2, b2))),
  ],
  [
    'linear without bias, 3-D input',
    [
      [2, 3, 4],
      [4, 2],
    ],
    (x, w) => sum(square(linear(x, w))),
  ],
  ['broadcast add and mul', [[3, 4], [4], [3, 1]], (a, b, c) => sum(mul(a.add(b), c))],
  [
    'broadcast sub and div',
    [
      [2, 3, 4],
      [3, 1],
      [1, 4],
    ],
    (a, b, c) => sum(div(sub(a, b), positive(c))),
  ],
  ['number operands', [[3, 2]], (a) => sum(sub(mul(a, 3), 1).div(2))],
  ['sum over axes, kept or dropped', [[2, 3, 4]], (a) => sum(square(sum(a, [0, 2]))).add(sum(mul(sum(a, 1, { keepDims: true }), a)))],
  [
    'matmul',
    [
      [3, 4],
      [4, 2],
    ],
    (a, b) => sum(sigmoid(matmul(a, b))),
  ],
  [
    'matmul with transposeA',
    [
      [4, 3],
      [4, 2],
    ],
    (a, b) => sum(tanh(matmul(a, b, { transposeA: true }))),
  ],
  [
    'matmul with transposeB',
    [
      [3, 4],
      [2, 4],
    ],
    (a, b) => sum(square(matmul(a, b, { transposeB: true }))),
  ],
  [
    'matmul with both flags',
    [
      [4, 3],
      [2, 4],
    ],
    (a, b) => sum(square(matmul(a, b, { transposeA: true, transposeB: true }))),
  ],
  ['vector matmul (reshapes)', [[4], [4, 3]], (v, m) => sum(square(matmul(v, m)))],
  [
    'reshape',
    [
      [2, 6],
      [3, 4],
    ],
    (a, b) => sum(mul(reshape(a, [3, 4]), b)),
  ],
  [
    'exp, log, log1p, expm1',
    [[2, 3]],
    (a) =>
      sum(
        exp(a)
          .add(log(positive(a)))
          .add(log1p(positive(a)))
          .add(expm1(a)),
      ),
  ],
  [
    'sqrt, square, reciprocal, neg',
    [[2, 3]],
    (a) =>
      sum(
        sqrt(positive(a))
          .add(square(a))
          .add(reciprocal(positive(a)))
          .add(neg(a)),
      ),
  ],
  ['sin, cos, relu, abs', [[3, 3]], (a) => sum(sin(a).add(cos(a)).add(relu(a)).add(abs(a).mul(a)))],
  ['pow with a number exponent', [[2, 2]], (a) => sum(pow(positive(a), 3).add(pow(positive(a), -0.5)))],
  // Larger shapes: more rows than columns, broadcasting over many rows, longer reductions.
  [
    'larger: linear, broadcasting and unary loops',
    [[12, 10], [10, 9], [9], [12, 1]],
    (x, w, b, c) =>
      mean(
        sigmoid(linear(x, w, b))
          .mul(c)
          .add(tanh(linear(x, w)))
          .sub(c),
      ),
  ],
  [
    'larger: matmul with both flags',
    [
      [10, 12],
      [9, 10],
    ],
    (a, b) => sum(square(matmul(a, b, { transposeA: true, transposeB: true }))),
  ],
  [
    'softmax and logSoftmax along the last, the first and a middle axis',
    [
      [2, 3, 4],
      [2, 3, 4],
    ],
    (a, w) =>
      sum(
        mul(softmax(a), w)
          .add(mul(logSoftmax(a, 0), w))
          .add(mul(softmax(a, 1), square(w)))
          .add(mul(logSoftmax(a, -2), a)),
      ),
  ],
  ['softmax of a vector, cross-entropy style', [[5], [5]], (a, w) => neg(sum(mul(logSoftmax(a), softmax(w))))],
  ['larger: sums over axes', [[5, 6, 4]], (a) => sum(square(sum(a, [0, 2]))).add(sum(mul(sum(a, 1, { keepDims: true }), a)))],
  [
    'maximum and minimum (broadcasting, a number operand), clamp',
    [[3, 4], [4]],
    (a, b) =>
      sum(
        square(maximum(a, b))
          .add(mul(minimum(a, 0.25), a))
          .add(square(clamp(a, -0.5, 0.75)))
          .add(clamp(b, undefined, 0.1)),
      ),
  ],
  [
    'batched matmul, the left operand broadcast over the batch',
    [
      [3, 4],
      [2, 4, 5],
    ],
    (a, b) => sum(square(matmul(a, b))),
  ],
  [
    'batched matmul with both flags and broadcast batch axes',
    [
      [2, 1, 4, 3],
      [3, 5, 4],
    ],
    (a, b) => sum(tanh(matmul(a, b, { transposeA: true, transposeB: true }))),
  ],
  [
    'conv2d with stride, padding, dilation, groups and bias',
    [[2, 4, 6, 5], [6, 2, 3, 3], [6]],
    (x, w, b) => sum(square(conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 }))),
  ],
  [
    'a small CNN: conv2d, relu, max pooling (padding, then dilation), average pooling, flatten, linear',
    [[2, 2, 7, 7], [3, 2, 3, 3], [3], [12, 2]],
    (x, w, b, w2) => {
      const h = relu(conv2d(x, w, b, { padding: 1 }));
      const m = maxPool2d(maxPool2d(h, { kernelSize: 3, stride: 1, padding: 1 }), { kernelSize: 2, stride: 2, dilation: 2 });
      const a = avgPool2d(m, { kernelSize: 2, stride: 1 });
      return mean(square(linear(reshape(a, [2, 12]), w2)));
    },
  ],
  [
    'slices (steps, negative bounds, a picked index), permute, broadcastTo and sumTo',
    [
      [4, 5, 3],
      [4, 1],
    ],
    (a, b) =>
      sum(square(slice(a, [{ start: 1, step: 2 }, -2, { start: -1, stop: 0, step: -1 }])))
        .add(sum(mul(permute(a, [2, 0, 1]), broadcastTo(b, [3, 4, 5]).reshape([3, 4, 5]))))
        .add(sum(square(sumTo(a, [5, 1])))),
  ],
  [
    'concat along a middle axis and stack (mixed requiresGrad)',
    [
      [2, 3, 2],
      [2, 1, 2],
    ],
    (a, b) =>
      sum(square(concat([a, b, tensor(new Array(4).fill(0.5), { dtype: 'float64' }).reshape([2, 1, 2])], 1))).add(
        sum(mul(stack([b, b.mul(2)], 0), stack([b, b], 0))),
      ),
  ],
  [
    'unfold2d (a pad value) and fold2d',
    [
      [1, 2, 5, 4],
      [1, 18, 6],
    ],
    (x, c) =>
      sum(square(unfold2d(x, { kernelSize: 3, stride: [2, 1], padValue: 0.5 }))).add(
        sum(mul(fold2d(c, [1, 2, 5, 4], { kernelSize: 3, padding: 1, stride: 2 }), x)),
      ),
  ],
];

describe('compileBackward', () => {
  for (const [name, shapes, fn] of cases) {
    it(`${name}: the loss and gradients equal the eager backward and finite differences`, () => {
      const inputs = leaves(shapes);
      const step = compileBackward(fn);
      const want = eager(fn, inputs);
      const got = compiled(step, inputs);
      expect(got.loss).toBeCloseTo(want.loss, 10);
      expectClose(got.grads, want.grads, 1e-10, 1e-12);
      expectClose(got.grads, numericGradients(step, inputs), 1e-5, 1e-7);
    });
  }

  it('softmax with masked (−∞) logits: zero probability and zero gradient there, as the eager op', () => {
    const [x, w] = leaves([
      [2, 4],
      [2, 4],
    ]);
    const mask = tensor(
      [
        [0, Number.NEGATIVE_INFINITY, 0, 0],
        [Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY, 0],
      ],
      { dtype: 'float64' },
    );
    const fn = (a: Tensor, b: Tensor) => sum(mul(softmax(a.add(mask)), b));
    const want = eager(fn, [x, w]);
    const got = compiled(compileBackward(fn), [x, w]);
    expect(got.loss).toBeCloseTo(want.loss, 12);
    expectClose(got.grads, want.grads, 1e-12, 1e-14);
    expect([got.grads[0][1], got.grads[0][4], got.grads[0][6]].map((v) => v + 0)).toEqual([0, 0, 0]);
    expect([got.grads[1][1], got.grads[1][4], got.grads[1][6]].map((v) => v + 0)).toEqual([0, 0, 0]);
  });

  it('maximum and minimum split the gradient evenly on ties, as the eager ops', () => {
    const [a, b] = [tensor([1, 2, 3], { dtype: 'float64' }).setRequiresGrad(), tensor([1, 5, 3], { dtype: 'float64' }).setRequiresGrad()];
    const fn = (x: Tensor, y: Tensor) => sum(mul(maximum(x, y), tensor([1, 2, 4], { dtype: 'float64' })).add(minimum(x, y)));
    const want = eager(fn, [a, b]);
    const got = compiled(compileBackward(fn), [a, b]);
    expect(got.grads).toEqual(want.grads);
    expect(got.grads[0]).toEqual([1, 1, 2.5]);
  });

  it('float32: trains a network like the eager loop, to float32 rounding', () => {
    const run = (useCompiled: boolean) => {
      const [w1, b1, w2, b2] = [randn([2, 4], { seed: 1 }), randn([4], { seed: 2 }), randn([4, 1], { seed: 3 }), randn([1], { seed: 4 })];
      for (const p of [w1, b1, w2, b2]) p.requiresGrad = true;
      const x = tensor([
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]);
      const y = tensor([[0], [1], [1], [0]]);
      const loss = () => mean(square(sub(sigmoid(linear(sigmoid(linear(x, w1, b1)), w2, b2)), y)));
      const step = compileBackward(loss);
      for (let epoch = 0; epoch < 50; epoch++) {
        for (const p of [w1, b1, w2, b2]) p.grad = null;
        if (useCompiled) step();
        else loss().backward();
        for (const p of [w1, b1, w2, b2]) {
          const [d, g] = [p.value.data, p.grad?.value.data ?? []];
          for (let i = 0; i < d.length; i++) d[i] -= 0.5 * g[i];
        }
      }
      return [...w1.value.data, ...b1.value.data, ...w2.value.data, ...b2.value.data];
    };
    const [a, b] = [run(true), run(false)];
    const initial = [randn([2, 4], { seed: 1 }), randn([4], { seed: 2 }), randn([4, 1], { seed: 3 }), randn([1], { seed: 4 })].flatMap(
      (t) => [...t.value.data],
    );
    expect(Math.max(...a.map((v, i) => Math.abs(v - initial[i])))).toBeGreaterThan(0.01);
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5));
  });

  it('reads arguments on every call and compiles again for a new shape', () => {
    const w = randn([3, 1], { dtype: 'float64', seed: 5, requiresGrad: true });
    const step = compileBackward((x: Tensor) => sum(square(matmul(x, w))));
    for (const rows of [2, 2, 5]) {
      const x = randn([rows, 3], { dtype: 'float64', seed: rows * 7 });
      w.grad = null;
      const loss = step(x);
      const expected = sum(square(matmul(x, w.detach())));
      expect(loss.item()).toBeCloseTo(expected.item(), 12);
      // d/dw Σ (xw)² = 2 xᵀ(xw)
      const want = matmul(x, matmul(x, w.detach()), { transposeA: true }).mul(2);
      expectClose([[...(w.grad as unknown as Tensor).value.data]], [[...want.value.data]], 1e-12, 1e-12);
    }
    // The same argument tensor with requiresGrad switched on, then off: another signature each time.
    const x = randn([2, 3], { dtype: 'float64', seed: 9 });
    step(x);
    expect(x.grad).toBeNull();
    x.requiresGrad = true;
    step(x);
    // d/dx Σ (xw)² = 2 (xw) wᵀ
    const want = matmul(matmul(x.detach(), w.detach()), w.detach(), { transposeB: true }).mul(2);
    expectClose([[...(x.grad as unknown as Tensor).value.data]], [[...want.value.data]], 1e-12, 1e-12);
    x.requiresGrad = false;
    x.grad = null;
    step(x);
    expect(x.grad).toBeNull();
  });

  it('sees in-place updates of captured parameters, accumulates into .grad and runs leaf hooks', () => {
    const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const step = compileBackward(() => sum(square(w)));
    step();
    expect([...(w.grad as Tensor).value.data]).toEqual([2, 4]);
    step();
    expect([...(w.grad as Tensor).value.data]).toEqual([4, 8]);
    w.value.data[0] = 10;
    w.grad = null;
    expect(step().item()).toBe(104);
    expect([...(w.grad as unknown as Tensor).value.data]).toEqual([20, 4]);
    w.grad = null;
    const remove = w.registerHook((g) => g.mul(-1));
    step();
    expect([...(w.grad as unknown as Tensor).value.data]).toEqual([-20, -4]);
    remove();
  });

  it('traces again when a captured tensor stops requiring a gradient', () => {
    const [w, v] = [tensor([1, 2], { dtype: 'float64', requiresGrad: true }), tensor([3], { dtype: 'float64', requiresGrad: true })];
    const step = compileBackward(() => sum(mul(w, v)));
    step();
    expect([...(v.grad as Tensor).value.data]).toEqual([3]);
    v.grad = null;
    w.grad = null;
    w.requiresGrad = false;
    expect(step().item()).toBe(9);
    expect(w.grad).toBe(null);
    expect([...(v.grad as unknown as Tensor).value.data]).toEqual([3]);
  });

  it('a custom op with a compiled form compiles; its gradient matches finite differences', () => {
    const compiledSoftsign: CompiledOp = {
      forward: ({ out, inputs: [x] }) =>
        `for (let i = 0; i < ${out.size}; i++) ${out.value}[i] = ${x.value}[i] / (1 + Math.abs(${x.value}[i]));`,
      backward: ({ out, inputs: [x] }) =>
        x.grad === null
          ? ''
          : `for (let i = 0; i < ${out.size}; i++) { const d = 1 + Math.abs(${x.value}[i]); ${x.grad}[i] += ${out.grad}[i] / (d * d); }`,
    };
    const softsign = customOp({
      name: 'softsign',
      forward: ([x]) => x.div(x.abs().add(1)),
      backward: ([x], dy) => [dy.div(x.abs().add(1).square())],
      compiled: compiledSoftsign,
    });
    const fn = (x: Tensor) => sum(square(softsign(x)));
    const inputs = leaves([[3, 2]]);
    const step = compileBackward(fn);
    expectClose(compiled(step, inputs).grads, eager(fn, inputs).grads, 1e-12, 1e-12);
    expectClose(compiled(step, inputs).grads, numericGradients(step, inputs), 1e-5, 1e-7);
  });

  it('compiles embedding lookups (take), reading the indices on every call and checking them as the eager op', () => {
    const table = randn([5, 3], { dtype: 'float64', seed: 3, requiresGrad: true });
    const w = randn([4, 3], { dtype: 'float64', seed: 4, requiresGrad: true });
    const fn = (ids: Tensor) => sum(mul(tanh(table.take(ids)), w)).add(sum(square(table.take(ids.reshape([2, 2]), 0))));
    const step = compileBackward(fn);
    // Repeated and negative indices; then other ids through the same compiled function.
    for (const ids of [tensor([0, 3, 3, -1], { dtype: 'int32' }), tensor([4, 1, 0, 2], { dtype: 'int32' })]) {
      const want = eager(() => fn(ids), [table, w]);
      const got = compiled(() => step(ids), [table, w]);
      expect(got.loss).toBeCloseTo(want.loss, 12);
      expectClose(got.grads, want.grads, 1e-12, 1e-14);
    }
    // Along another axis, with a 2-D index.
    const other = (ids: Tensor) => sum(square(table.take(ids, 1)));
    const ids = tensor(
      [
        [2, 0],
        [1, 1],
      ],
      { dtype: 'int32' },
    );
    expectClose(compiled(() => compileBackward(other)(ids), [table]).grads, eager(() => other(ids), [table]).grads, 1e-12, 1e-14);
    // A bad index is the eager op's error, not a silent read past the table.
    const bad = tensor([0, 5, 1, 2], { dtype: 'int32' });
    expect(() => fn(bad)).toThrow('take: index 5 at position 1 is out of range for axis 0 of size 5');
    expect(() => step(bad)).toThrow('take: index 5 at position 1 is out of range for axis 0 of size 5');
  });

  it('names what cannot be compiled', () => {
    const x = randn([2, 3], { dtype: 'float64', requiresGrad: true });
    const message = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(CompileError.isInstance(error)).toBe(true);
        return (error as Error).message;
      }
      throw new Error('expected a CompileError');
    };
    expect(message(() => compileBackward(() => sum(x.logSumExp(1)))())).toMatch(/'logSumExp' \(inputs \[2, 3\]\) has no compiled form/);
    expect(message(() => compileBackward(() => max(x))())).toMatch(/'max'/);
    expect(message(() => compileBackward(() => square(x))())).toMatch(/loss must be a float scalar, got float64 of shape \[2, 3\]/);
    expect(message(() => compileBackward(() => sum(tensor([1, 2])))())).toMatch(/does not require a gradient/);
    const scalarLeaf = tensor([2], { dtype: 'float64', requiresGrad: true });
    expect(message(() => compileBackward(() => scalarLeaf)())).toMatch(/returned a leaf tensor/);
    expect(message(() => compileBackward((a: Tensor) => sum(a))(3 as unknown as Tensor))).toMatch(
      /argument #0 must be a Tensor, got number/,
    );
    expect(
      message(() =>
        compileBackward(() => {
          const h = square(x);
          h.registerHook((g) => g);
          return sum(h);
        })(),
      ),
    ).toMatch(/output of 'square' .* has a gradient hook/);
    expect(
      message(() =>
        compileBackward(() => {
          compileBackward(() => sum(x))();
          return sum(x);
        })(),
      ),
    ).toMatch(/cannot be called while another one is being traced/);
  });

  it('refuses to trace random draws, which it would freeze, before drawing', () => {
    const w = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const draws: [string, () => Tensor][] = [
      ['rand', () => rand([3], { dtype: 'float64' })],
      ['randn', () => randn([3], { dtype: 'float64' })],
      ['uniform', () => uniform([3], -1, 1, { dtype: 'float64' })],
      ['normal', () => normal([3], 0, 2, { dtype: 'float64' })],
      ['randint', () => randint(0, 5, [3]).astype('float64')],
    ];
    for (const [name, draw] of draws) {
      manualSeed(11);
      const expected = [...draw().value.data];
      manualSeed(11);
      let error: unknown;
      try {
        compileBackward(() => sum(mul(w, draw())))();
      } catch (e) {
        error = e;
      }
      expect(CompileError.isInstance(error), name).toBe(true);
      expect((error as Error).message).toContain(`compileBackward: ${name}() draws new random values on every call`);
      // The refused draw did not advance the global generator.
      expect([...draw().value.data], name).toEqual(expected);
    }
    // Outside tracing the check does nothing; inside it names the caller.
    expect(() => assertNotTracing('Noise', 'draws new noise')).not.toThrow();
    expect(() =>
      compileBackward(() => {
        assertNotTracing("Noise 'encoder.noise'", 'draws new noise on every call');
        return sum(w);
      })(),
    ).toThrow(/^compileBackward: Noise 'encoder.noise' draws new noise on every call; a compiled function would repeat/);
    expect(w.grad).toBeNull();
  });

  it('computes detached and noGrad values on every call and passes no gradient through them, as backward() does', () => {
    const [student, teacher] = leaves([[3], [3]]);
    const x = tensor([0.5, -1, 2], { dtype: 'float64' });
    // A teacher's output under noGrad, and the student's own output detached, as targets.
    const fn = (xb: Tensor) => {
      const s = mul(student, xb);
      const target = noGrad(() => tanh(mul(teacher, xb)));
      return add(sum(square(sub(s, target))), sum(mul(s, s.detach())));
    };
    const step = compileBackward(fn);
    for (const values of [
      [0.5, -1, 2],
      [3, 0.25, -2],
    ]) {
      x.value.data.set(values);
      const want = eager(() => fn(x), [student, teacher]);
      expect(want.grads[1]).toEqual([]);
      for (const t of [student, teacher]) t.grad = null;
      expect(step(x).item()).toBeCloseTo(want.loss, 12);
      expect(student.grad).not.toBeNull();
      student.grad?.value.data.forEach((g, i) => expect(g).toBeCloseTo(want.grads[0][i], 12));
      // No gradient reaches the teacher: its .grad stays null, as after backward().
      expect(teacher.grad).toBeNull();
    }
  });

  it('checks the conditions registered with guardTrace on every call and traces again when one fails', () => {
    const [w] = leaves([[3]]);
    const flags = { double: true };
    let traces = 0;
    const step = compileBackward(() => {
      traces++;
      const double = flags.double;
      if (isTracing()) guardTrace(() => flags.double === double);
      return sum(double ? mul(w, tensor(2, { dtype: 'float64' })) : square(w));
    });
    const run = () => compiled(step, [w]);
    const asEager = () => eager(() => sum(flags.double ? mul(w, tensor(2, { dtype: 'float64' })) : square(w)), [w]);
    expect(run()).toEqual(asEager());
    expect(run()).toEqual(asEager());
    expect(traces).toBe(1);
    flags.double = false;
    const squared = run();
    expect(squared.grads[0].map((g, i) => g / w.value.data[i])).toEqual([2, 2, 2]);
    expect(squared.loss).toBeCloseTo(asEager().loss, 12);
    expect(traces).toBe(2);
    flags.double = true;
    expect(run()).toEqual(asEager());
    expect(traces).toBe(3);
    // Outside a trace it does nothing (the guard is not even called); a guard that is not a function is refused.
    guardTrace(() => {
      throw new Error('not called');
    });
    expect(() =>
      compileBackward(() => {
        guardTrace(true as unknown as () => boolean);
        return sum(w);
      })(),
    ).toThrow('guardTrace: expected a function that returns whether the trace still holds, got boolean');
    // A function that breaks its own guard while being traced cannot be compiled.
    const flip = { on: true };
    expect(() =>
      compileBackward(() => {
        const on = flip.on;
        guardTrace(() => flip.on === on);
        flip.on = !on;
        return sum(w);
      })(),
    ).toThrow(/^compileBackward: a condition the function registered with guardTrace\(\) no longer holds right after the trace/);
  });

  it('reads each argument from its own position, whatever the call it was traced with passed', () => {
    const [w] = leaves([[2]]);
    const f = (a: Tensor, b: Tensor) => sum(mul(mul(w, a), square(b)));
    const step = compileBackward(f);
    const x = tensor([1, 1], { dtype: 'float64' });
    // Traced with one tensor twice, then called with two.
    expect(compiled(() => step(x, x), [w])).toEqual(eager(() => f(x, x), [w]));
    const [a, b] = [tensor([1, 2], { dtype: 'float64' }), tensor([3, -1], { dtype: 'float64' })];
    expect(compiled(() => step(a, b), [w])).toEqual(eager(() => f(a, b), [w]));
    expect(compiled(() => step(a, b), [w]).loss).toBeCloseTo(w.value.data[0] * 1 * 9 + w.value.data[1] * 2 * 1, 12);
    // Traced with a tensor the function also captures, then called with another.
    const g = (p: Tensor) => sum(mul(w, square(p)));
    const step2 = compileBackward(g);
    expect(compiled(() => step2(w), [w])).toEqual(eager(() => g(w), [w]));
    expect(compiled(() => step2(a), [w])).toEqual(eager(() => g(a), [w]));
  });

  it('carries the gradient of an argument made by recorded ops on through them, as backward() does', () => {
    const [w, v] = leaves([[2], [2]]);
    const f = (a: Tensor, b: Tensor) => sum(mul(mul(w, a), b));
    const step = compileBackward(f);
    const inputs = () => [mul(v, 2), exp(v)] as const;
    for (let call = 0; call < 2; call++) {
      const want = eager(() => f(...inputs()), [w, v]);
      const [a, b] = inputs();
      let hooked: number[] = [];
      b.registerHook((gb) => {
        hooked = [...gb.value.data];
        return gb;
      });
      const got = compiled(() => step(a, b), [w, v]);
      expect(got.loss).toBeCloseTo(want.loss, 12);
      got.grads.forEach((g, i) => g.forEach((value, j) => expect(value).toBeCloseTo(want.grads[i][j], 12)));
      // The arguments are not leaves: no .grad of their own, and their hooks see their gradient.
      expect([a.grad, b.grad]).toEqual([null, null]);
      expect(hooked).toEqual([...mul(w, a).value.data]);
    }
    // A tensor made once outside and used on every call: as with backward(), its graph is gone
    // after the first call; the message says what to do.
    const h = mul(v, 3);
    const head = compileBackward(() => sum(mul(w, h)));
    head();
    expect(() => head()).toThrow(
      /^compileBackward: an input of the function was made by recorded ops outside it, whose graph an earlier call .* pass that input detached \(x\.detach\(\)\)/,
    );
    expect(() => sum(mul(w, h)).backward()).toThrow(/a second time/);
    const frozen = h.detach();
    const head2 = compileBackward(() => sum(mul(w, frozen)));
    for (let i = 0; i < 2; i++) expect(head2().item()).toBeCloseTo(sum(mul(w, frozen)).item(), 12);
  });

  it('refuses to run inside noGrad, as backward() does, instead of filling .grad there', () => {
    const [w] = leaves([[2]]);
    const step = compileBackward(() => sum(square(w)));
    step();
    w.grad = null;
    for (const run of [() => noGrad(() => step()), () => detectAnomaly(() => noGrad(() => step()))]) {
      expect(run).toThrow(/^compileBackward: the compiled function was called inside noGrad\(\); it computes the loss and its gradients/);
      expect(w.grad).toBeNull();
    }
    // And the eager equivalent refuses too.
    expect(() => noGrad(() => sum(square(w)).backward())).toThrow('backward: this tensor does not require a gradient');
  });

  it('runs the eager path in anomaly mode, so NaN is reported with its op', () => {
    const x = tensor([-1, 1], { dtype: 'float64', requiresGrad: true });
    const step = compileBackward(() => sum(log(x)));
    expect(Number.isNaN(step().item())).toBe(true);
    expect(() => detectAnomaly(() => step())).toThrow(AnomalyError);
  });
});
