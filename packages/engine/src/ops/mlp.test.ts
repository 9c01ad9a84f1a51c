import { describe, expect, it } from 'vitest';
import { compileBackward } from '../compile/index.js';
import { AnomalyError } from '../errors.js';
import { gradients } from '../functional.js';
import { detectAnomaly, enableGrad, noGrad, randn, type Tensor, tensor } from '../index.js';
import { countProducts } from '../test-util.js';
import { expectGradientsMatch } from '../testing.js';
import { elu, gelu, leakyRelu, selu, silu, softplus } from './activation.js';
import { linear } from './linear.js';
import { type MlpActivation, mlp } from './mlp.js';
import { relu, sigmoid, tanh } from './unary.js';

// `mlp` is defined as `linear` then the activation, layer by layer. Its fused form (one recorded op
// for tiny layers) runs the same kernels in the same order, so it must agree with that composition
// bit for bit, values and gradients, in float32 and float64.

type Dtype = 'float32' | 'float64';
interface Spec {
  sizes: number[];
  activations: MlpActivation[];
  rows?: number[];
  dtype?: Dtype;
  bias?: boolean[];
  /** Inputs that require no gradient: x, a layer's weight and bias (its number), or only its weight ('w' + number). */
  frozen?: ('x' | number | `w${number}`)[];
}

const leaf = (shape: number[], seed: number, dtype: Dtype) => randn(shape, { seed, dtype }).detach().setRequiresGrad();

/** The activation op that `activation` names, applied to `y`: the definition mlp must match. */
function activate(activation: MlpActivation, y: Tensor): Tensor {
  if (typeof activation === 'object') {
    switch (activation.name) {
      case 'leakyRelu':
        return leakyRelu(y, activation.slope);
      case 'elu':
        return elu(y, activation.alpha);
      case 'gelu':
        return gelu(y, { approximate: activation.approximate });
      case 'softplus':
        return softplus(y, activation.beta);
      case 'selu':
        return selu(y);
      case 'silu':
        return silu(y);
    }
  }
  const ops = {
    identity: (t: Tensor) => t,
    relu,
    sigmoid,
    tanh,
    leakyRelu: (t: Tensor) => leakyRelu(t),
    elu: (t: Tensor) => elu(t),
    selu,
    gelu: (t: Tensor) => gelu(t),
    softplus: (t: Tensor) => softplus(t),
    silu,
  };
  return ops[activation](y);
}

/** The network's inputs, fresh for each run (so the two runs' gradients do not mix). */
function inputs(spec: Spec) {
  const dtype = spec.dtype ?? 'float32';
  const x = leaf([...(spec.rows ?? [4]), spec.sizes[0]], 1, dtype);
  if (spec.frozen?.includes('x')) x.requiresGrad = false;
  const layers = spec.activations.map((activation, l) => {
    const weight = leaf([spec.sizes[l], spec.sizes[l + 1]], 10 + l, dtype);
    const bias = spec.bias?.[l] === false ? null : leaf([spec.sizes[l + 1]], 20 + l, dtype);
    if (spec.frozen?.includes(l) || spec.frozen?.includes(`w${l}`)) weight.requiresGrad = false;
    if (spec.frozen?.includes(l) && bias) bias.requiresGrad = false;
    return { weight, bias, activation };
  });
  return { x, layers, all: [x, ...layers.flatMap((l) => (l.bias ? [l.weight, l.bias] : [l.weight]))] };
}

/** Output, op name and every input's gradient, for mlp and for the layer-by-layer composition. */
function both(spec: Spec) {
  const run = (fused: boolean) => {
    const { x, layers, all } = inputs(spec);
    let y: Tensor;
    if (fused) y = mlp(x, layers);
    else {
      y = x;
      for (const layer of layers) {
        y = activate(layer.activation, linear(y, layer.weight, layer.bias));
      }
    }
    y.backward(randn(y.shape, { seed: 4, dtype: spec.dtype ?? 'float32' }));
    return { y: [...y.data], op: y.node?.op, grads: all.map((t) => (t.grad ? [...t.grad.data] : null)) };
  };
  return { fused: run(true), composed: run(false) };
}

