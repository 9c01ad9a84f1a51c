import { CompileError, compileBackward, manualSeed, mul, randint, randn, ShapeError, square, sum, type Tensor } from '@backprop/engine';
import { gradcheckModule } from '@backprop/gradcheck';
import { describe, expect, it } from 'vitest';
import { GELU, LeakyReLU, Sigmoid, Tanh } from './activations.js';
import { AvgPool2d, Conv2d, MaxPool2d } from './conv.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Flatten } from './flatten.js';
import { Module } from './module.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from './normalization.js';
import { Sequential } from './sequential.js';

const f64 = { dtype: 'float64' } as const;
const input = (shape: number[], seed: number): Tensor => randn(shape, { ...f64, seed });

describe('every layer is gradient-checked with respect to its inputs and parameters', () => {
  manualSeed(3);
  const cases: [string, () => { module: Parameters<typeof gradcheckModule>[0]; inputs: Tensor[] }][] = [
    ['Dense', () => ({ module: new Dense(3, 2, f64), inputs: [input([4, 3], 1)] })],
    ['Dense without bias on a 3-D input', () => ({ module: new Dense(3, 2, { ...f64, bias: false }), inputs: [input([2, 2, 3], 2)] })],
    [
      'Conv2d (stride, padding, dilation)',
      () => ({
        module: new Conv2d(2, 3, [3, 2], { ...f64, stride: [2, 1], padding: 1, dilation: [1, 2] }),
        inputs: [input([2, 2, 5, 6], 3)],
      }),
    ],
    ['Conv2d with groups', () => ({ module: new Conv2d(4, 2, 2, { ...f64, groups: 2 }), inputs: [input([1, 4, 3, 3], 4)] })],
    ['MaxPool2d', () => ({ module: new MaxPool2d(2, { stride: 1 }), inputs: [input([1, 2, 4, 4], 5)] })],
    ['AvgPool2d with padding', () => ({ module: new AvgPool2d(2, { padding: 1 }), inputs: [input([2, 1, 3, 4], 6)] })],
    ['Flatten', () => ({ module: new Flatten(), inputs: [input([2, 2, 3], 7)] })],
    ['BatchNorm1d (training)', () => ({ module: new BatchNorm1d(3, f64), inputs: [input([5, 3], 8)] })],
    ['BatchNorm1d on [N, C, L] (eval)', () => ({ module: new BatchNorm1d(2, f64).eval(), inputs: [input([3, 2, 4], 9)] })],
    ['BatchNorm2d (training)', () => ({ module: new BatchNorm2d(2, f64), inputs: [input([2, 2, 3, 3], 10)] })],
    ['LayerNorm over two axes', () => ({ module: new LayerNorm([2, 3], f64), inputs: [input([2, 2, 3], 11)] })],
    ['Dropout (eval: identity)', () => ({ module: new Dropout(0.3).eval(), inputs: [input([3, 4], 12)] })],
    ['Embedding (parameters only)', () => ({ module: new Embedding(5, 3, f64), inputs: [randint(0, 5, [2, 3], { seed: 13 })] })],
    [
      'a small CNN end to end',
      () => ({
        module: new Sequential(
          new Conv2d(1, 2, 3, f64),
          new Tanh(),
          new MaxPool2d(2),
          new Flatten(),
          new Dense(2 * 2 * 2, 3, f64),
          new GELU(),
        ),
        inputs: [input([2, 1, 6, 6], 14)],
      }),
    ],
    [
      'an MLP with LeakyReLU and sigmoid',
      () => ({
        module: new Sequential(new Dense(3, 4, f64), new LeakyReLU(0.1), new Dense(4, 2, f64), new Sigmoid()),
        inputs: [input([5, 3], 15)],
      }),
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const { module, inputs } = make();
      const report = gradcheckModule(module, inputs, { output: (y) => y.mul(y).sum() });
      expect(report.passed).toBe(true);
      expect(report.inputs.length).toBe(module.namedParameters().length + inputs.filter((t) => t.dtype !== 'int32').length);
    });
  }
});

