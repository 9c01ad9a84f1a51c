import { Generator } from '../random/generator.js';
import { type ConformanceCase, expectClose, randomArray } from './check.js';

/** Fused optimizer updates: Adam (with and without AMSGrad and weight decay) against its textbook formula. */
export function optimizerCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  cases.push({
    name: 'Adam step (with and without AMSGrad, weight decay), float32 and float64',
    run(backend) {
      const g = new Generator(21);
      for (const [length, float32, amsgrad] of [
        [37, false, false],
        [5003, true, false],
        [4099, true, true],
      ] as const) {
        const make = (values: Float64Array) => (float32 ? Float32Array.from(values) : values);
        const param = make(randomArray(g, length));
        const grad = make(randomArray(g, length));
        const m = make(randomArray(g, length, 0.1));
        const v = make(Float64Array.from(randomArray(g, length, 0.1), Math.abs));
        const vMax = amsgrad ? make(Float64Array.from(randomArray(g, length, 0.1), Math.abs)) : null;
        const hyper = {
          stepSize: 0.01,
          beta1: 0.9,
          beta2: 0.999,
          inverseSqrtCorrection2: 1 / Math.sqrt(1 - 0.999 ** 3),
          eps: 1e-8,
          l2: 0.01,
          shrink: 0.999,
        };
        const expected = { param: [] as number[], m: [] as number[], v: [] as number[], vMax: [] as number[] };
        const round = float32 ? Math.fround : (x: number) => x;
        for (let i = 0; i < length; i++) {
          const gi = grad[i] + hyper.l2 * param[i];
          const mi = round(hyper.beta1 * m[i] + (1 - hyper.beta1) * gi);
          const vi = round(hyper.beta2 * v[i] + (1 - hyper.beta2) * gi * gi);
          const second = vMax ? Math.max(vMax[i], vi) : vi;
          expected.m.push(mi);
          expected.v.push(vi);
          expected.vMax.push(second);
          expected.param.push(
            param[i] * hyper.shrink - (hyper.stepSize * mi) / (Math.sqrt(second) * hyper.inverseSqrtCorrection2 + hyper.eps),
          );
        }
        backend.adam(param, grad, m, v, vMax, hyper);
        // float32 kernels may compute in float32: a few ulps.
        const [r, a] = float32 ? [1e-5, 1e-6] : [1e-12, 1e-15];
        expectClose(`adam m (${length})`, m, expected.m, r, a);
        expectClose(`adam v (${length})`, v, expected.v, r, a);
        if (vMax) expectClose(`adam vMax (${length})`, vMax, expected.vMax, r, a);
        expectClose(`adam param (${length})`, param, expected.param, r, a);
      }
    },
  });
  return cases;
}
