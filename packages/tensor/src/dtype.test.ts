import { describe, expect, it } from 'vitest';
import { allocate, type DType } from './dtype.js';

// allocate hands out small arrays (over 64 bytes, up to 4 KiB) as pieces of shared 64 KiB
// buffers. Each piece must behave as an array of its own: zero-filled, aligned for its dtype,
// and never overlapping another array.

const bytesPer: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

describe('allocate', () => {
  it('gives zero-filled arrays of the requested dtype and length at every size class', () => {
    for (const dtype of ['float32', 'float64', 'int32'] as const) {
      for (const length of [0, 1, 8, 9, 16, 17, 100, 511, 512, 513, 1023, 1024, 1025, 5000]) {
        const a = allocate(dtype, length);
        expect(a.length).toBe(length);
        expect(a.BYTES_PER_ELEMENT).toBe(bytesPer[dtype]);
        expect(a.every((v) => v === 0)).toBe(true);
        expect(a.byteOffset % 8).toBe(0);
      }
    }
  });

  it('gives arrays over 4 KiB a buffer of their own, and shares buffers only between small ones', () => {
    const large = allocate('float32', 1025);
    expect(large.buffer.byteLength).toBe(large.byteLength);
    const small = allocate('float32', 100);
    expect(small.buffer.byteLength).toBeGreaterThan(small.byteLength);
  });

  it('never hands out overlapping arrays, across many shared buffers', () => {
    // A seeded mix of sizes and dtypes, enough to fill dozens of 64 KiB buffers; each array is
    // filled with its own number, and every array must still hold only its number at the end.
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const dtypes = ['float32', 'float64', 'int32'] as const;
    const arrays: { data: ArrayLike<number> & { fill(v: number): unknown }; mark: number; zero: boolean }[] = [];
    for (let i = 0; i < 3000; i++) {
      const dtype = dtypes[Math.floor(next() * 3)];
      const length = 1 + Math.floor(next() ** 2 * 1100);
      const data = allocate(dtype, length);
      const zero = Array.prototype.every.call(data, (v: number) => v === 0) as boolean;
      data.fill(i + 1);
      arrays.push({ data, mark: i + 1, zero });
    }
    expect(arrays.every((a) => a.zero)).toBe(true);
    const intact = arrays.filter((a) => Array.prototype.every.call(a.data, (v: number) => v === a.mark));
    expect(intact.length).toBe(arrays.length);
  });
});
