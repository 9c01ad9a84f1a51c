import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from './decimal.js';

describe('parseDecimal', () => {
  it('reads every finite double as JavaScript writes it, with blanks around it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('', ' ', '\t'), (d, blank) => {
        expect(Object.is(parseDecimal(`${blank}${String(d)}${blank}`), d)).toBe(true);
      }),
    );
  });

  it('reads the decimal forms people write', () => {
    expect(['12', '-0.5', '.5', '3.', '+2E5', '1e-3', '007'].map(parseDecimal)).toEqual([12, -0.5, 0.5, 3, 200000, 0.001, 7]);
  });

  it('refuses what Number() reads but a data file does not mean as a number', () => {
    for (const text of [
      '',
      ' ',
      '0x10',
      '0b11',
      '0o7',
      'Infinity',
      '-Infinity',
      'NaN',
      '1e999',
      '1,5',
      '1_000',
      '.',
      'e5',
      '1e',
      '--1',
      '12abc',
    ]) {
      expect(parseDecimal(text), text).toBeUndefined();
    }
  });
});
