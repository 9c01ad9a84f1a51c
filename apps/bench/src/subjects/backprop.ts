import { compileBackward, conv2d, fromArray, manualSeed, maxPool2d, NDArray, noGrad, randn, tensor } from '@backprop/engine';
import { Dense, ReLU, Sequential, Sigmoid } from '@backprop/layers';
import { crossEntropy, halfSquaredError } from '@backprop/losses';
import { Adam, SGD } from '@backprop/optim';
import { getBackend, matmul, randn as randnArray } from '@backprop/tensor';
import {
  accuracyOf,
  type Measurement,
  mlpThroughput,
  mnistInitialWeights,
  mnistTask,
  rssMB,
  type Subject,
  stepsPerSecond,
  synthetic,
  syntheticLabels,
  timeToAccuracy,
  xorEpochs,
  xorResult,
} from './types.js';

function mlpStep() {
  manualSeed(1);
  const model = new Sequential(new Dense(784, 256), new ReLU(), new Dense(256, 128), new ReLU(), new Dense(128, 10));
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const x = fromArray(new NDArray(synthetic(128, 784, 1), [128, 784]));
  const y = fromArray(new NDArray(syntheticLabels(128, 10, 2), [128]));
  return () => {
    optimizer.zeroGrad();
    crossEntropy(model.forward(x), y).backward();
    optimizer.step();
  };
}

/** W3's network, optimizer and data (the API sketch's XOR). */
function xorSetup() {
  // The backend's kernels are compiled on first use; load them here, outside the timed loop, as the
  // TensorFlow.js subjects' setBackend + ready do before theirs.
  getBackend();
  manualSeed(1);
  const model = new Sequential(new Dense(2, 4), new Sigmoid(), new Dense(4, 1), new Sigmoid());
  const optimizer = new SGD(model.parameters(), { lr: 0.5 });
  const x = tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = tensor([[0], [1], [1], [0]]);
  return { model, optimizer, x, y };
}

/** W3 with the loss and backward pass compiled by `compileBackward` (the trace is inside the timed run). */
export const backpropCompiled: Subject = {
  w3(epochs = xorEpochs): Measurement {
    const { model, optimizer, x, y } = xorSetup();
    const start = performance.now();
    const lossAndBackward = compileBackward(() => halfSquaredError(model.forward(x), y));
    for (let epoch = 0; epoch < epochs; epoch++) {
      optimizer.zeroGrad();
      lossAndBackward();
      optimizer.step();
    }
    return xorResult(performance.now() - start, noGrad(() => model.forward(x)).data);
  },
};

export const backprop: Subject = {
  w1(n: number): Measurement {
    const a = randnArray([n, n], { seed: 1 });
    const b = randnArray([n, n], { seed: 2 });
    matmul(a, b);
    const reps = n >= 1024 ? 3 : n >= 512 ? 10 : 40;
    const start = performance.now();
    for (let i = 0; i < reps; i++) matmul(a, b);
    const seconds = (performance.now() - start) / 1000;
    return { value: (2 * n ** 3 * reps) / seconds / 1e9 };
  },
  w2(): Measurement {
    return mlpThroughput(mlpStep());
  },
  w3(epochs = xorEpochs): Measurement {
    const { model, optimizer, x, y } = xorSetup();
    const start = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      optimizer.zeroGrad();
      halfSquaredError(model.forward(x), y).backward();
      optimizer.step();
    }
    return xorResult(performance.now() - start, noGrad(() => model.forward(x)).data);
  },
  w4(): Measurement {
    manualSeed(1);
    const kernel = randn([8, 1, 3, 3], { seed: 3 })
      .mul(1 / 3)
      .detach()
      .setRequiresGrad();
    const bias = tensor(new Array(8).fill(0)).setRequiresGrad();
    const dense = new Dense(8 * 13 * 13, 10);
    const params = [kernel, bias, ...dense.parameters()];
    const optimizer = new SGD(params, { lr: 0.01 });
    const x = fromArray(new NDArray(synthetic(64, 784, 4), [64, 1, 28, 28]));
    const y = fromArray(new NDArray(syntheticLabels(64, 10, 5), [64]));
    const step = () => {
      optimizer.zeroGrad();
      const h = maxPool2d(conv2d(x, kernel, bias).relu(), { kernelSize: 2 });
      crossEntropy(dense.forward(h.reshape([64, 8 * 13 * 13])), y).backward();
      optimizer.step();
    };
    for (let i = 0; i < 3; i++) step();
    return stepsPerSecond(step, 5);
  },
  async w6(): Promise<Measurement> {
    const task = mnistTask();
    const [hidden, output] = [new Dense(784, 128), new Dense(128, 10)];
    const [w1, w2] = mnistInitialWeights();
    hidden.weight.data.set(w1);
    output.weight.data.set(w2);
    const model = new Sequential(hidden, new ReLU(), output);
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
    const testX = fromArray(new NDArray(task.test.x, [task.test.length, 784]));
    return timeToAccuracy(
      task,
      (x, y, size) => {
        optimizer.zeroGrad();
        crossEntropy(model.forward(fromArray(new NDArray(x, [size, 784]))), fromArray(new NDArray(y, [size]))).backward();
        optimizer.step();
      },
      () => noGrad(() => accuracyOf(model.forward(testX).data, task.test.y)),
    );
  },
  w5(): Measurement {
    const step = mlpStep();
    let at100 = 0;
    for (let i = 1; i <= 2000; i++) {
      step();
      if (i === 100) at100 = rssMB();
    }
    const at2000 = rssMB();
    return { value: at2000 / at100, extra: { rssAt100MB: at100, rssAt2000MB: at2000 } };
  },
};