describe('mlp', () => {
  const cases: [string, Spec][] = [
    ['XOR 2-4-1 sigmoid', { sizes: [2, 4, 1], activations: ['sigmoid', 'sigmoid'] }],
    ['tanh and relu, no bias in the middle', { sizes: [3, 5, 6, 2], activations: ['tanh', 'relu', 'identity'], bias: [true, false, true] }],
    ['float64', { sizes: [2, 8, 3], activations: ['relu', 'sigmoid'], dtype: 'float64' }],
    ['a 3-D batch', { sizes: [4, 3, 2], activations: ['sigmoid', 'tanh'], rows: [2, 5] }],
    ['frozen input and first layer', { sizes: [2, 4, 4, 1], activations: ['relu', 'tanh', 'sigmoid'], frozen: ['x', 0] }],
    ['only the first bias trains', { sizes: [2, 3, 2], activations: ['tanh', 'sigmoid'], frozen: ['x', 'w0', 1] }],
    ['only the first layer trains', { sizes: [2, 3, 1], activations: ['sigmoid', 'identity'], frozen: [1] }],
    // 2,048 outputs: the WebAssembly backend's ReLU and ReLU-gradient kernels take over here.
    ['relu on 2,048 elements', { sizes: [1, 2, 1], activations: ['relu', 'identity'], rows: [1024] }],
    [
      'every other activation, by name',
      { sizes: [3, 4, 4, 4, 4, 4, 4, 2], activations: ['leakyRelu', 'elu', 'selu', 'gelu', 'softplus', 'silu', 'identity'] },
    ],
    [
      'activations with options, float64',
      {
        sizes: [2, 5, 4, 4, 3, 2],
        activations: [
          { name: 'leakyRelu', slope: 0.2 },
          { name: 'elu', alpha: 0.5 },
          { name: 'gelu', approximate: 'tanh' },
          { name: 'softplus', beta: 2 },
          { name: 'silu' },
        ],
        dtype: 'float64',
      },
    ],
    [
      'gelu and sigmoid, frozen input and first layer',
      { sizes: [2, 4, 4, 1], activations: ['gelu', 'sigmoid', 'softplus'], frozen: ['x', 0] },
    ],
  ];
  for (const [name, spec] of cases) {
    it(`${name}: one op, bit for bit the values and gradients of linear + activation`, () => {
      const { fused, composed } = both(spec);
      expect(fused.op).toBe('mlp');
      expect(fused).toEqual({ ...composed, op: 'mlp' });
      // Inputs that require no gradient get none; the rest get one.
      const { all } = inputs(spec);
      expect(fused.grads.map((g) => g !== null)).toEqual(all.map((t) => t.requiresGrad));
    });
  }

  it('passes NaN and infinities through each activation as the activation ops do', () => {
    for (const activation of ['relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu', 'selu', 'gelu', 'softplus', 'silu'] as const) {
      const run = (fused: boolean) => {
        const x = tensor([[Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY], [-3], [0], [2]], { requiresGrad: true });
        const weight = tensor([[1]], { requiresGrad: true });
        const y = fused ? mlp(x, [{ weight, activation }]) : activate(activation, linear(x, weight));
        // An infinite gradient where ReLU's output is 0: ∞·0 is NaN, as the ReLU-gradient kernel gives.
        y.backward(tensor([[1], [1], [1], [Number.POSITIVE_INFINITY], [1], [1]]));
        return { y: [...y.data], dx: [...(x.grad?.data ?? [])], dw: [...(weight.grad?.data ?? [])] };
      };
      const fused = run(true);
      expect(Number.isNaN(fused.y[0])).toBe(true);
      expect(fused).toEqual(run(false));
    }
  });

  it('composes layer by layer where a product is not tiny (the same results, several ops)', () => {
    const { fused, composed } = both({ sizes: [64, 80, 10], activations: ['relu', 'identity'], rows: [32] });
    expect(fused.op).toBe('linear');
    expect(fused).toEqual(composed);
  });

  it('has gradients that match finite differences with every activation (float64)', () => {
    const pairs: [MlpActivation, MlpActivation][] = [
      ['tanh', 'sigmoid'],
      ['relu', 'identity'],
      [{ name: 'leakyRelu', slope: 0.3 }, 'elu'],
      ['selu', 'gelu'],
      [
        { name: 'gelu', approximate: 'tanh' },
        { name: 'softplus', beta: 0.5 },
      ],
      ['silu', { name: 'elu', alpha: 0.4 }],
    ];
    for (const activations of pairs) {
      const { layers, all } = inputs({ sizes: [3, 4, 2], activations, dtype: 'float64' });
      expectGradientsMatch(
        (xx, w0, b0, w1, b1) =>
          mlp(xx, [
            { weight: w0, bias: b0, activation: layers[0].activation },
            { weight: w1, bias: b1, activation: layers[1].activation },
          ])
            .square()
            .sum(),
        all,
      );
    }
  });

  it('reads an options object again on every call, unless it is frozen', () => {
    const { x, layers } = inputs({ sizes: [2, 3, 2], activations: ['identity', 'identity'] });
    const expected = (slope: number) => [
      ...linear(leakyRelu(linear(x, layers[0].weight, layers[0].bias), slope), layers[1].weight, layers[1].bias).data,
    ];
    const spec = { name: 'leakyRelu' as const, slope: 0.1 };
    const run = (activation: MlpActivation) => [...mlp(x, [{ ...layers[0], activation }, layers[1]]).data];
    expect(run(spec)).toEqual(expected(0.1));
    spec.slope = 0.5;
    expect(run(spec)).toEqual(expected(0.5));
    const frozen = Object.freeze({ name: 'leakyRelu' as const, slope: 0.3 });
    expect(run(frozen)).toEqual(expected(0.3));
    expect(run(frozen)).toEqual(expected(0.3));
  });

  it('gives the same values under noGrad, keeping nothing for a backward pass', () => {
    const { x, layers } = inputs({ sizes: [2, 3, 2], activations: ['gelu', 'silu'] });
    const y = mlp(x, layers);
    const z = noGrad(() => mlp(x, layers));
    expect(z.node).toBeNull();
    expect([...z.data]).toEqual([...y.data]);
  });

  it('records its backward for second derivatives (createGraph)', () => {
    const { x, layers } = inputs({ sizes: [2, 3, 1], activations: ['tanh', 'sigmoid'], dtype: 'float64' });
    const w = layers[0].weight;
    const [dw] = gradients(mlp(x, layers).sum(), [w], { createGraph: true });
    expect(dw.node).not.toBeNull();
    // The first gradient as a function of x, checked against its finite differences.
    expectGradientsMatch((xx) => enableGrad(() => gradients(mlp(xx, layers).sum(), [w], { createGraph: true })[0].square().sum()), [x]);
  });

  it('records its backward for second derivatives with the other activations (createGraph)', () => {
    const { x, layers } = inputs({ sizes: [2, 3, 1], activations: ['silu', { name: 'softplus', beta: 2 }], dtype: 'float64' });
    const w = layers[0].weight;
    expectGradientsMatch((xx) => enableGrad(() => gradients(mlp(xx, layers).sum(), [w], { createGraph: true })[0].square().sum()), [x]);
  });

  it('is compiled by compileBackward (traced as its layers)', () => {
    for (const activations of [
      ['sigmoid', 'sigmoid'],
      ['elu', { name: 'gelu', approximate: 'tanh' }],
    ] as MlpActivation[][]) {
      const { x, layers, all } = inputs({ sizes: [2, 4, 1], activations, dtype: 'float64' });
      const step = compileBackward(() => mlp(x, layers).square().mean());
      const compiledLoss = step().item();
      const compiledGrads = all.map((t) => [...(t.grad?.data ?? [])]);
      for (const t of all) t.grad = null;
      const loss = mlp(x, layers).square().mean();
      loss.backward();
      expect(compiledLoss).toBeCloseTo(loss.item(), 14);
      all.forEach((t, i) => {
        (t.grad?.data ?? []).forEach((v, j) => {
          expect(compiledGrads[i][j]).toBeCloseTo(v, 12);
        });
      });
    }
  });

  it('names the layer op that produced NaN in anomaly mode', () => {
    const { x, layers } = inputs({ sizes: [2, 3, 1], activations: ['relu', 'identity'] });
    layers[1].weight.data[0] = Number.NaN;
    expect(() => detectAnomaly(() => mlp(x, layers))).toThrow(AnomalyError);
    expect(() => detectAnomaly(() => mlp(x, layers))).toThrow(/'linear' produced NaN/);
  });

  it('rejects bad layers with errors that name the layer', () => {
    const { x, layers } = inputs({ sizes: [2, 3, 1], activations: ['relu', 'identity'] });
    expect(() => mlp(x, [])).toThrow(/mlp: layers must be a non-empty array/);
    expect(() => mlp(x, [layers[1]])).toThrow(/mlp: layers\[0\]\.weight has shape \[3, 1\], which cannot take x of shape \[4, 2\]/);
    expect(() => mlp(x, [layers[0], layers[0]])).toThrow(
      /layers\[1\]\.weight has shape \[2, 3\], which cannot take layers\[0\]'s output \[\*, 3\]/,
    );
    expect(() => mlp(x, [{ ...layers[0], bias: layers[1].bias }])).toThrow(/mlp: layers\[0\]\.bias has shape \[1\], expected \[3\]/);
    expect(() => mlp(x, [{ ...layers[0], activation: 'swish' as MlpActivation }])).toThrow(
      /mlp: layers\[0\]\.activation must be one of identity, relu, sigmoid, tanh, leakyRelu, elu, selu, gelu, softplus, silu \(or \{ name, …options \}\), got swish/,
    );
    expect(() => mlp(x, [{ ...layers[0], activation: { name: 'relu6' } as unknown as MlpActivation }])).toThrow(/got \{"name":"relu6"\}/);
    expect(() => mlp(x, [layers[0], { ...layers[1], activation: { name: 'leakyRelu', slope: Number.NaN } }])).toThrow(
      /mlp: 'layers\[1\]\.activation\.slope' must be a finite number, got NaN/,
    );
    expect(() => mlp(x, [{ ...layers[0], activation: { name: 'softplus', beta: 0 } }])).toThrow(
      /mlp: 'layers\[0\]\.activation\.beta' must be a finite positive number, got 0/,
    );
    expect(() => mlp(x, [{ ...layers[0], activation: { name: 'gelu', approximate: 'erf' as 'none' } }])).toThrow(
      /mlp: 'layers\[0\]\.activation\.approximate' must be 'none' or 'tanh', got erf/,
    );
    expect(() => mlp(x, [{ ...layers[0], activation: { name: 'elu', slope: 0.1 } as unknown as MlpActivation }])).toThrow(
      /mlp: 'layers\[0\]\.activation' has no option 'slope' \(elu takes 'alpha'\)/,
    );
    expect(() => mlp(x, [{ weight: x.data as unknown as Tensor }])).toThrow(/mlp: argument 'layers\[0\]\.weight' must be a Tensor/);
  });

  it('composes layer by layer on a backend of the user’s own, so every product runs on it', () => {
    const products = countProducts(() => {
      const { x, layers } = inputs({ sizes: [2, 4, 1], activations: ['sigmoid', 'sigmoid'] });
      const y = mlp(x, layers);
      expect(y.node?.op).toBe('sigmoid');
      y.sum().backward();
    });
    expect(products).toBe(6); // forward, dx and dW of both layers
  });
});