describe('layer behaviour', () => {
  it('Dense computes x·W + b with W of shape [in, out]', () => {
    const fc = new Dense(2, 3, f64);
    const x = input([4, 2], 20);
    const expected = x.matmul(fc.weight).add(fc.bias as Tensor);
    expect([...fc.forward(x).value.data]).toEqual([...expected.value.data]);
    expect(fc.weight.shape).toEqual([2, 3]);
  });

  it('Dense and Conv2d default init is U(±1/√fanIn); seeded runs are identical', () => {
    manualSeed(7);
    const a = new Dense(100, 50);
    manualSeed(7);
    const b = new Dense(100, 50);
    expect([...a.weight.value.data]).toEqual([...b.weight.value.data]);
    const w = [...a.weight.value.data];
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.09);
    const conv = new Conv2d(4, 8, 3);
    const bound = 1 / Math.sqrt(4 * 9);
    expect(Math.max(...[...conv.weight.value.data].map(Math.abs))).toBeLessThanOrEqual(bound);
  });

  it('Dropout zeroes about p of the values, scales the rest by 1/(1 − p), and repeats with a seed', () => {
    const x = randn([100, 100], { seed: 1 }).abs().add(1);
    const y1 = new Dropout(0.3, { seed: 5 }).forward(x).value.data;
    const y2 = new Dropout(0.3, { seed: 5 }).forward(x).value.data;
    expect([...y1]).toEqual([...y2]);
    const zeros = [...y1].filter((v) => v === 0).length / y1.length;
    expect(zeros).toBeGreaterThan(0.28);
    expect(zeros).toBeLessThan(0.32);
    const i = [...y1].findIndex((v) => v !== 0);
    expect(y1[i]).toBeCloseTo(x.value.data[i] / 0.7, 5);
    expect(new Dropout(0.3).eval().forward(x)).toBe(x);
  });

  it('Dropout and BatchNorm1d refuse compileBackward in training mode (it would freeze a mask, skip the running statistics) and compile in eval mode', () => {
    const x = randn([8, 4], { seed: 2 });
    for (const [name, layer] of [
      ['Dropout draws a new mask', new Dropout(0.5, { seed: 1 })],
      ['BatchNorm1d updates its running statistics', new BatchNorm1d(4)],
    ] as const) {
      const model = new Sequential(new Dense(4, 4), layer);
      const step = compileBackward(() => sum(model.forward(x)));
      let error: unknown;
      try {
        step();
      } catch (e) {
        error = e;
      }
      expect(CompileError.isInstance(error), name).toBe(true);
      expect((error as Error).message).toContain(`'1': compileBackward: ${name} on every call in training mode`);
      model.eval();
      const evalStep = compileBackward(() => sum(model.forward(x)));
      const loss = evalStep();
      expect(loss.item()).toBeCloseTo(sum(model.forward(x)).item(), 5);
      expect(model.parameters()[0].grad).not.toBeNull();
      // Traced in eval mode, the step does not go on running the eval graph once the model trains:
      // the mode is checked on every call, and a training-mode trace is refused as above.
      model.train();
      expect(() => evalStep(), name).toThrow(`'1': compileBackward: ${name} on every call in training mode`);
      model.eval();
      expect(evalStep().item()).toBeCloseTo(loss.item(), 6);
    }
  });

  it('a compiled function follows the mode of layers that branch on it (training is a guard of the trace)', () => {
    // A custom layer whose forward differs by mode and calls nothing about tracing itself.
    class HalfInEval extends Module {
      forward(x: Tensor): Tensor {
        return this.training ? x : mul(x, 0.5);
      }
    }
    const x = randn([5, 3], { seed: 4 });
    const model = new Sequential(new Dense(3, 2), new HalfInEval());
    const step = compileBackward(() => sum(square(model.forward(x))));
    const eager = () => {
      for (const p of model.parameters()) p.grad = null;
      const loss = sum(square(model.forward(x)));
      loss.backward();
      return { loss: loss.item(), grad: [...(model.parameters()[0].grad?.value.data ?? [])] };
    };
    const compiledRun = () => {
      for (const p of model.parameters()) p.grad = null;
      const loss = step().item();
      return { loss, grad: [...(model.parameters()[0].grad?.value.data ?? [])] };
    };
    for (const mode of [true, false, true, false]) {
      model.train(mode);
      const [c, e] = [compiledRun(), eager()];
      expect(c.loss, `training ${mode}`).toBeCloseTo(e.loss, 5);
      c.grad.forEach((g, i) => expect(g, `training ${mode}, weight grad ${i}`).toBeCloseTo(e.grad[i], 5));
    }
    // Outside a trace, reading the mode registers nothing and costs nothing more.
    expect(model.training).toBe(false);
  });

  it('window sizes are an integer or a pair of them, refused whole otherwise (a third entry was dropped, a string read by letter)', () => {
    const cases: [string, () => unknown, string][] = [
      [
        'stride of three',
        () => new Conv2d(1, 2, 3, { stride: [1, 2, 3] as never }),
        "Conv2d: 'stride' must be an integer ≥ 1 or a pair of them [height, width], got [1,2,3]",
      ],
      [
        'padding as a word',
        () => new Conv2d(1, 2, 3, { padding: 'same' as never }),
        `Conv2d: 'padding' must be an integer ≥ 0 or a pair of them [height, width], got "same"`,
      ],
      [
        'dilation of one',
        () => new Conv2d(1, 2, 3, { dilation: [2] as never }),
        "Conv2d: 'dilation' must be an integer ≥ 1 or a pair of them [height, width], got [2]",
      ],
      [
        'kernel of three',
        () => new Conv2d(1, 2, [3, 3, 3] as never),
        "Conv2d: 'kernelSize' must be an integer ≥ 1 or a pair of them [height, width], got [3,3,3]",
      ],
      [
        'pool padding',
        () => new MaxPool2d(2, { padding: [1, -1] }),
        "MaxPool2d: 'padding' must be an integer ≥ 0 or a pair of them [height, width], got [1,-1]",
      ],
    ];
    for (const [what, make, message] of cases) expect(make, what).toThrow(message);
    expect(new Conv2d(1, 2, [3, 1], { stride: [1, 2], padding: [1, 0], dilation: 1 }).forward(randn([1, 1, 5, 5])).shape).toEqual([
      1, 2, 5, 3,
    ]);
  });

  it('Embedding looks up rows and rejects out-of-range indices naming the module', () => {
    const emb = new Embedding(4, 2);
    const ids = randint(0, 4, [3], { seed: 1 });
    const y = emb.forward(ids);
    expect(y.shape).toEqual([3, 2]);
    expect(y.value.data[0]).toBe(emb.weight.value.data[ids.value.data[0] * 2]);
    const bad = randint(4, 5, [2], { seed: 1 });
    const model = new Sequential(emb);
    expect(() => model.forward(bad)).toThrow("Embedding '0': index 4 at flat position 0 of [2] is out of range for 4 embeddings");
  });

  it('Embedding compiles: the ids are an argument of the compiled step, read and checked on every call', () => {
    manualSeed(3);
    const model = new Sequential(new Embedding(6, 3), new Flatten(), new Dense(6, 1));
    const loss = (ids: Tensor) => sum(model.forward(ids).square());
    const step = compileBackward(loss);
    for (const seed of [1, 2]) {
      const ids = randint(0, 6, [4, 2], { seed });
      model.zeroGrad();
      const compiled = step(ids).item();
      const grads = model.parameters().map((p) => [...(p.grad?.data ?? [])]);
      model.zeroGrad();
      const eager = loss(ids);
      eager.backward();
      expect(compiled).toBeCloseTo(eager.item(), 5);
      model.parameters().forEach((p, k) => {
        (p.grad?.data ?? []).forEach((v, i) => {
          expect(grads[k][i]).toBeCloseTo(v, 5);
        });
      });
    }
    expect(() => step(randint(6, 7, [4, 2], { seed: 1 }))).toThrow('take: index 6 at position 0 is out of range for axis 0 of size 6');
  });

  it('wrong input width names the module path and both shapes', () => {
    const model = new Sequential(new Dense(4, 8), new Sigmoid(), new Dense(16, 2));
    expect(() => model.forward(randn([32, 4]))).toThrow(ShapeError);
    expect(() => model.forward(randn([32, 4]))).toThrow("Dense '2' expected input [*, 16], got [32, 8]");
    expect(() => new Conv2d(3, 4, 3).forward(randn([1, 1, 5, 5]))).toThrow('Conv2d expected input [N, 3, H, W], got [1, 1, 5, 5]');
    expect(() => new BatchNorm2d(3).forward(randn([2, 3]))).toThrow('BatchNorm2d expected input [N, 3, H, W], got [2, 3]');
  });

  it('bad constructor options are clear errors', () => {
    expect(() => new Dense(0, 3)).toThrow("Dense: 'inFeatures' must be an integer ≥ 1, got 0");
    expect(() => new Dense(2, 3, { weightInitializer: 'he' as never })).toThrow(/unknown initializer "he"; known: zeros/);
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/groups \(2 must divide inChannels 3/);
    expect(() => new Dropout(1.5)).toThrow("Dropout: 'p' must be a number from 0 to 1, got 1.5");
  });
});
