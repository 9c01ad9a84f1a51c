import { describe, expect, it } from 'vitest';
import { backendConformanceCases } from '../../testing.js';
import { jsBackend } from '../js/index.js';
import { heapOf, wasmBackend, wasmSimdSupported } from './index.js';
import { createMemory, load } from './module.js';
import { gemmPool } from './threads.js';

describe('WebAssembly SIMD backend passes the conformance suite', () => {
  it('loads in this runtime (Node 20 has WebAssembly SIMD)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });
  // Its float32 gemm accumulates in float32 (the reference in float64): rounding tolerance 1e-4.
  for (const c of backendConformanceCases({ rtol: 1e-4, atol: 1e-4 })) it(c.name, () => expect(() => c.run(wasmBackend)).not.toThrow());

  it('shares large products between two threads (Node) with the same result as one thread, product after product', () => {
    const [m, n, k] = [301, 290, 400]; // 35M multiply-adds: above the threading threshold; 301 rows: a short last block
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.013));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.007));
    for (let round = 0; round < 3; round++) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          // C inside a larger array, between sentinels: the product (and the early first write to
          // each of C's memory pages while the worker computes) must stay inside its m×n floats.
          const pad = 5;
          const around = new Float32Array(pad + m * n + pad).fill(-7);
          wasmBackend.gemm(transA, transB, m, n, k, a, 0, b, 0, around, pad);
          expect(gemmPool()).not.toBeNull();
          expect([...around.subarray(0, pad), ...around.subarray(pad + m * n)]).toEqual(new Array(2 * pad).fill(-7));
          const threaded = around.subarray(pad, pad + m * n);
          // The same product kept on one thread (below the threshold, in column halves): every
          // entry is summed in the same order by the same kernel, so the results are bit-identical.
          const oneThread = new Float32Array(m * n);
          const half = 144; // a multiple of the 8-column panels, so the halves cut no panel
          const left = new Float32Array(m * half);
          const right = new Float32Array(m * (n - half));
          const bLeft = new Float32Array(k * half);
          const bRight = new Float32Array(k * (n - half));
          for (let p = 0; p < k; p++) {
            for (let j = 0; j < n; j++) {
              // B as k×n, or as n×k when transposed.
              const v = transB ? b[j * k + p] : b[p * n + j];
              if (j < half) bLeft[transB ? j * k + p : p * half + j] = v;
              else bRight[transB ? (j - half) * k + p : p * (n - half) + j - half] = v;
            }
          }
          wasmBackend.gemm(transA, transB, m, half, k, a, 0, bLeft, 0, left, 0);
          wasmBackend.gemm(transA, transB, m, n - half, k, a, 0, bRight, 0, right, 0);
          for (let i = 0; i < m; i++) {
            oneThread.set(left.subarray(i * half, (i + 1) * half), i * n);
            oneThread.set(right.subarray(i * (n - half), (i + 1) * (n - half)), i * n + half);
          }
          expect(threaded).toEqual(oneThread);
        }
      }
    }
  });

  it('agrees with the JS kernel on large products with every transpose flag, across the tile edges', () => {
    for (const [m, n, k] of [
      [129, 67, 300],
      [4, 8, 1024],
      [33, 1, 77],
      [8, 9, 676],
      [7, 13, 50],
      [37, 40, 33],
      // Long rows: one thread takes the rows in blocks (12 and 32 rows here), the last one short.
      [37, 9, 4100],
      [70, 20, 2000],
    ]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
          const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
          const fast = new Float32Array(m * n);
          const reference = new Float32Array(m * n);
          wasmBackend.gemm(transA, transB, m, n, k, a, 0, b, 0, fast, 0);
          jsBackend.gemm(transA, transB, m, n, k, a, 0, b, 0, reference, 0);
          let worst = 0;
          for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i] - reference[i]) / (1 + Math.abs(reference[i])));
          expect(worst).toBeLessThan(2e-5);
        }
      }
    }
  });

  it('sums float32 arrays in the reference order: the same bits as the JS kernel, for every layout', () => {
    // Lengths that leave tails of 0–3 after the groups of four; NaN, ±Infinity and values of very
    // different sizes, where any other order of summation would round differently.
    for (const shape of [[4099], [3, 2051], [64, 8, 26, 26], [5, 7, 3, 97], [2, 1, 4099], [130, 33]]) {
      const size = shape.reduce((a, b) => a * b);
      const x = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.37) * 10 ** ((i % 7) - 3));
      for (const special of [false, true]) {
        if (special) [x[5], x[size - 2], x[size >> 1]] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
        for (let mask = 1; mask < 1 << shape.length; mask++) {
          const axes = shape.map((_, i) => i).filter((i) => mask & (1 << i));
          const kept = shape.filter((_, i) => !axes.includes(i)).reduce((a, b) => a * b, 1);
          for (const Out of [Float32Array, Float64Array]) {
            const [viaWasm, reference] = [new Out(kept), new Out(kept)];
            wasmBackend.reduce('sum', x, shape, axes, viaWasm);
            jsBackend.reduce('sum', x, shape, axes, reference);
            const first = viaWasm.findIndex((v, i) => !Object.is(v, reference[i]));
            expect(first, `${JSON.stringify(shape)} over ${JSON.stringify(axes)}${special ? ' with NaN and ±∞' : ''}`).toBe(-1);
          }
        }
      }
    }
  });

  it('starts its memory at 128 MiB so it need not grow, and at less where the runtime refuses that much', () => {
    expect(wasmBackend.name).toBe('wasm-simd');
    expect(load()?.memory.buffer.byteLength).toBeGreaterThanOrEqual(2048 * 65536);
    const asked: number[] = [];
    const stingy = {
      Memory: class {
        buffer: ArrayBuffer;
        constructor({ initial }: { initial: number }) {
          asked.push(initial);
          if (initial > 16) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
          this.buffer = new ArrayBuffer(initial * 65536);
        }
        grow(): number {
          return 0;
        }
      },
    };
    expect(createMemory(stingy).buffer.byteLength).toBe(16 * 65536);
    expect(asked).toEqual([2048, 256, 16]);
  });

  it('reports a memory that cannot grow (past 4 GiB) so the JS kernel runs instead', () => {
    const full = {
      buffer: new ArrayBuffer(65536),
      grow(): number {
        throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
      },
    };
    expect(heapOf(full, 2 ** 30)).toBeNull();
    expect(heapOf(full, 100)?.length).toBe(16384);
  });
});
