import { NDArray } from '@backprop/tensor';
import { describe, expect, it } from 'vitest';
import { dataset, split, trainTestSplit } from './data.js';
import { accuracy, confusionMatrix, meanAbsoluteError, meanSquaredError, precisionRecallF1, r2Score } from './metrics.js';
import { LabelEncoder, MinMaxScaler, oneHotLabels, Standardizer, scalerFromJSON } from './preprocess.js';

const nd = (values: number[], shape: number[]) => new NDArray(Float64Array.from(values), shape);

describe('classification metrics', () => {
  // Predictions (argmax): 0, 1, 1, 2, 2, 0 ; truth: 0, 1, 2, 2, 2, 1
  const logits = nd([5, 1, 0, 0, 3, 1, 0, 2, 1, 0, 0, 4, 1, 0, 2, 2, 1, 0], [6, 3]);
  const labels = new NDArray(Int32Array.from([0, 1, 2, 2, 2, 1]), [6]);
  it('accuracy and the confusion matrix', () => {
    expect(accuracy(logits, labels)).toBe(4 / 6);
    expect(confusionMatrix(logits, labels)).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 2],
    ]);
  });
  it('macro precision, recall and F1 from the per-class counts', () => {
    const r = precisionRecallF1(logits, labels);
    // class 0: P 1/2, R 1/1; class 1: P 1/2, R 1/2; class 2: P 2/2, R 2/3
    const f = (p: number, q: number) => (2 * p * q) / (p + q);
    expect(r.precision).toBeCloseTo((0.5 + 0.5 + 1) / 3, 12);
    expect(r.recall).toBeCloseTo((1 + 0.5 + 2 / 3) / 3, 12);
    expect(r.f1).toBeCloseTo((f(0.5, 1) + f(0.5, 0.5) + f(1, 2 / 3)) / 3, 12);
    expect(r.perClass[2].support).toBe(3);
  });
  it('labels in a float array are class indices for multi-class predictions (they were thresholded at 0.5, so 2 counted as 1)', () => {
    const asFloat = nd([0, 1, 2, 2, 2, 1], [6]);
    expect(accuracy(logits, asFloat)).toBe(4 / 6);
    expect(accuracy(logits, nd([0, 1, 2, 2, 2, 1], [6, 1]))).toBe(4 / 6);
    expect(confusionMatrix(logits, asFloat)).toEqual(confusionMatrix(logits, labels));
    expect(precisionRecallF1(logits, asFloat)).toEqual(precisionRecallF1(logits, labels));
    expect(() => accuracy(logits, nd([0, 1, 2.5, 2, 2, 1], [6]))).toThrow(
      'accuracy: target 2.5 at row 2 is not a class index: with 3 classes predicted, one target per sample is a class from 0 to 2',
    );
    expect(() => confusionMatrix(logits, new NDArray(Int32Array.from([0, 1, 3, 2, 2, 1]), [6]))).toThrow(
      'confusionMatrix: target 3 at row 2 is not a class index',
    );
    // A dataset built from plain numbers holds its labels as floats: fit's and evaluate's accuracy read them as classes.
    expect(accuracy(logits, dataset([[0], [1], [2], [3], [4], [5]], [0, 1, 2, 2, 2, 1]).y)).toBe(4 / 6);
  });

  it('binary predictions use the threshold; one-hot targets work', () => {
    const p = nd([0.2, 0.7, 0.55, 0.4], [4, 1]);
    const t = nd([0, 1, 0, 0], [4, 1]);
    expect(accuracy(p, t)).toBe(0.75);
    expect(accuracy(p, t, { threshold: 0.6 })).toBe(1);
    expect(accuracy(logits, nd([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0], [6, 3]))).toBe(4 / 6);
  });
});

