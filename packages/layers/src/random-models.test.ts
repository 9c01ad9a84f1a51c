import { BackpropError, compileBackward, manualSeed, NDArray, randn, type Tensor } from '@backprop/engine';
import { damagingValues, fuzzSettings } from '@backprop/engine/testing';

type DType = 'float32' | 'float64';

import { gradcheckModule } from '@backprop/gradcheck';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Dense,
  ELU,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  LogSoftmax,
  layerFromConfig,
  type Module,
  ReLU,
  SELU,
  Sequential,
  Sigmoid,
  SiLU,
  Softmax,
  Softplus,
  Tanh,
} from './index.js';

// Random Sequential models of Dense layers, every activation layer and LayerNorm — the layers
// `Sequential` fuses into the engine's `mlp` op and the ones it runs on their own — checked
// against the definition (each layer's forward, one after the other), finite differences,
// a JSON config round trip and compileBackward.

/** One layer of a model: which kind, and numbers that choose its options. */
interface Pick {
  readonly kind: number;
  readonly a: number;
  readonly b: number;
}

/** The activation layers, each with options chosen by `a`. */
const activationLayers: ((a: number) => Module)[] = [
  () => new Sigmoid(),
  () => new Tanh(),
  () => new ReLU(),
  (a) => new LeakyReLU([0.01, 0.2, -0.5][a % 3]),
  (a) => new ELU([1, 0.5, 2][a % 3]),
  () => new SELU(),
  (a) => new GELU({ approximate: a % 2 === 0 ? 'none' : 'tanh' }),
  (a) => new Softplus([1, 2, 0.5][a % 3]),
  () => new SiLU(),
  (a) => (a % 3 === 0 ? new Identity() : a % 3 === 1 ? new Softmax() : new LogSoftmax()),
];

/** The layers of `picks` for inputs of `features` features; `wide` makes Dense layers large enough for the gemm path. */
function layersOf(picks: readonly Pick[], features: number, wide: boolean, dtype: DType): Module[] {
  const layers: Module[] = [];
  let width = features;
  for (const { kind, a, b } of picks) {
    // 0–2: Dense; then one kind per activation layer; last: LayerNorm.
    const k = kind % (3 + activationLayers.length + 1);
    if (k < 3) {
      const out = wide ? 40 + (a % 30) : 1 + (a % 5);
      layers.push(new Dense(width, out, { bias: b % 4 !== 0, dtype }));
      width = out;
    } else if (k < 3 + activationLayers.length) layers.push(activationLayers[k - 3](a));
    else {
      const norm = new LayerNorm(width, { elementwiseAffine: a % 3 !== 0, dtype });
      // Away from its initial ones and zeros, so that its parameters' gradients are general.
      for (const [i, p] of norm.parameters().entries()) p.value.data.set(randn(p.shape, { dtype, seed: 2 * b + i }).value.data);
      layers.push(norm);
    }
  }
  return layers;
}

interface Case {
  readonly model: Sequential;
  readonly layers: readonly Module[];
  readonly x: Tensor;
  /** Weights of the scalar the gradients are taken of: Σ output ⊙ r. */
  readonly r: Tensor;
}

function makeCase(picks: readonly Pick[], batch: number, features: number, seed: number, wide: boolean, dtype: DType): Case {
  manualSeed(seed);
  const layers = layersOf(picks, features, wide, dtype);
  const model = new Sequential(...layers);
  const x = randn([batch, features], { dtype, seed: seed + 1, requiresGrad: true });
  const y = model.forward(x);
  const r = randn(y.shape, { dtype, seed: seed + 2 });
  return { model, layers, x, r };
}

/** A tensor's gradient as numbers (none: empty). */
const gradientOf = (t: Tensor) => [...(t.grad?.value.data ?? [])];

/** The output's data and the gradients of Σ output ⊙ r with respect to x and every parameter. */
function outputAndGradients(c: Case, forward: (x: Tensor) => Tensor): number[][] {
  c.x.grad = null;
  for (const p of c.model.parameters()) p.grad = null;
  const y = forward(c.x);
  y.mul(c.r).sum().backward();
  return [[...y.value.data], ...[c.x, ...c.model.parameters()].map(gradientOf)];
}

const describeCase = (picks: readonly Pick[], batch: number, features: number) => `${JSON.stringify(picks)} on [${batch}, ${features}]`;

const pickArb = fc.record({ kind: fc.nat(1000), a: fc.nat(1000), b: fc.nat(1000) });
const modelArb = fc.record({
  picks: fc.array(pickArb, { minLength: 1, maxLength: 7 }),
  batch: fc.integer({ min: 1, max: 5 }),
  features: fc.integer({ min: 1, max: 5 }),
  seed: fc.nat(10_000),
});

