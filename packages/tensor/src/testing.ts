/**
 * `@backprop/tensor/testing`: the conformance suite every backend must pass. Each case drives a
 * kernel of the backend under test with seeded random inputs and compares it with an obviously
 * correct reference loop written here, element by element.
 *
 * @example
 * import { backendConformanceCases } from '@backprop/tensor/testing';
 * for (const c of backendConformanceCases()) it(c.name, () => c.run(myBackend));
 * @packageDocumentation
 */
import type { Backend, BinaryOp, ReduceOp, UnaryOp } from './backend/backend.js';
import { erf } from './backend/js/scalar.js';
import { windowGeometry } from './ops/window.js';
import { Generator } from './random/generator.js';
import { sizeOf, stridesOf } from './shape.js';

/** One named check of a backend; `run` throws an Error describing the first mismatch. */
export interface ConformanceCase {
  readonly name: string;
  run(backend: Backend): void;
}

/** Tolerances of the comparison: float32 kernels may sum in another order than the reference. */
export interface ConformanceOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
}

function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): void {
  if (actual.length !== expected.length) throw new Error(`${name}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${name}: element ${i} is ${a}, expected ${e}`);
  }
}

function randomArray(g: Generator, length: number, scale = 2): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = (g.nextFloat() - 0.5) * 2 * scale;
  return out;
}

function randomShape(g: Generator, ndim: number, maxDim = 4): number[] {
  return Array.from({ length: ndim }, () => 1 + g.nextBelow(maxDim));
}

/** Index of every element of `shape` under `strides` (the naive odometer). */
function offsets(shape: readonly number[], strides: readonly number[], base = 0): number[] {
  const out: number[] = [];
  const visit = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      out.push(offset);
      return;
    }
    for (let i = 0; i < shape[dim]; i++) visit(dim + 1, offset + i * strides[dim]);
  };
  visit(0, base);
  return out;
}

const unaryReference: Record<UnaryOp, (x: number, p0: number, p1: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
  sign: Math.sign,
  floor: Math.floor,
  ceil: Math.ceil,
  round: (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  erf,
  pow: (x, p) => x ** p,
  clamp: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
};

const binaryReference: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: Math.max,
  minimum: Math.min,
  eq: (a, b) => Number(a === b),
  ne: (a, b) => Number(a !== b),
  lt: (a, b) => Number(a < b),
  le: (a, b) => Number(a <= b),
  gt: (a, b) => Number(a > b),
  ge: (a, b) => Number(a >= b),
  reluGrad: (a, b) => a * Number(b > 0),
  sigmoidGrad: (a, b) => a * (b * (1 - b)),
  tanhGrad: (a, b) => a * (1 - b * b),
};

