import type { TypedArray } from '../../dtype.js';

/** Stable (log-)softmax along the middle axis of `[outer, axisLength, inner]`: shift by the max first. */
export function softmax(x: TypedArray, outer: number, axisLength: number, inner: number, out: TypedArray, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * axisLength * inner + i;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < axisLength; j++) {
        const v = x[base + j * inner];
        if (v > max || v !== v) max = v;
      }
      if (max === Number.NEGATIVE_INFINITY) max = 0;
      let sum = 0;
      for (let j = 0; j < axisLength; j++) sum += Math.exp(x[base + j * inner] - max);
      if (log) {
        const logSum = Math.log(sum) + max;
        for (let j = 0; j < axisLength; j++) out[base + j * inner] = x[base + j * inner] - logSum;
      } else {
        for (let j = 0; j < axisLength; j++) out[base + j * inner] = Math.exp(x[base + j * inner] - max) / sum;
      }
    }
  }
}
