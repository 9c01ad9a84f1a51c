import * as tf from '@tensorflow/tfjs';
import {
  accuracyOf,
  type Measurement,
  mlpThroughput,
  mnistInitialWeights,
  mnistTask,
  type Subject,
  stepsPerSecond,
  synthetic,
  syntheticLabels,
  timeToAccuracy,
  xorEpochs,
  xorResult,
} from './types.js';

/** TensorFlow.js with its `cpu` or `wasm` backend, written the way its docs teach (variables, optimizer.minimize). */
export async function tfjs(backend: 'cpu' | 'wasm'): Promise<Subject> {
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  // Dense weights as backprop's default: uniform ±1/√fan_in.
  const init = (shape: [number, number]) =>
    tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(shape[0]), 1 / Math.sqrt(shape[0]), 'float32', 1));
  const mlp = () => {
    const w = [init([784, 256]), init([256, 128]), init([128, 10])];
    const b = [tf.variable(tf.zeros([256])), tf.variable(tf.zeros([128])), tf.variable(tf.zeros([10]))];
    const optimizer = tf.train.adam(1e-3);
    const x = tf.tensor2d(synthetic(128, 784, 1), [128, 784]);
    const y = tf.oneHot(tf.tensor1d(syntheticLabels(128, 10, 2), 'int32'), 10);
    return () =>
      optimizer.minimize(() => {
        const h1 = tf.relu(tf.add(tf.matMul(x, w[0]), b[0]));
        const h2 = tf.relu(tf.add(tf.matMul(h1, w[1]), b[1]));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, w[2]), b[2])) as tf.Scalar;
      });
  };
  return {
    async w1(n: number): Promise<Measurement> {
      const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
      const c = tf.randomNormal([n, n], 0, 1, 'float32', 2);
      const first = tf.matMul(a, c);
      await first.data();
      first.dispose();
      const reps = n >= 1024 ? 3 : n >= 512 ? 10 : 40;
      const start = performance.now();
      for (let i = 0; i < reps; i++) {
        const r = tf.matMul(a, c);
        await r.data();
        r.dispose();
      }
      return { value: (2 * n ** 3 * reps) / ((performance.now() - start) / 1000) / 1e9 };
    },
    async w2(): Promise<Measurement> {
      return mlpThroughput(mlp());
    },
    async w3(epochs = xorEpochs): Promise<Measurement> {
      const w1 = tf.variable(tf.randomNormal([2, 4], 0, 1, 'float32', 1));
      const b1 = tf.variable(tf.zeros([4]));
      const w2 = tf.variable(tf.randomNormal([4, 1], 0, 1, 'float32', 2));
      const b2 = tf.variable(tf.zeros([1]));
      const x = tf.tensor2d([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
      const y = tf.tensor2d([0, 1, 1, 0], [4, 1]);
      const optimizer = tf.train.sgd(0.5);
      const forward = () => tf.sigmoid(tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(x, w1), b1)), w2), b2));
      const start = performance.now();
      for (let epoch = 0; epoch < epochs; epoch++) {
        optimizer.minimize(() => tf.mean(tf.mul(0.5, tf.square(tf.sub(forward(), y)))) as tf.Scalar);
      }
      const ms = performance.now() - start;
      return xorResult(ms, tf.tidy(forward).dataSync());
    },
    async w6(): Promise<Measurement> {
      const task = mnistTask();
      const [w1, w2] = mnistInitialWeights();
      const w = [tf.variable(tf.tensor2d(w1, [784, 128])), tf.variable(tf.tensor2d(w2, [128, 10]))];
      const b = [tf.variable(tf.zeros([128])), tf.variable(tf.zeros([10]))];
      const optimizer = tf.train.adam(1e-3);
      const forward = (x: tf.Tensor) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w[0]), b[0])), w[1]), b[1]);
      const testX = tf.tensor2d(task.test.x, [task.test.length, 784]);
      return timeToAccuracy(
        task,
        (x, y, size) => {
          tf.tidy(() => {
            const input = tf.tensor2d(x, [size, 784]);
            const target = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
            optimizer.minimize(() => tf.losses.softmaxCrossEntropy(target, forward(input)) as tf.Scalar);
          });
        },
        async () => {
          const scores = tf.tidy(() => forward(testX));
          const accuracy = accuracyOf(await scores.data(), task.test.y);
          scores.dispose();
          return accuracy;
        },
      );
    },
    async w4(): Promise<Measurement> {
      const kernel = tf.variable(tf.randomNormal([3, 3, 1, 8], 0, 1 / 3, 'float32', 3)) as tf.Variable<tf.Rank.R4>;
      const bias = tf.variable(tf.zeros([8]));
      const w = tf.variable(tf.randomUniform([8 * 13 * 13, 10], -0.03, 0.03, 'float32', 4));
      const b = tf.variable(tf.zeros([10]));
      const x = tf.tensor4d(synthetic(64, 784, 4), [64, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(syntheticLabels(64, 10, 5), 'int32'), 10);
      const optimizer = tf.train.sgd(0.01);
      const step = () =>
        optimizer.minimize(() => {
          const h = tf.maxPool(
            tf.relu(tf.add(tf.conv2d(x, kernel as unknown as tf.Tensor4D, 1, 'valid'), bias)) as tf.Tensor4D,
            2,
            2,
            'valid',
          );
          return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.reshape(h, [64, 8 * 13 * 13]), w), b)) as tf.Scalar;
        });
      try {
        step();
      } catch (error) {
        throw new Error(`unsupported: ${(error as Error).message.split('\n')[0]}`);
      }
      return stepsPerSecond(step, 2);
    },
  };
}