describe('random Sequential models', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const wide of [false, true]) {
      it(`${dtype}${wide ? ', wide layers' : ''}: forward and gradients equal the layers run one by one, bit for bit`, () => {
        fc.assert(
          fc.property(modelArb, ({ picks, batch, features, seed }) => {
            const c = makeCase(picks, wide ? batch * 8 : batch, wide ? features * 9 : features, seed, wide, dtype);
            const fused = outputAndGradients(c, (x) => c.model.forward(x));
            const oneByOne = outputAndGradients(c, (x) => c.layers.reduce((h, layer) => layer.forward(h), x));
            expect(fused, describeCase(picks, batch, features)).toEqual(oneByOne);
          }),
          fuzzSettings(wide ? 40 : 200),
        );
      });
    }
  }

  it('float64: the gradients of every parameter and the input equal finite differences', () => {
    fc.assert(
      fc.property(modelArb, ({ picks, batch, features, seed }) => {
        const c = makeCase(picks, batch, features, seed, false, 'float64');
        const report = gradcheckModule(c.model, [c.x], { output: (y) => y.mul(c.r).sum(), atol: 1e-6, rtol: 1e-5, raiseException: false });
        expect(report.passed, `${describeCase(picks, batch, features)}\n${JSON.stringify(report.inputs)}`).toBe(true);
      }),
      fuzzSettings(100),
    );
  });

  it('a config and state dict round trip gives the same model, bit for bit', () => {
    fc.assert(
      fc.property(modelArb, ({ picks, batch, features, seed }) => {
        const c = makeCase(picks, batch, features, seed, false, 'float32');
        const again = layerFromConfig(JSON.parse(JSON.stringify(c.model.getConfig())));
        again.loadStateDict(c.model.stateDict());
        expect([...again.forward(c.x).value.data], describeCase(picks, batch, features)).toEqual([...c.model.forward(c.x).value.data]);
      }),
      fuzzSettings(100),
    );
  });

  it('compileBackward: the loss and gradients equal the eager backward (float64, to rounding)', () => {
    fc.assert(
      fc.property(modelArb, ({ picks, batch, features, seed }) => {
        const c = makeCase(picks, batch, features, seed, false, 'float64');
        const loss = () => c.model.forward(c.x).mul(c.r).sum();
        const gradients = () => [c.x, ...c.model.parameters()].map(gradientOf);
        const reset = () => {
          for (const t of [c.x, ...c.model.parameters()]) t.grad = null;
        };
        reset();
        const eager = loss();
        eager.backward();
        const want = [[eager.item()], ...gradients()];
        reset();
        const got = [[compileBackward(loss)().item()], ...gradients()];
        const context = describeCase(picks, batch, features);
        expect(
          got.map((g) => g.length),
          context,
        ).toEqual(want.map((g) => g.length));
        got.forEach((g, k) =>
          g.forEach((v, i) =>
            expect(Math.abs(v - want[k][i]), `${context}: #${k}[${i}]`).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(want[k][i]))),
          ),
        );
      }),
      fuzzSettings(100),
    );
  });
});

/** A module's parameters and buffers as text, to compare before and after. */
const stateText = (module: Module) => JSON.stringify(module.stateDict(), (_, v) => (ArrayBuffer.isView(v) ? [...(v as Float32Array)] : v));

describe('loadStateDict of a damaged state', () => {
  it('loads it, or refuses it with a backprop error and changes nothing', () => {
    const garbage = fc.constantFrom<unknown>(
      ...damagingValues,
      { shape: [2], data: 'ab' },
      { shape: 'x', data: [1] },
      { shape: [3], data: [1, 2, 3, 4, 5] },
      new NDArray(new Int32Array(4), [4]),
      new NDArray(new Float64Array(3), [3]),
      undefined,
    );
    fc.assert(
      fc.property(modelArb, fc.array(fc.tuple(fc.nat(1000), garbage), { minLength: 1, maxLength: 3 }), fc.boolean(), (m, edits, strict) => {
        const c = makeCase(m.picks, m.batch, m.features, m.seed, false, 'float32');
        const names = Object.keys(c.model.stateDict());
        if (names.length === 0) return;
        const state: Record<string, unknown> = c.model.stateDict();
        for (const [at, value] of edits) {
          const name = names[at % names.length];
          if (value === undefined) delete state[name];
          else state[name] = value;
        }
        const before = stateText(c.model);
        try {
          c.model.loadStateDict(state as never, { strict });
        } catch (error) {
          if (!BackpropError.isInstance(error)) throw new Error(`${JSON.stringify(edits)}: ${error}`);
          expect(stateText(c.model), String(error)).toBe(before);
          return;
        }
        for (const p of c.model.parameters()) for (const v of p.value.data) expect(Number.isNaN(v), JSON.stringify(edits)).toBe(false);
      }),
      fuzzSettings(300),
    );
  });
});
