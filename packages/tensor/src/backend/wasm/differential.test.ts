import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowGeometry } from '../../ops/window.js';
import { stridesOf } from '../../shape.js';
import type { BinaryOp, GemmArguments } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { wasmBackend } from './index.js';
import { elementThreshold } from './module.js';

// The WebAssembly kernels against the plain TypeScript ones on random arguments: where the
// arithmetic is the same (element-wise ops, ReLU, sums, max pooling, im2col, the convolution
// against its im2col + gemm route) the bits must be the same, NaN, ±0 and ±∞ included.

const settings = { numRuns: Number(process.env.FUZZ_RUNS ?? 60), seed: Number(process.env.FUZZ_SEED ?? 20261207) };

/** Float32 values with the special ones mixed in. */
const special = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1];
function values(length: number, seed: number, specials: boolean, choices = special): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 2 ** 32;
    out[i] = specials && r < 0.08 ? choices[Math.floor((r / 0.08) * choices.length)] : (r - 0.5) * 8;
  }
  return out;
}

const notHuge = special.filter((v) => !(Math.abs(v) > 1e38 && Number.isFinite(v)));

/** The first index where two arrays differ in bits (NaN equals NaN), or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameBits(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const i = firstDifference(actual, expected);
  expect(i, i < 0 ? what : `${what}: element ${i} is ${actual[i]}, the JS kernel gives ${expected[i]}`).toBe(-1);
}

/** A shape of 1–4 dims with at least `elementThreshold` elements. */
const bigShape = fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 4 }).map((dims) => {
  const size = dims.reduce((a, b) => a * b, 1);
  const grow = Math.ceil(elementThreshold / size);
  return grow > 1 ? [...dims.slice(0, -1), dims[dims.length - 1] * grow + (size % 3)] : dims;
});

const binaryOps: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'reluGrad'];
const comparisons = new Set<BinaryOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

