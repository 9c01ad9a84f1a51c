import { describe, expect, it } from 'vitest';
import { crossValidateIris } from './iris.js';
import { loadMnist, trainMnist } from './mnist.js';

// Short versions of the examples for CI: the loss falls and accuracy beats chance (10% for
// digits, 33% for iris) by a wide margin. The full runs are in the README.

describe('examples on real data (short CI versions)', () => {
  it('the mnist package provides 10,000 labelled 28×28 digits', () => {
    const data = loadMnist();
    expect(data.x.shape).toEqual([10_000, 784]);
    expect(new Set(data.y.data).size).toBe(10);
  });

  it('MLP on 2,000 MNIST digits, 2 epochs', () => {
    const result = trainMnist({ model: 'mlp', epochs: 2, trainSize: 2000, testSize: 1000 });
    expect(result.losses[1]).toBeLessThan(result.losses[0]);
    expect(result.testAccuracy).toBeGreaterThan(0.75);
  });

  it('CNN on 600 MNIST digits, 2 epochs', () => {
    const result = trainMnist({ model: 'cnn', epochs: 2, trainSize: 600, testSize: 500 });
    expect(result.losses[1]).toBeLessThan(result.losses[0]);
    expect(result.testAccuracy).toBeGreaterThan(0.5);
  }, 60_000);

  it('iris, 2-fold cross-validation, 30 epochs', () => {
    const result = crossValidateIris(30, 2);
    for (const losses of result.losses) expect(losses.at(-1)).toBeLessThan(losses[0] / 2);
    expect(result.mean).toBeGreaterThan(0.8);
  });
});