/** The conformance cases (each seeded, so a failure reproduces). */
export function backendConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  const cases: ConformanceCase[] = [];
  for (const op of Object.keys(unaryReference) as UnaryOp[]) {
    cases.push({
      name: `unary ${op}`,
      run(backend) {
        const g = new Generator(op.length);
        const positive = op === 'log' || op === 'sqrt' || op === 'pow';
        const x = Float32Array.from(randomArray(g, 37, 3), (v) => (positive ? Math.abs(v) + 0.1 : v));
        const out = new Float32Array(x.length);
        backend.unary(op, x, out, op === 'clamp' ? -1 : 1.5, 1);
        const expected = Float32Array.from(x, (v) => unaryReference[op](v, op === 'clamp' ? -1 : 1.5, 1));
        expectClose(`unary ${op}`, out, expected, rtol, atol);
      },
    });
  }
  for (const op of Object.keys(binaryReference) as BinaryOp[]) {
    cases.push({
      name: `binary ${op} with broadcasting`,
      run(backend) {
        const g = new Generator(100 + op.length);
        for (let trial = 0; trial < 20; trial++) {
          const shape = randomShape(g, 1 + g.nextBelow(4));
          const aShape = shape.map((d) => (g.nextBelow(3) === 0 ? 1 : d));
          const bShape = shape.map((d) => (g.nextBelow(3) === 0 ? 1 : d));
          const a = Float64Array.from(randomArray(g, sizeOf(aShape)), (v) => (op === 'pow' ? Math.abs(v) : Math.round(v * 4) / 4));
          const b = Float64Array.from(randomArray(g, sizeOf(bShape)), (v) => Math.round(v * 4) / 4 || 0.5);
          const aStrides = stridesOf(aShape).map((s, i) => (aShape[i] === 1 ? 0 : s));
          const bStrides = stridesOf(bShape).map((s, i) => (bShape[i] === 1 ? 0 : s));
          const out = new Float64Array(sizeOf(shape));
          backend.binary(op, a, aStrides, b, bStrides, out, shape);
          const ai = offsets(shape, aStrides);
          const bi = offsets(shape, bStrides);
          const expected = ai.map((o, i) => binaryReference[op](a[o], b[bi[i]]));
          expectClose(`binary ${op} ${JSON.stringify([aShape, bShape])}`, out, expected, 1e-12, 1e-12);
        }
      },
    });
  }
  cases.push({
    name: 'float32 element-wise ops on large arrays: every op and broadcast layout, special values',
    run(backend) {
      const g = new Generator(77);
      const shape = [3, 5, 17, 29];
      const layouts = [shape, [3, 5, 17, 1], [1, 1, 17, 29], [1, 5, 1, 1], [1, 1, 1, 1], [3, 1, 17, 29]];
      const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0];
      const values = (n: number) =>
        Float32Array.from(randomArray(g, n), (v, i) => (i % 13 === 5 ? specials[i % specials.length] : Math.round(v * 8) / 8));
      for (const op of Object.keys(binaryReference) as BinaryOp[]) {
        if (op === 'pow' || op === 'maximum' || op === 'minimum') continue;
        const comparison = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op);
        for (const [aShape, bShape] of [...layouts.map((l) => [shape, l]), ...layouts.map((l) => [l, shape])]) {
          const a = values(sizeOf(aShape));
          const b = values(sizeOf(bShape));
          const aStrides = stridesOf(aShape).map((s, i) => (aShape[i] === 1 ? 0 : s));
          const bStrides = stridesOf(bShape).map((s, i) => (bShape[i] === 1 ? 0 : s));
          const out = comparison ? new Int32Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
          backend.binary(op, a, aStrides, b, bStrides, out, shape);
          const ai = offsets(shape, aStrides);
          const bi = offsets(shape, bStrides);
          const expected = ai.map((o, i) => Math.fround(binaryReference[op](a[o], b[bi[i]])));
          expectClose(`binary ${op} float32 ${JSON.stringify([aShape, bShape])}`, out, expected, 0, 0);
        }
      }
      const x = values(sizeOf(shape));
      const relu = new Float32Array(x.length);
      backend.unary('relu', x, relu);
      expectClose(
        'unary relu float32',
        relu,
        Array.from(x, (v) => (Number.isNaN(v) ? v : Math.max(v, 0))),
        0,
        0,
      );
      for (let i = 0; i < x.length; i++) {
        if (Object.is(relu[i], -0)) throw new Error(`unary relu float32: element ${i} is -0, expected +0`);
      }
    },
  });
  cases.push({
    name: 'where with broadcasting',
    run(backend) {
      const g = new Generator(7);
      const shape = [3, 4];
      const cond = Int32Array.from({ length: 4 }, () => g.nextBelow(2));
      const a = randomArray(g, 12);
      const b = randomArray(g, 3);
      const out = new Float64Array(12);
      backend.where(cond, [0, 1], a, [4, 1], b, [1, 0], out, shape);
      const expected = Array.from({ length: 12 }, (_, i) => (cond[i % 4] ? a[i] : b[Math.floor(i / 4)]));
      expectClose('where', out, expected, 0, 0);
    },
  });
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
  cases.push({
    name: 'strided copy (permute, negative strides, offsets)',
    run(backend) {
      const g = new Generator(9);
      const shape = [2, 3, 4];
      const src = randomArray(g, 24);
      const srcStrides = [1, 8, -2];
      const dst = new Float64Array(30);
      backend.copy(src, 6, srcStrides, dst, 5, [12, 4, 1], shape);
      const from = offsets(shape, srcStrides, 6);
      const to = offsets(shape, [12, 4, 1], 5);
      const expected = new Float64Array(30);
      from.forEach((s, i) => {
        expected[to[i]] = src[s];
      });
      expectClose('copy', dst, expected, 0, 0);
    },
  });
  cases.push({
    name: 'take and scatter-add along an axis',
    run(backend) {
      const src = Float64Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
      const idx = Int32Array.from([2, 0, 2]);
      const out = new Float64Array(2 * 3 * 2);
      backend.take(src, 2, 3, 2, idx, out, false);
      expectClose('take', out, [4, 5, 0, 1, 4, 5, 10, 11, 6, 7, 10, 11], 0, 0);
      const acc = new Float64Array(12);
      backend.take(
        Float64Array.from({ length: 12 }, () => 1),
        2,
        3,
        2,
        idx,
        acc,
        true,
      );
      expectClose('take accumulate', acc, [1, 1, 0, 0, 2, 2, 1, 1, 0, 0, 2, 2], 0, 0);
      // One value per index (inner = 1): [2, 4] viewed as [outer 2, axis 4, inner 1].
      const flat = Float64Array.from([10, 11, 12, 13, 20, 21, 22, 23]);
      const picks = Int32Array.from([3, 1, 3]);
      const taken = new Float64Array(6);
      backend.take(flat, 2, 4, 1, picks, taken, false);
      expectClose('take inner 1', taken, [13, 11, 13, 23, 21, 23], 0, 0);
      const scattered = new Float64Array(8);
      backend.take(Float64Array.from([1, 2, 4, 8, 16, 32]), 2, 4, 1, picks, scattered, true);
      expectClose('take accumulate inner 1', scattered, [0, 2, 0, 5, 0, 16, 0, 40], 0, 0);
    },
  });
  cases.push({
    name: 'gather and scatter-add (PyTorch semantics)',
    run(backend) {
      const src = Float64Array.from([1, 2, 3, 4, 5, 6]);
      const index = Int32Array.from([2, 0, 1, 1]);
      const out = new Float64Array(4);
      backend.gather(src, [2, 3], 1, index, [2, 2], out, false);
      expectClose('gather', out, [3, 1, 5, 5], 0, 0);
      const acc = new Float64Array(6);
      backend.gather(Float64Array.from([1, 1, 1, 1]), [2, 3], 1, index, [2, 2], acc, true);
      expectClose('scatter-add', acc, [1, 0, 1, 0, 2, 0], 0, 0);
    },
  });
  // The float32 cases are large enough for the WebAssembly backend's kernel.
  const unfolds = [
    { dims: [2, 3, 6, 5], kernel: [3, 2], stride: [2, 1], padding: [1, 2], dilation: [1, 2], float32: false },
    { dims: [3, 4, 13, 17], kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], float32: true },
    { dims: [3, 3, 14, 17], kernel: [2, 3], stride: [2, 2], padding: [0, 2], dilation: [2, 1], float32: true },
  ] as const;
  for (const unfold of unfolds) {
    cases.push({
      name: `im2col and col2im over ${unfold.float32 ? 'float32' : 'float64'} ${JSON.stringify(unfold.dims)} windows ${JSON.stringify(unfold.kernel)}, stride ${JSON.stringify(unfold.stride)}, padding ${JSON.stringify(unfold.padding)}, dilation ${JSON.stringify(unfold.dilation)}`,
      run(backend) {
        const g = new Generator(11);
        const [batch, channels, height, width] = unfold.dims;
        const [kernelH, kernelW] = unfold.kernel;
        const geometry = windowGeometry(
          [batch, channels, height, width],
          { kernelSize: [kernelH, kernelW], stride: unfold.stride, padding: unfold.padding, dilation: unfold.dilation },
          'conformance',
        );
        const { strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = geometry;
        const make = (values: Float64Array) => (unfold.float32 ? Float32Array.from(values) : values);
        const image = make(randomArray(g, batch * channels * height * width));
        const rows = channels * kernelH * kernelW;
        const expected = new Float64Array(batch * rows * outH * outW);
        const folded = new Float64Array(image.length);
        const columnsIn = make(randomArray(g, expected.length));
        for (let n = 0; n < batch; n++)
          for (let c = 0; c < channels; c++)
            for (let ki = 0; ki < kernelH; ki++)
              for (let kj = 0; kj < kernelW; kj++)
                for (let oy = 0; oy < outH; oy++)
                  for (let ox = 0; ox < outW; ox++) {
                    const y = oy * strideH - padH + ki * dilationH;
                    const x = ox * strideW - padW + kj * dilationW;
                    const row = (c * kernelH + ki) * kernelW + kj;
                    const at = (n * rows + row) * outH * outW + oy * outW + ox;
                    const inside = y >= 0 && y < height && x >= 0 && x < width;
                    const pixel = ((n * channels + c) * height + y) * width + x;
                    expected[at] = inside ? image[pixel] : -7;
                    if (inside) folded[pixel] += columnsIn[at];
                  }
        const columns = make(new Float64Array(expected.length));
        backend.im2col(geometry, image, columns, -7, false);
        expectClose('im2col', columns, expected, 0, 0);
        const back = make(new Float64Array(image.length));
        backend.im2col(geometry, back, columnsIn, 0, true);
        expectClose('col2im', back, folded, unfold.float32 ? 1e-6 : 1e-12, unfold.float32 ? 1e-6 : 1e-12);
      },
    });
  }
  // Float32 images of a few thousand values reach the SIMD kernels of the WebAssembly backend.
  const poolings = [
    { label: 'with padding, stride and dilation', dims: [2, 2, 7, 6], kernel: [3, 2], stride: [2, 1], padding: [1, 1], dilation: [1, 2] },
    { label: 'without padding, with NaN and −∞', dims: [3, 4, 15, 14], kernel: [3, 2], stride: [2, 2], padding: [0, 0], dilation: [2, 1] },
    { label: '2×2 stride 2, with NaN and −∞', dims: [3, 5, 14, 22], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] },
  ] as const;
  for (const pooling of poolings) {
    cases.push({
      name: `max pooling ${pooling.label}, first maximum on ties`,
      run(backend) {
        const g = new Generator(12);
        const [batch, channels, height, width] = pooling.dims;
        const [kernelH, kernelW] = pooling.kernel;
        const geometry = windowGeometry(
          [batch, channels, height, width],
          { kernelSize: [kernelH, kernelW], stride: pooling.stride, padding: pooling.padding, dilation: pooling.dilation },
          'conformance',
        );
        const special = pooling.padding[0] === 0;
        const { strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = geometry;
        // Values on a coarse grid so that ties happen.
        const image = Float32Array.from(randomArray(g, batch * channels * height * width), (v) => Math.round(v * 2) / 2);
        if (special) {
          for (let i = 0; i < image.length; i += 7) image[i] = Number.NaN;
          for (let i = 3; i < image.length; i += 5) image[i] = Number.NEGATIVE_INFINITY;
        }
        const expectedValues: number[] = [];
        const expectedIndex: number[] = [];
        for (let plane = 0; plane < batch * channels; plane++)
          for (let oy = 0; oy < outH; oy++)
            for (let ox = 0; ox < outW; ox++) {
              let best = Number.NEGATIVE_INFINITY;
              let at = -1;
              for (let ki = 0; ki < kernelH; ki++)
                for (let kj = 0; kj < kernelW; kj++) {
                  const y = oy * strideH - padH + ki * dilationH;
                  const x = ox * strideW - padW + kj * dilationW;
                  if (y < 0 || y >= height || x < 0 || x >= width) continue;
                  const i = (plane * height + y) * width + x;
                  const v = image[i];
                  // The first position wins ties; the first NaN beats every number.
                  if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                    best = v;
                    at = i;
                  }
                }
              expectedValues.push(best);
              expectedIndex.push(at);
            }
        const out = new Float32Array(expectedValues.length);
        const argmax = new Int32Array(expectedValues.length);
        backend.maxPool(geometry, image, out, argmax);
        expectClose('maxPool values', out, expectedValues, 0, 0);
        expectClose('maxPool argmax', argmax, expectedIndex, 0, 0);
      },
    });
  }
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
