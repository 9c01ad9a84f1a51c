import { Generator } from '../random/generator.js';
import { type ConformanceCase, expectClose, offsets, randomArray } from './check.js';

/** Data movement: strided copies, `take` along an axis with its scatter-add, and PyTorch-style gather/scatter-add. */
export function indexingCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
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
  return cases;
}
