import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { damageJson, damagingValues, fuzzSettings } from './testing.js';

// Every public function and Tensor method, called with garbage, either works or throws a
// BackpropError — never a bare TypeError from deep inside.

const x = api.tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const garbage = [undefined, null, Number.NaN, -1, 1.5, 1e12, 'abc', {}, [], [Number.NaN], [-1], ['a'], x, true];

const skip = new Set([
  'Tensor',
  'NDArray',
  'Generator',
  'BackpropError',
  'ShapeError',
  'DTypeError',
  'ArgumentError',
  'GraphError',
  'AnomalyError',
  'CompileError',
  'isTensor',
  'isGradEnabled',
  'isAnomalyEnabled',
  'setGradEnabled',
  'setAnomalyMode',
  'noGradScope',
  // These take a callback and call it: garbage callbacks are the caller's TypeError.
  'noGrad',
  'enableGrad',
  'detectAnomaly',
  'grad',
  'valueAndGrad',
  // @internal, for the @backprop packages' own ops: unchecked by design (customOp is the checked door).
  'record',
]);

function expectClean(label: string, run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!api.BackpropError.isInstance(error)) throw new Error(`${label} threw ${String(error)}`);
  }
}

const show = (args: unknown[]) => args.map((a) => (a === x ? 'x' : (JSON.stringify(a) ?? String(a)))).join(', ');

describe('engine: bad input never escapes as a bare TypeError', () => {
  const functions = Object.entries(api).filter(([name, value]) => typeof value === 'function' && !skip.has(name)) as [
    string,
    (...args: unknown[]) => unknown,
  ][];
  for (const [name, fn] of functions) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...garbage), { maxLength: 4 }), fc.boolean(), (args, lead) => {
          const call = lead ? [x, ...args] : args;
          expectClean(`${name}(${show(call)})`, () => fn(...call));
        }),
        { numRuns: 100 },
      );
    });
  }

  const methods = Object.getOwnPropertyNames(api.Tensor.prototype).filter(
    (m) =>
      m !== 'constructor' &&
      typeof (x as unknown as Record<string, unknown>)[m] === 'function' &&
      !['applyHooks', 'registerHook'].includes(m),
  );
  it(`Tensor methods (${methods.length})`, () => {
    for (const method of methods) {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...garbage), { maxLength: 3 }), (args) => {
          const t = api.tensor(
            [
              [1, 2],
              [3, 4],
            ],
            { requiresGrad: true },
          );
          expectClean(`tensor.${method}(${show(args)})`, () =>
            (t as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args),
          );
        }),
        { numRuns: 60 },
      );
    }
  });
});

describe('options and specs from a hand-written config', () => {
  it('every op with an options object takes damaged options or refuses them with a BackpropError; what it takes, it differentiates', () => {
    const image = () => api.randn([1, 2, 5, 5], { seed: 1, requiresGrad: true });
    const matrix = () => api.randn([3, 4], { seed: 2, requiresGrad: true });
    const kernel = api.randn([2, 2, 3, 3], { seed: 3 });
    const cases: [string, () => api.Tensor, object, (x: api.Tensor, options: never) => api.Tensor][] = [
      ['conv2d', image, { stride: [1, 2], padding: 1, dilation: 1, groups: 1 }, (t, o) => api.conv2d(t, kernel, null, o)],
      ['maxPool2d', image, { kernelSize: [2, 2], stride: 1, padding: 1 }, (t, o) => api.maxPool2d(t, o)],
      ['avgPool2d', image, { kernelSize: 3, stride: [2, 1], padding: 0 }, (t, o) => api.avgPool2d(t, o)],
      ['unfold2d', image, { kernelSize: [2, 3], stride: 1, padding: [1, 0], dilation: 1, padValue: 0.5 }, (t, o) => api.unfold2d(t, o)],
      ['sum', matrix, { axis: [1], options: { keepDims: true } }, (t, o: { axis: never; options: never }) => api.sum(t, o.axis, o.options)],
      [
        'variance',
        matrix,
        { axis: 0, options: { correction: 1, keepDims: false } },
        (t, o: { axis: never; options: never }) => api.variance(t, o.axis, o.options),
      ],
      [
        'slice',
        matrix,
        {
          specs: [
            { start: 1, stop: 3, step: 1 },
            { start: -3, step: 2 },
          ],
        },
        (t, o: { specs: never }) => api.slice(t, o.specs),
      ],
      [
        'pad',
        matrix,
        {
          widths: [
            [1, 0],
            [0, 2],
          ],
          value: 0.5,
        },
        (t, o: { widths: never; value: never }) => api.pad(t, o.widths, o.value),
      ],
      ['matmul', matrix, { transposeA: true, transposeB: false }, (t, o) => api.matmul(t, api.randn([3, 2], { seed: 4 }), o)],
      ['permute', matrix, { axes: [1, 0] }, (t, o: { axes: never }) => api.permute(t, o.axes)],
      ['reshape', matrix, { shape: [2, -1] }, (t, o: { shape: never }) => api.reshape(t, o.shape)],
      ['gelu', matrix, { approximate: 'tanh' }, (t, o) => api.gelu(t, o)],
    ];
    fc.assert(
      fc.property(
        fc.nat(cases.length - 1),
        fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, 'tanh', undefined)), { minLength: 1, maxLength: 3 }),
        (which, edits) => {
          const [name, input, options, op] = cases[which];
          const { value, changed } = damageJson(options, edits);
          const t = input();
          let y: api.Tensor;
          try {
            y = op(t, value as never);
          } catch (error) {
            if (!api.BackpropError.isInstance(error)) throw new Error(`${name} with ${changed.join(', ')}: ${error}`);
            return;
          }
          y.sum().backward();
          if (t.grad?.shape.join() !== t.shape.join())
            throw new Error(`${name} with ${changed.join(', ')}: no gradient of the input's shape`);
        },
      ),
      fuzzSettings(500),
    );
  });
});