describe('regression metrics', () => {
  const p = nd([1, 2, 3, 5], [4]);
  const t = nd([1, 3, 2, 4], [4]);
  it('mse, mae and r²', () => {
    expect(meanSquaredError(p, t)).toBe(3 / 4);
    expect(meanAbsoluteError(p, t)).toBe(3 / 4);
    // mean of t = 2.5; SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5; SS_res = 3
    expect(r2Score(p, t)).toBeCloseTo(1 - 3 / 5, 12);
    expect(r2Score(t, t)).toBe(1);
  });
  it('r² of constant targets: 1 when predicted exactly, else 0 (as scikit-learn), whatever their mean rounds to', () => {
    // Six 0.1s average to 0.09999999999999999: SS_tot came out 1e-33 instead of 0, and r² −10³¹.
    const constant = nd(new Array(6).fill(0.1), [6]);
    expect(r2Score(constant, constant)).toBe(1);
    // Several outputs: each against its own mean, then averaged (scikit-learn's uniform_average):
    // output 0 targets [1, 2] predicted [1, 3]: 1 − 1/0.5 = −1; output 1 targets [3, 5] predicted [2, 4]: 1 − 2/2 = 0.
    expect(r2Score(nd([1, 2, 3, 4], [2, 2]), nd([1, 3, 2, 5], [2, 2]))).toBe(-0.5);
    expect(r2Score(nd([0.1, 0.1, 0.1, 0.1, 0.1, 0.2], [6]), constant)).toBe(0);
    // A large offset does not cancel the spread away: r² of 10⁹ + (1, 3, 2, 4) is the same as above.
    const shift = (a: ReturnType<typeof nd>) =>
      nd(
        [...a.data].map((v) => v + 1e9),
        [4],
      );
    expect(r2Score(shift(p), shift(t))).toBeCloseTo(1 - 3 / 5, 12);
  });
});

describe('data helpers', () => {
  const data = dataset(
    Array.from({ length: 10 }, (_, i) => [i, 2 * i]),
    Array.from({ length: 10 }, (_, i) => i),
  );
  it('split partitions every sample exactly once, reproducibly', () => {
    const [a, b, c] = split(data, [0.6, 0.2, 0.2], { seed: 4 });
    expect([a.length, b.length, c.length]).toEqual([6, 2, 2]);
    const ids = [...a.y.data, ...b.y.data, ...c.y.data].sort((p, q) => p - q);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...split(data, [0.6, 0.2, 0.2], { seed: 4 })[0].y.data]).toEqual([...a.y.data]);
    const [train, test] = trainTestSplit(data, { testFraction: 0.3, seed: 1 });
    expect([train.length, test.length]).toEqual([7, 3]);
    expect(() => split(data, [0.5, 0.6])).toThrow(/summing to 1/);
  });
  it('standardisation and min-max scaling round-trip through JSON', () => {
    const s = Standardizer.fit(data.x);
    const z = s.transform(data.x);
    expect(s.mean).toEqual([4.5, 9]);
    let sum = 0;
    for (let i = 0; i < z.size; i += 2) sum += z.data[i] ** 2;
    expect(sum / 10).toBeCloseTo(1, 6);
    const again = scalerFromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    expect([...again.transform(data.x).data]).toEqual([...z.data]);
    const m = MinMaxScaler.fit(data.x, [-1, 1]);
    const scaled = m.transform(data.x);
    expect([scaled.data[0], scaled.data[18]]).toEqual([-1, 1]);
    expect([...m.inverseTransform(scaled).data].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([...data.x.data]);
    expect(() => s.transform(nd([1, 2, 3], [1, 3]))).toThrow(
      'Standardizer.transform: the scaler was fitted on 2 features per sample, this data has 3',
    );
    expect(() => scalerFromJSON({ type: 'standardize', mean: [1], std: [0] })).toThrow(/not a valid scaler/);
  });
  it('one-hot encoding of labels', () => {
    const rows = oneHotLabels([2, 0, 1], 3);
    expect(rows.shape).toEqual([3, 3]);
    expect([...rows.data]).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(() => oneHotLabels([0, 3], 3)).toThrow('oneHotLabels: label 3 at position 1 is not a class from 0 to 2');
  });
  it('label encoding', () => {
    const enc = LabelEncoder.fit(['setosa', 'virginica', 'setosa', 'versicolor']);
    expect(enc.classes).toEqual(['setosa', 'virginica', 'versicolor']);
    expect([...enc.encode(['versicolor', 'setosa'])]).toEqual([2, 0]);
    expect(enc.decode([1])).toEqual(['virginica']);
    expect(() => enc.encode(['rose'])).toThrow(
      'LabelEncoder.encode: unknown class "rose" at position 0; known: setosa, virginica, versicolor',
    );
    // An index that is not a class is refused, not decoded to a made-up name ('3').
    for (const [k, at] of [
      [3, 1],
      [-1, 1],
      [1.5, 1],
    ]) {
      expect(() => enc.decode([0, k]), String(k)).toThrow(
        `LabelEncoder.decode: index ${k} at position ${at} is not a class: the encoder has 3 (0 to 2)`,
      );
    }
    // Classes are names: 1 and '1' are one.
    expect(() => new LabelEncoder(['1', 1 as unknown as string])).toThrow(
      'LabelEncoder: classes must be a non-empty list of distinct names',
    );
  });
});
