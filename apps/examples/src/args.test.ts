import { describe, expect, it } from 'vitest';
import { parseEpochs } from './args.js';

describe('the examples’ epochs argument', () => {
  it('takes positive integers written in decimal', () => {
    for (const n of [1, 2, 6, 20, 100, 12_345, Number.MAX_SAFE_INTEGER]) expect(parseEpochs(String(n))).toBe(n);
    expect(parseEpochs(' 7 ')).toBe(7);
  });

  it('refuses what is not a positive integer in decimal notation', () => {
    for (const given of ['', 'abc', '0', '-5', '2.5', '1e3', '0x10', 'Infinity', '9007199254740993']) {
      expect(parseEpochs(given), given).toBeUndefined();
    }
  });
});
