import { lcg, type Measurement, type Subject, xorEpochs, xorResult } from './types.js';

/** W3 as a hand-written scalar loop: the floor for per-op overhead (2-4-1 sigmoid, ½ squared error, full-batch SGD). */
export const scalar: Subject = {
  w3(epochs = xorEpochs): Measurement {
    const X = [0, 0, 0, 1, 1, 0, 1, 1];
    const Y = [0, 1, 1, 0];
    const rand = lcg(12345);
    const w1 = Float64Array.from({ length: 8 }, rand);
    const b1 = new Float64Array(4);
    const w2 = Float64Array.from({ length: 4 }, rand);
    let b2 = 0;
    const h = new Float64Array(16);
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const start = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      const gw1 = new Float64Array(8);
      const gb1 = new Float64Array(4);
      const gw2 = new Float64Array(4);
      let gb2 = 0;
      for (let n = 0; n < 4; n++) {
        let z2 = b2;
        for (let j = 0; j < 4; j++) {
          h[n * 4 + j] = sigmoid(X[2 * n] * w1[j] + X[2 * n + 1] * w1[4 + j] + b1[j]);
          z2 += h[n * 4 + j] * w2[j];
        }
        const f = sigmoid(z2);
        const d2 = ((f - Y[n]) * f * (1 - f)) / 4;
        gb2 += d2;
        for (let j = 0; j < 4; j++) {
          gw2[j] += d2 * h[n * 4 + j];
          const d1 = d2 * w2[j] * h[n * 4 + j] * (1 - h[n * 4 + j]);
          gb1[j] += d1;
          gw1[j] += d1 * X[2 * n];
          gw1[4 + j] += d1 * X[2 * n + 1];
        }
      }
      for (let i = 0; i < 8; i++) w1[i] -= 0.5 * gw1[i];
      for (let j = 0; j < 4; j++) {
        b1[j] -= 0.5 * gb1[j];
        w2[j] -= 0.5 * gw2[j];
      }
      b2 -= 0.5 * gb2;
    }
    const ms = performance.now() - start;
    const outputs = [0, 1, 2, 3].map((n) => {
      let z2 = b2;
      for (let j = 0; j < 4; j++) z2 += sigmoid(X[2 * n] * w1[j] + X[2 * n + 1] * w1[4 + j] + b1[j]) * w2[j];
      return sigmoid(z2);
    });
    return xorResult(ms, outputs);
  },
};
