import { rand, randint, randn, type Tensor } from '@backprop/engine';
import { Dense } from '@backprop/layers';
import * as losses from '@backprop/losses';
import { NDArray } from '@backprop/tensor';
import { describe, expect, it } from 'vitest';
import { dataset } from './data.js';
import { evaluate } from './evaluate.js';
import { fit } from './fit.js';
import { defaultThreshold, type LossName, lossNames, resolveLoss } from './loss-names.js';

// Inputs each loss accepts: regression pairs, class scores with class indices, probabilities
// with 0/1 targets, and ±1 targets for the hinge loss.
const regression = () => [randn([6, 3], { seed: 1 }), randn([6, 3], { seed: 2 })];
const classes = () => [randn([6, 4], { seed: 3 }), randint(0, 4, [6], { seed: 4 })];
const logProbabilities = () => [randn([6, 4], { seed: 3 }).logSoftmax(-1), randint(0, 4, [6], { seed: 4 })];
const probabilities = () => [rand([6, 1], { seed: 5 }).mul(0.98).add(0.01), randint(0, 2, [6, 1], { seed: 6 }).astype('float32')];
const logits = () => [randn([6, 1], { seed: 5 }), randint(0, 2, [6, 1], { seed: 6 }).astype('float32')];
const signs = () => [randn([6, 1], { seed: 7 }), randint(0, 2, [6, 1], { seed: 8 }).astype('float32').mul(2).sub(1)];

/** Each built-in name: the losses-package function it must be, and inputs for it. */
const expected: Record<LossName, [(p: Tensor, t: Tensor) => Tensor, () => Tensor[]]> = {
  mse: [losses.mse, regression],
  halfSquaredError: [losses.halfSquaredError, regression],
  mae: [losses.mae, regression],
  huber: [losses.huber, regression],
  smoothL1: [losses.smoothL1, regression],
  crossEntropy: [losses.crossEntropy, classes],
  nllLoss: [losses.nllLoss, logProbabilities],
  binaryCrossEntropy: [losses.binaryCrossEntropy, probabilities],
  binaryCrossEntropyWithLogits: [losses.binaryCrossEntropyWithLogits, logits],
  hinge: [losses.hinge, signs],
};

/** The loss `resolveLoss(name)` computes equals the named function's, to the bit. */
function expectSame(name: string, reference: LossName) {
  const [fn, inputs] = expected[reference];
  const [p, t] = inputs();
  expect(resolveLoss(name)(p, t).item(), name).toBe(fn(p, t).item());
}

describe('resolveLoss', () => {
  it('knows every built-in loss by its name, each wired to that loss', () => {
    expect([...lossNames].sort()).toEqual(Object.keys(expected).sort());
    for (const name of lossNames) expectSame(name, name);
  });

  it('takes the command line’s kebab-case aliases', () => {
    expectSame('half-squared-error', 'halfSquaredError');
    expectSame('cross-entropy', 'crossEntropy');
    expectSame('nll-loss', 'nllLoss');
    expectSame('smooth-l1', 'smoothL1');
    expectSame('bce', 'binaryCrossEntropy');
    expectSame('binary-cross-entropy', 'binaryCrossEntropy');
    expectSame('bce-with-logits', 'binaryCrossEntropyWithLogits');
    expectSame('l1', 'mae');
  });

  it('returns a function as it is and lists the known names for an unknown one', () => {
    const own = (p: Tensor, t: Tensor) => p.sub(t).abs().sum();
    expect(resolveLoss(own)).toBe(own);
    expect(() => resolveLoss('crossentropy')).toThrow(/^fit: unknown loss "crossentropy"; known: mse, halfSquaredError, .*, l1/);
    expect(() => resolveLoss(3 as never)).toThrow('unknown loss 3');
  });
});

describe('the classification threshold of single-output metrics', () => {
  it('is 0 for losses named as taking logits or margins, else left to the metrics (0.5)', () => {
    for (const name of ['binaryCrossEntropyWithLogits', 'bce-with-logits', 'hinge']) expect(defaultThreshold(name), name).toBe(0);
    for (const name of ['binaryCrossEntropy', 'bce', 'mse', 'crossEntropy', undefined])
      expect(defaultThreshold(name), name).toBeUndefined();
    expect(defaultThreshold(losses.binaryCrossEntropyWithLogits)).toBeUndefined();
  });

  // One input feature, a model whose logit is the feature itself: logits −0.4, −0.2, 0.2, 0.4
  // against targets 0, 1, 1, 1 → 3 of 4 right at threshold 0; at 0.5 every sample is class 0: 1 of 4.
  const model = new Dense(1, 1);
  model.loadStateDict({ weight: new NDArray(Float32Array.from([1]), [1, 1]), bias: new NDArray(Float32Array.from([0]), [1]) });
  const data = dataset(
    new NDArray(Float32Array.from([-0.4, -0.2, 0.2, 0.4]), [4, 1]),
    new NDArray(Float32Array.from([0, 1, 1, 1]), [4, 1]),
  );

  it('evaluate and fit use it for accuracy on logits', () => {
    expect(evaluate(model, data, { loss: 'bce-with-logits', metrics: ['accuracy'] }).accuracy).toBe(3 / 4);
    expect(evaluate(model, data, { loss: 'bce-with-logits', metrics: ['accuracy'], threshold: 0.5 }).accuracy).toBe(1 / 4);
    expect(evaluate(model, data, { metrics: ['accuracy'] }).accuracy).toBe(1 / 4);
    const history = fit(model, data, {
      epochs: 1,
      batchSize: 4,
      loss: 'binaryCrossEntropyWithLogits',
      optimizer: { type: 'sgd', lr: 0 },
      metrics: ['accuracy'],
      validationData: data,
    });
    expect([history.epochs[0].accuracy, history.epochs[0].valAccuracy]).toEqual([3 / 4, 3 / 4]);
  });
});
