import type { ReduceOp } from '../backend/backend.js';
import { rowBiasGemmOf } from '../backend/js/gemm.js';
import { Generator } from '../random/generator.js';
import { sizeOf, stridesOf } from '../shape.js';
import { type ConformanceCase, expectClose, offsets, randomArray, randomShape, type Tolerance } from './check.js';

/** Matrix products with every transpose flag, reductions over every axis subset, arg-reductions and softmax. */
export function gemmAndReductionCases({ rtol, atol }: Tolerance): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  cases.push({
    name: 'gemm with every transpose flag and odd sizes',
    run(backend) {
      const g = new Generator(11);
      for (const [m, n, k] of [
        [1, 1, 1],
        [3, 5, 7],
        [17, 9, 33],
        [70, 65, 260],
        [4, 300, 2],
      ]) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const a = Float32Array.from(randomArray(g, m * k + 3));
            const b = Float32Array.from(randomArray(g, k * n + 5));
            const c = new Float32Array(m * n + 2).fill(99);
            backend.gemm(transA, transB, m, n, k, a, 3, b, 5, c, 2);
            const expected: number[] = [99, 99];
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let s = 0;
                for (let p = 0; p < k; p++) s += a[3 + (transA ? p * m + i : i * k + p)] * b[5 + (transB ? j * k + p : p * n + j)];
                expected.push(s);
              }
            }
            expectClose(
              `gemm m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`,
              c,
              expected,
              Math.max(rtol, 1e-5),
              Math.max(atol, 1e-5),
            );
          }
        }
      }
    },
  });
  cases.push({
    name: "gemm with a row bias (gemmRowBias, or matmul's fallback: gemm then the add) equals gemm and then the add, bit for bit",
    run(backend) {
      const gemmRowBias = rowBiasGemmOf(backend);
      const g = new Generator(12);
      // The sizes of both WebAssembly routes (packed tiles; few-column A·Bᵀ row dots) and of the JS fallback.
      for (const [m, n, k, transA, transB] of [
        [3, 5, 7, false, false],
        [8, 676, 9, false, false],
        [17, 9, 33, true, false],
        [8, 9, 676, false, true],
        [70, 65, 260, false, true],
      ] as const) {
        for (const dtype of ['float32', 'float64'] as const) {
          const make = (length: number) => (dtype === 'float32' ? Float32Array : Float64Array).from(randomArray(g, length));
          const [a, b, bias] = [make(m * k + 3), make(k * n + 5), make(m + 4)];
          // NaN and ±Infinity biases go through too.
          bias[4] = Number.NaN;
          bias[5] = Number.POSITIVE_INFINITY;
          const withBias = new (a.constructor as Float32ArrayConstructor)(m * n + 2).fill(99);
          const reference = withBias.slice();
          gemmRowBias(transA, transB, m, n, k, a, 3, b, 5, withBias, 2, bias, 4);
          backend.gemm(transA, transB, m, n, k, a, 3, b, 5, reference, 2);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) reference[2 + i * n + j] += bias[4 + i];
          expectClose(`gemmRowBias ${dtype} m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`, withBias, reference, 0, 0);
        }
      }
    },
  });
  cases.push({
    name: 'conv2d and conv2dWeightGrad (where a backend has them) equal im2col of the batch and then gemm image by image, bit for bit',
    run(backend) {
      const { conv2d, conv2dWeightGrad } = backend;
      if (!conv2d || !conv2dWeightGrad) return;
      const gemmRowBias = rowBiasGemmOf(backend);
      const g = new Generator(13);
      // [batch, channels, height, width, kernel, stride, padding, dilation, outChannels]: W4's
      // layer (few taps: the weight gradient as row dot products), 27 taps (packed), padding and
      // stride, dilation, and one too small for the WebAssembly gemm.
      for (const [batch, channels, height, width, kernel, stride, pad, dilation, outChannels] of [
        [3, 1, 28, 28, 3, 1, 0, 1, 8],
        [2, 3, 12, 10, 3, 1, 1, 1, 5],
        [2, 2, 11, 9, 3, 2, 1, 1, 6],
        [2, 2, 13, 13, 3, 1, 0, 2, 4],
        [2, 1, 5, 5, 2, 1, 0, 1, 2],
      ]) {
        const outH = Math.floor((height + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
        const outW = Math.floor((width + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
        const geometry = {
          ...{ batch, channels, height, width, kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride },
          ...{ padH: pad, padW: pad, dilationH: dilation, dilationW: dilation, outH, outW },
        };
        const [taps, area] = [channels * kernel * kernel, outH * outW];
        for (const dtype of ['float32', 'float64'] as const) {
          const make = (length: number) => (dtype === 'float32' ? Float32Array : Float64Array).from(randomArray(g, length));
          const [image, weight, bias, dy] = [
            make(batch * channels * height * width),
            make(outChannels * taps),
            make(outChannels),
            make(batch * outChannels * area),
          ];
          const columns = make(batch * taps * area).fill(0);
          backend.im2col(geometry, image, columns, 0, false);
          const label = `${dtype} ${JSON.stringify(geometry)} → ${outChannels} channels`;
          for (const withBias of [false, true]) {
            const out = make(batch * outChannels * area);
            const expected = out.slice();
            conv2d(geometry, image, weight, outChannels, withBias ? bias : null, out);
            for (let n = 0; n < batch; n++) {
              const [c, at] = [n * taps * area, n * outChannels * area];
              if (withBias) gemmRowBias(false, false, outChannels, area, taps, weight, 0, columns, c, expected, at, bias, 0);
              else backend.gemm(false, false, outChannels, area, taps, weight, 0, columns, c, expected, at);
            }
            expectClose(`conv2d ${withBias ? 'with' : 'without'} bias, ${label}`, out, expected, 0, 0);
          }
          const grads = make(batch * outChannels * taps);
          const expected = grads.slice();
          conv2dWeightGrad(geometry, image, dy, outChannels, grads);
          for (let n = 0; n < batch; n++) {
            backend.gemm(
              false,
              true,
              outChannels,
              taps,
              area,
              dy,
              n * outChannels * area,
              columns,
              n * taps * area,
              expected,
              n * outChannels * taps,
            );
          }
          expectClose(`conv2dWeightGrad ${label}`, grads, expected, 0, 0);
        }
      }
    },
  });
  for (const op of ['sum', 'prod', 'max', 'min'] as ReduceOp[]) {
    cases.push({
      name: `reduce ${op} over every axis subset`,
      run(backend) {
        const g = new Generator(200 + op.length);
        for (let trial = 0; trial < 12; trial++) {
          const shape = randomShape(g, 1 + g.nextBelow(4));
          const x = randomArray(g, sizeOf(shape), 1.5);
          for (let mask = 1; mask < 1 << shape.length; mask++) {
            const axes = shape.map((_, i) => i).filter((i) => mask & (1 << i));
            const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
            const out = new Float64Array(sizeOf(kept));
            backend.reduce(op, x, shape, axes, out);
            const expected = new Float64Array(out.length).fill(op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity);
            const outStrides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
            offsets(shape, outStrides).forEach((o, i) => {
              const v = x[i];
              expected[o] =
                op === 'sum'
                  ? expected[o] + v
                  : op === 'prod'
                    ? expected[o] * v
                    : op === 'max'
                      ? Math.max(expected[o], v)
                      : Math.min(expected[o], v);
            });
            expectClose(`reduce ${op} shape=${JSON.stringify(shape)} axes=${JSON.stringify(axes)}`, out, expected, 1e-12, 1e-12);
          }
        }
      },
    });
  }
  cases.push({
    name: 'argmax and argmin pick the first extreme',
    run(backend) {
      const x = Float64Array.from([3, 1, 3, 0, 0, 2]);
      const out = new Int32Array(2);
      backend.argReduce('argmax', x, [2, 3], [1], out);
      expectClose('argmax rows', out, [0, 2], 0, 0);
      backend.argReduce('argmin', x, [2, 3], [1], out);
      expectClose('argmin rows', out, [1, 0], 0, 0);
      const all = new Int32Array(1);
      backend.argReduce('argmax', x, [2, 3], [0, 1], all);
      expectClose('argmax all', all, [0], 0, 0);
    },
  });
  cases.push({
    name: 'softmax and logSoftmax along a middle axis',
    run(backend) {
      const g = new Generator(5);
      const [outer, length, inner] = [2, 5, 3];
      const x = randomArray(g, outer * length * inner, 50);
      for (const log of [false, true]) {
        const out = new Float64Array(x.length);
        backend.softmax(x, outer, length, inner, out, log);
        const expected = new Float64Array(x.length);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            const idx = Array.from({ length }, (_, j) => o * length * inner + j * inner + i);
            const m = Math.max(...idx.map((j) => x[j]));
            const s = idx.reduce((acc, j) => acc + Math.exp(x[j] - m), 0);
            for (const j of idx) expected[j] = log ? x[j] - m - Math.log(s) : Math.exp(x[j] - m) / s;
          }
        }
        expectClose(log ? 'logSoftmax' : 'softmax', out, expected, 1e-12, 1e-14);
      }
    },
  });
  return cases;
}
