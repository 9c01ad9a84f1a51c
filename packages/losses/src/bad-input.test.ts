import { BackpropError, type Tensor, tensor } from '@backprop/engine';
import { damageJson, damagingValues, fuzzSettings, garbageCalls } from '@backprop/engine/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('losses: bad input never escapes as a bare TypeError', () => {
  it('every loss, called with garbage', () => {
    expect(
      garbageCalls(api, {
        leads: [
          tensor([
            [0.2, 0.7],
            [0.4, 0.1],
          ]),
        ],
      }),
    ).toEqual([]);
  });
});

describe('losses: options from a hand-written config', () => {
  it('every loss takes damaged options or refuses them with a backprop error; what it takes, it differentiates', () => {
    const logits = () =>
      tensor(
        [
          [0.2, 0.7, -1],
          [0.4, 0.1, 2],
        ],
        { requiresGrad: true },
      );
    const probabilities = () =>
      tensor(
        [
          [0.2, 0.7, 0.5],
          [0.4, 0.1, 0.9],
        ],
        { requiresGrad: true },
      );
    const labels = tensor([2, 0], { dtype: 'int32' });
    const unit = tensor([
      [0, 1, 1],
      [1, 0, 0.5],
    ]);
    const cases: [string, () => Tensor, Tensor, object][] = [
      ['crossEntropy', logits, labels, { reduction: 'mean', weight: [1, 2, 0.5], ignoreIndex: -100, labelSmoothing: 0.1 }],
      ['nllLoss', logits, labels, { reduction: 'sum', weight: [1, 2, 0.5], ignoreIndex: 1 }],
      ['binaryCrossEntropy', probabilities, unit, { reduction: 'mean' }],
      ['binaryCrossEntropyWithLogits', logits, unit, { reduction: 'sum', posWeight: 2 }],
      ['klDivergence', logits, unit, { reduction: 'batchmean', logTarget: false }],
      ['hinge', logits, unit, { reduction: 'mean', margin: 1 }],
      ['mse', logits, unit, { reduction: 'none' }],
      ['huber', logits, unit, { reduction: 'mean', delta: 0.5 }],
      ['smoothL1', logits, unit, { reduction: 'sum', beta: 0.5 }],
    ];
    fc.assert(
      fc.property(
        fc.nat(cases.length - 1),
        fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, 'batchmean', 'sum', undefined)), {
          minLength: 1,
          maxLength: 3,
        }),
        (which, damage) => {
          const [name, input, target, options] = cases[which];
          const { value, changed } = damageJson(options, damage);
          const x = input();
          const loss = (api as unknown as Record<string, (a: Tensor, b: Tensor, o: unknown) => Tensor>)[name];
          try {
            loss(x, target, value).sum().backward();
          } catch (error) {
            if (!BackpropError.isInstance(error)) throw new Error(`${name} with ${changed.join(', ')}: ${error}`);
            return;
          }
          expect(x.grad?.shape, `${name} with ${changed.join(', ')}`).toEqual(x.shape);
        },
      ),
      fuzzSettings(400),
    );
  });
});

describe('misspelt loss options', () => {
  it('are refused by name instead of being ignored', () => {
    const [x, y] = [tensor([[0.2, 0.8]]), tensor([[0, 1]])];
    const labels = tensor([1], { dtype: 'int32' });
    const cases: [() => unknown, string][] = [
      [() => api.mse(x, y, { reduce: 'sum' } as never), "mse: unknown option 'reduce'; its options are reduction"],
      [
        () => api.halfSquaredError(x, y, { reductions: 'sum' } as never),
        "halfSquaredError: unknown option 'reductions' (did you mean 'reduction'?)",
      ],
      [() => api.huber(x, y, { beta: 2 } as never), "huber: unknown option 'beta'; its options are reduction, delta"],
      [() => api.smoothL1(x, y, { delta: 2 } as never), "smoothL1: unknown option 'delta'; its options are reduction, beta"],
      [
        () => api.crossEntropy(x, labels, { label_smoothing: 0.1 } as never),
        "crossEntropy: unknown option 'label_smoothing' (did you mean 'labelSmoothing'?)",
      ],
      [() => api.nllLoss(x, labels, { labelSmoothing: 0.1 } as never), "nllLoss: unknown option 'labelSmoothing'"],
      [() => api.binaryCrossEntropy(x, y, { posWeight: 2 } as never), "binaryCrossEntropy: unknown option 'posWeight'"],
      [
        () => api.binaryCrossEntropyWithLogits(x, y, { pos_weight: 2 } as never),
        "binaryCrossEntropyWithLogits: unknown option 'pos_weight' (did you mean 'posWeight'?)",
      ],
      [
        () => api.klDivergence(x, y, { log_target: true } as never),
        "klDivergence: unknown option 'log_target' (did you mean 'logTarget'?)",
      ],
      [() => api.hinge(x, y, { margins: 2 } as never), "hinge: unknown option 'margins' (did you mean 'margin'?)"],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
    expect(api.crossEntropy(x, labels, { labelSmoothing: 0.1, ignoreIndex: -1, reduction: 'sum' }).shape).toEqual([]);
  });
});