describe('the WebAssembly kernels give the JS kernels’ bits on random arguments', () => {
  it('binary ops over broadcast and permuted operands', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...binaryOps),
        bigShape,
        fc.array(fc.constantFrom('full', 'broadcast', 'reversed'), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.boolean(),
        (op, shape, modes, seed, specials) => {
          // Each operand is laid out per dim: contiguous, broadcast (stride 0) or in reversed dim order.
          const layout = (which: number) => {
            const kept = shape.map((d, i) => (modes[which * 4 + i] === 'broadcast' ? 1 : d));
            const reversed = modes[which * 4] === 'reversed';
            const order = reversed ? kept.map((_, i) => kept.length - 1 - i) : kept.map((_, i) => i);
            const stored = stridesOf(order.map((i) => kept[i]));
            const strides = kept.map((d, i) => (d === 1 ? 0 : stored[order.indexOf(i)]));
            return { size: kept.reduce((a, b) => a * b, 1), strides };
          };
          const [la, lb] = [layout(0), layout(1)];
          const a = values(la.size, seed, specials);
          const b = values(lb.size, seed + 7, specials);
          const size = shape.reduce((x, y) => x * y, 1);
          const make = () => (comparisons.has(op) ? new Int32Array(size) : new Float32Array(size));
          const [fast, reference] = [make(), make()];
          wasmBackend.binary(op, a, la.strides, b, lb.strides, fast, shape);
          jsBackend.binary(op, a, la.strides, b, lb.strides, reference, shape);
          expectSameBits(
            `${op} over ${JSON.stringify(shape)} (${JSON.stringify(la.strides)}, ${JSON.stringify(lb.strides)})`,
            fast,
            reference,
          );
        },
      ),
      settings,
    );
  });

  it('ReLU and float32 sums over every axis subset', () => {
    fc.assert(
      fc.property(
        bigShape,
        fc.integer({ min: 1, max: 1e9 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 15 }),
        (shape, seed, specials, mask) => {
          const size = shape.reduce((a, b) => a * b, 1);
          const x = values(size, seed, specials);
          const [fast, reference] = [new Float32Array(size), new Float32Array(size)];
          wasmBackend.unary('relu', x, fast);
          jsBackend.unary('relu', x, reference);
          expectSameBits(`relu of ${size} values`, fast, reference);
          const axes = shape.map((_, i) => i).filter((i) => mask & (1 << i));
          if (axes.length === 0) return;
          const kept = shape.filter((_, i) => !axes.includes(i)).reduce((a, b) => a * b, 1);
          for (const Out of [Float32Array, Float64Array]) {
            const [sum, sumReference] = [new Out(kept), new Out(kept)];
            wasmBackend.reduce('sum', x, shape, axes, sum);
            jsBackend.reduce('sum', x, shape, axes, sumReference);
            expectSameBits(`sum of ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`, sum, sumReference);
          }
        },
      ),
      settings,
    );
  });

  const window = fc.record({
    batch: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 1, max: 4 }),
    height: fc.integer({ min: 4, max: 20 }),
    width: fc.integer({ min: 4, max: 40 }),
    kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    seed: fc.integer({ min: 1, max: 1e9 }),
    specials: fc.boolean(),
  });
  type WindowCase = typeof window extends fc.Arbitrary<infer T> ? T : never;
  const geometryOf = (w: WindowCase) => {
    const padding: [number, number] = [Math.min(w.padding[0], w.kernel[0] - 1), Math.min(w.padding[1], w.kernel[1] - 1)];
    // At least as tall and wide as the dilated window, and at least `elementThreshold` elements.
    const height = Math.max(w.height, w.dilation[0] * (w.kernel[0] - 1) + 1);
    const width = Math.max(w.width, w.dilation[1] * (w.kernel[1] - 1) + 1);
    const dims = [w.batch, w.channels, height, width * Math.max(1, Math.ceil(elementThreshold / (w.batch * w.channels * height * width)))];
    return windowGeometry(dims, { kernelSize: w.kernel, stride: w.stride, padding, dilation: w.dilation }, 'differential');
  };

  it('max pooling, im2col and col2im', () => {
    fc.assert(
      fc.property(window, (w) => {
        const g = geometryOf(w);
        const image = values(g.batch * g.channels * g.height * g.width, w.seed, w.specials);
        const outSize = g.batch * g.channels * g.outH * g.outW;
        const [pooled, pooledReference] = [new Float32Array(outSize), new Float32Array(outSize)];
        const [arg, argReference] = [new Int32Array(outSize), new Int32Array(outSize)];
        wasmBackend.maxPool(g, image, pooled, arg);
        jsBackend.maxPool(g, image, pooledReference, argReference);
        expectSameBits(`maxPool ${JSON.stringify(g)}`, pooled, pooledReference);
        expectSameBits(`maxPool's argmax ${JSON.stringify(g)}`, arg, argReference);
        const columnsSize = g.batch * g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
        const [columns, columnsReference] = [new Float32Array(columnsSize), new Float32Array(columnsSize)];
        wasmBackend.im2col(g, image, columns, -0.5, false);
        jsBackend.im2col(g, image, columnsReference, -0.5, false);
        expectSameBits(`im2col ${JSON.stringify(g)}`, columns, columnsReference);
        const back = values(columnsSize, w.seed + 1, w.specials);
        const [folded, foldedReference] = [new Float32Array(image.length), new Float32Array(image.length)];
        wasmBackend.im2col(g, folded, back, 0, true);
        jsBackend.im2col(g, foldedReference, back, 0, true);
        expectSameBits(`col2im ${JSON.stringify(g)}`, folded, foldedReference);
      }),
      settings,
    );
  });

  it('the convolution and its weight gradient equal their im2col + gemm route', () => {
    fc.assert(
      fc.property(window, fc.integer({ min: 1, max: 9 }), fc.boolean(), (w, outChannels, withBias) => {
        const g = geometryOf(w);
        const image = values(g.batch * g.channels * g.height * g.width, w.seed, w.specials);
        const rows = g.channels * g.kernelH * g.kernelW;
        const pixels = g.outH * g.outW;
        const weight = values(outChannels * rows, w.seed + 2, false);
        const bias = withBias ? values(outChannels, w.seed + 3, false) : null;
        const out = new Float32Array(g.batch * outChannels * pixels).fill(Number.NaN);
        wasmBackend.conv2d?.(g, image, weight, outChannels, bias, out);
        const columns = new Float32Array(g.batch * rows * pixels);
        wasmBackend.im2col(g, image, columns, 0, false);
        const route = new Float32Array(out.length);
        for (let n = 0; n < g.batch; n++) {
          const args: GemmArguments = [
            false,
            false,
            outChannels,
            pixels,
            rows,
            weight,
            0,
            columns,
            n * rows * pixels,
            route,
            n * outChannels * pixels,
          ];
          if (bias) wasmBackend.gemmRowBias?.(...args, bias, 0);
          else wasmBackend.gemm(...args);
        }
        expectSameBits(`conv2d ${JSON.stringify(g)} → ${outChannels}`, out, route);
        const dy = values(out.length, w.seed + 4, false);
        const grad = new Float32Array(g.batch * outChannels * rows).fill(Number.NaN);
        wasmBackend.conv2dWeightGrad?.(g, image, dy, outChannels, grad);
        const gradRoute = new Float32Array(grad.length);
        for (let n = 0; n < g.batch; n++) {
          wasmBackend.gemm(
            false,
            true,
            outChannels,
            rows,
            pixels,
            dy,
            n * outChannels * pixels,
            columns,
            n * rows * pixels,
            gradRoute,
            n * outChannels * rows,
          );
        }
        expectSameBits(`conv2dWeightGrad ${JSON.stringify(g)} → ${outChannels}`, grad, gradRoute);
      }),
      settings,
    );
  });

  it('gemm overwrites C whatever it held, and agrees with the JS kernel (float32 rounding) with NaN and ±∞ where the JS kernel has them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(5),
        fc.integer({ min: 1, max: 1e9 }),
        fc.boolean(),
        (m, n, k, transA, transB, offset, seed, specials) => {
          // Not the largest floats: summed in float32 (the JS kernel sums in float64), two of
          // their products overflow to ±∞ where the reference stays finite.
          const a = values(m * k + offset, seed, specials, notHuge);
          const b = values(k * n + offset, seed + 1, specials, notHuge);
          const [fast, reference] = [new Float32Array(m * n + offset).fill(Number.NaN), new Float32Array(m * n + offset).fill(Number.NaN)];
          wasmBackend.gemm(transA, transB, m, n, k, a, offset, b, offset, fast, offset);
          jsBackend.gemm(transA, transB, m, n, k, a, offset, b, offset, reference, offset);
          for (let i = offset; i < fast.length; i++) {
            const [x, r] = [fast[i], reference[i]];
            const where = `gemm m=${m} n=${n} k=${k} transA=${transA} transB=${transB}: C[${i - offset}] is ${x}, the JS kernel gives ${r}`;
            if (Number.isNaN(r) || !Number.isFinite(r)) {
              // With ±∞ among the terms the order of summation can turn an overflow into NaN or back;
              // a finite sum must not become a special value, though, nor the reverse.
              expect(Number.isFinite(x), where).toBe(false);
              continue;
            }
            expect(Math.abs(x - r) <= 1e-4 * (1 + Math.abs(r)) || !Number.isFinite(x), where).toBe(true);
            expect(Number.isFinite(x), where).toBe(true);
          }
          expectSameBits('gemm leaves what is before C', fast.subarray(0, offset), reference.subarray(0, offset));
        },
      ),
      settings,
    );
  });
});
