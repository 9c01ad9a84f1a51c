import { NDArray } from '@backprop/tensor';
import { describe, expect, it } from 'vitest';
import { MinMaxScaler, Standardizer } from './preprocess.js';

const column = (values: number[]) => new NDArray(Float64Array.from(values), [values.length, 1]);

describe('Standardizer.fit', () => {
  it('maps a constant feature to exactly 0 and back to its value, however the mean rounds', () => {
    // Summing these and dividing does not give the value back (0.1 × 6 → 0.09999999999999999),
    // which made a deviation of 1e-17 the feature's std and every sample ±1.
    for (const value of [0.1, 0.3, 1 / 3, 7.7, 1e10 + 0.1, -2.5e-7]) {
      for (const rows of [1, 3, 6, 7, 10, 100]) {
        const x = column(new Array(rows).fill(value));
        const scaler = Standardizer.fit(x);
        expect([scaler.mean[0], scaler.std[0]], `${value} × ${rows}`).toEqual([value, 1]);
        expect([...new Set(scaler.transform(x).data)], `${value} × ${rows}`).toEqual([0]);
        expect(scaler.inverseTransform(scaler.transform(x)).data[0]).toBe(value);
      }
    }
  });

  it('is exact where a one-pass formula loses every digit: 10⁹ + 0, 1, …, 999', () => {
    const n = 1000;
    const scaler = Standardizer.fit(column(Array.from({ length: n }, (_, k) => 1e9 + k)));
    expect(scaler.mean[0]).toBe(1e9 + (n - 1) / 2);
    // The population variance of 0..n−1 is (n² − 1)/12.
    expect(Math.abs(scaler.std[0] / Math.sqrt((n * n - 1) / 12) - 1)).toBeLessThan(1e-14);
  });

  it('keeps a real but tiny spread', () => {
    const scaler = Standardizer.fit(column([1, 1 + 2 ** -40]));
    expect(scaler.std[0]).toBe(2 ** -41);
    expect([...scaler.transform(column([1, 1 + 2 ** -40])).data]).toEqual([-1, 1]);
  });

  it('returns the input dtype', () => {
    const x32 = new NDArray(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    const scaler = Standardizer.fit(x32);
    expect(scaler.transform(x32).dtype).toBe('float32');
    expect(scaler.transform(new NDArray(Float64Array.from([1, 2]), [1, 2])).dtype).toBe('float64');
    expect([...scaler.transform(x32).data]).toEqual([-1, -1, 1, 1]);
  });
});

describe('fitting on non-finite values', () => {
  const x = new NDArray(Float64Array.from([1, 2, 3, 4, Number.NaN, 6]), [3, 2]);
  it('names the sample and the feature', () => {
    expect(() => Standardizer.fit(x)).toThrow(
      'Standardizer.fit: x holds NaN at sample 2, feature 0; scalers are fitted on finite values (drop or fill in missing ones first)',
    );
    const infinite = new NDArray(Float32Array.from([1, Number.POSITIVE_INFINITY]), [1, 2]);
    expect(() => MinMaxScaler.fit(infinite)).toThrow('MinMaxScaler.fit: x holds Infinity at sample 0, feature 1');
  });
});

describe('MinMaxScaler.fit', () => {
  it('maps each feature onto the range, a constant one to its lower end', () => {
    const x = new NDArray(Float64Array.from([2, 5, 4, 5, 6, 5]), [3, 2]);
    const scaler = MinMaxScaler.fit(x, [-1, 1]);
    expect([scaler.min, scaler.max]).toEqual([
      [2, 5],
      [6, 5],
    ]);
    expect([...scaler.transform(x).data]).toEqual([-1, -1, 0, -1, 1, -1]);
  });
});