describe('indices given as a plain list', () => {
  it('a fraction is refused, not truncated (1.5 picked 1)', () => {
    const x = api.randn([3, 2], { seed: 1 });
    expect(() => api.take(x, [0, 1.5], 0)).toThrow('take: index 1.5 at position 1 is not an integer');
    expect(() => api.indexAdd(x, 0, [0.5], api.zeros([1, 2]))).toThrow('indexAdd: index 0.5 at position 0 is not an integer');
    expect([...api.take(x, [2, -1], 0).value.data]).toEqual([...x.value.data.slice(4), ...x.value.data.slice(4)]);
  });
});

describe('misspelt options', () => {
  it('are refused by name, with the option meant, instead of being ignored', () => {
    const w = api.randn([3], { seed: 1, requiresGrad: true });
    const image = api.randn([1, 1, 4, 4], { seed: 2 });
    const cases: [string, () => unknown, string][] = [
      ['randn', () => api.randn([2], { seeed: 1 } as never), "randn: unknown option 'seeed' (did you mean 'seed'?)"],
      [
        'zeros',
        () => api.zeros([2], { requiresgrad: true } as never),
        "zeros: unknown option 'requiresgrad' (did you mean 'requiresGrad'?)",
      ],
      ['tensor', () => api.tensor([1, 2], { shap: [2] } as never), "tensor: unknown option 'shap' (did you mean 'shape'?)"],
      ['fromArray', () => api.fromArray(x.value, { dtype: 'float64' } as never), "fromArray: unknown option 'dtype'"],
      [
        'new Tensor',
        () => new api.Tensor(x.value, { requiresgrad: true } as never),
        "Tensor: unknown option 'requiresgrad' (did you mean 'requiresGrad'?); its options are requiresGrad, name",
      ],
      ['sum', () => x.sum(0, { keepdim: true } as never), "sum: unknown option 'keepdim' (did you mean 'keepDims'?)"],
      ['mean', () => api.mean(x, 0, { keepdims: true } as never), "mean: unknown option 'keepdims' (did you mean 'keepDims'?)"],
      ['variance', () => api.variance(x, 0, { unbiased: false } as never), "variance: unknown option 'unbiased'"],
      [
        'conv2d',
        () => api.conv2d(image, api.randn([1, 1, 2, 2]), null, { pading: 1 } as never),
        "conv2d: unknown option 'pading' (did you mean 'padding'?)",
      ],
      [
        'maxPool2d',
        () => api.maxPool2d(image, { kernelSize: 2, strides: 1 } as never),
        "maxPool2d: unknown option 'strides' (did you mean 'stride'?)",
      ],
      ['gelu', () => api.gelu(x, { approx: 'tanh' } as never), "gelu: unknown option 'approx'"],
      [
        'grad',
        () => api.grad((t: api.Tensor) => t.sum(), { createGraf: true } as never),
        "grad: unknown option 'createGraf' (did you mean 'createGraph'?)",
      ],
      [
        'backward',
        () =>
          w
            .mul(w)
            .sum()
            .backward(undefined, { retain_graph: true } as never),
        "backward: unknown option 'retain_graph' (did you mean 'retainGraph'?)",
      ],
    ];
    for (const [name, call, message] of cases) expect(call, name).toThrow(message);
    // The options they take still work.
    expect(api.variance(x, 1, { correction: 0, keepDims: true }).shape).toEqual([2, 1]);
    expect(api.unfold2d(image, { kernelSize: 2, padValue: 1 }).shape).toEqual([1, 4, 9]);
  });
});
