import { fuzzSettings } from '@backprop/engine/testing';
import { NDArray, permutation, Generator as RandomGenerator } from '@backprop/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batches, dataset, split } from './data.js';

// Five samples whose features [5, 2, 3] and int32 labels both encode the sample's number, so every
// batch can be checked row by row.
const x = new NDArray(
  Float64Array.from({ length: 30 }, (_, i) => i),
  [5, 2, 3],
);
const y = new NDArray(Int32Array.from([10, 11, 12, 13, 14]), [5]);
const data = dataset(x, y);

/** The sample numbers of a batch, read from its features and checked against its labels. */
function samples(bx: NDArray, by: NDArray): number[] {
  const ids: number[] = [];
  for (let r = 0; r < bx.shape[0]; r++) {
    const row = [...bx.data.subarray(r * 6, r * 6 + 6)];
    const id = row[0] / 6;
    expect(row).toEqual([0, 1, 2, 3, 4, 5].map((k) => id * 6 + k));
    expect(by.data[r]).toBe(10 + id);
    ids.push(id);
  }
  return ids;
}

describe('batches', () => {
  it('without shuffling: rows in order, a smaller last batch (or none with dropLast), shapes and dtypes kept', () => {
    const all = [...batches(data, { batchSize: 2 })];
    expect(all.map(([bx, by]) => samples(bx, by))).toEqual([[0, 1], [2, 3], [4]]);
    expect(all.map(([bx]) => bx.shape)).toEqual([
      [2, 2, 3],
      [2, 2, 3],
      [1, 2, 3],
    ]);
    expect(all.every(([bx, by]) => bx.dtype === 'float64' && by.dtype === 'int32')).toBe(true);
    expect([...batches(data, { batchSize: 2, dropLast: true })].map(([bx, by]) => samples(bx, by))).toEqual([
      [0, 1],
      [2, 3],
    ]);
    // A batch is a copy: changing it leaves the dataset alone.
    all[0][0].data[0] = -1;
    expect(x.data[0]).toBe(0);
  });

  it('shuffled: every sample once per pass, features and labels together, the same order for the same seed', () => {
    const order = (seed: number) => [...batches(data, { batchSize: 2, shuffle: true, seed })].flatMap(([bx, by]) => samples(bx, by));
    const a = order(1);
    expect([...a].sort()).toEqual([0, 1, 2, 3, 4]);
    // The order is the seeded permutation `permutation` draws, batch after batch.
    expect(a).toEqual([...permutation(5, { generator: new RandomGenerator(1) }).data]);
    // A shuffled batch is a copy too.
    const [[bx]] = [...batches(data, { batchSize: 5, shuffle: true, seed: 1 })];
    bx.data.fill(-1);
    expect([...x.data]).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(order(1)).toEqual(a);
    const others = [2, 3, 4, 5, 6].map((seed) => order(seed).join());
    expect(others.some((o) => o !== a.join())).toBe(true);
  });
});

describe('split', () => {
  it('names the part sizes when a part would be empty, fractions written as given', () => {
    expect(() => split(data, [1 - 0.9, 0.9])).toThrow(
      'split: splitting 5 samples by [0.1, 0.9] gives parts of 0, 5 samples; every part needs at least one',
    );
    const [a, b, c] = split(data, [0.4, 0.4, 0.2], { shuffle: false });
    expect([a.length, b.length, c.length]).toEqual([2, 2, 1]);
    expect([...c.y.data]).toEqual([14]);
  });
});

describe('batches and split of random sizes', () => {
  const settings = fuzzSettings(300);
  /** n samples whose single feature and label are the sample's number. */
  const numbered = (n: number) =>
    dataset(
      new NDArray(
        Float32Array.from({ length: n }, (_, i) => i),
        [n, 1],
      ),
      new NDArray(
        Int32Array.from({ length: n }, (_, i) => i),
        [n],
      ),
    );

  it('every sample once per pass, in batches of batchSize (the last smaller, or dropped), features with their labels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        (n, size, shuffle, dropLast, seed) => {
          const seen: number[] = [];
          const sizes: number[] = [];
          for (const [bx, by] of batches(numbered(n), { batchSize: size, shuffle, dropLast, seed })) {
            expect([...bx.data]).toEqual([...by.data]);
            seen.push(...by.data);
            sizes.push(by.shape[0]);
          }
          const full = Math.floor(n / size);
          const rest = n - full * size;
          expect(sizes).toEqual([...Array(full).fill(size), ...(rest > 0 && !dropLast ? [rest] : [])]);
          if (!dropLast) expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          else expect(new Set(seen).size).toBe(seen.length);
          if (!shuffle) expect(seen).toEqual([...seen].sort((a, b) => a - b));
        },
      ),
      settings,
    );
  });

  it('split partitions the samples exactly, in parts sized by the fractions, the same for the same seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 80 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 }),
        fc.nat(),
        (n, weights, seed) => {
          const total = weights.reduce((a, b) => a + b, 0);
          const fractions = weights.map((w) => w / total);
          let parts: ReturnType<typeof split>;
          try {
            parts = split(numbered(n), fractions, { seed });
          } catch (error) {
            // Too few samples for a part: refused, naming the sizes.
            expect((error as Error).message).toMatch(/empty|at least one|leaves/);
            return;
          }
          const ids = parts.flatMap((p) => [...p.y.data]);
          expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          parts.forEach((p, i) => expect(Math.abs(p.length - fractions[i] * n)).toBeLessThanOrEqual(weights.length));
          const again = split(numbered(n), fractions, { seed });
          expect(again.map((p) => [...p.y.data])).toEqual(parts.map((p) => [...p.y.data]));
        },
      ),
      settings,
    );
  });
});
