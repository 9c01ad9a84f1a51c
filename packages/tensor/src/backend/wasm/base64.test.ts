import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './base64.js';

describe('decodeBase64', () => {
  // Every byte value, so each base64 character and each padding case occurs.
  const bytes = Uint8Array.from({ length: 259 }, (_, i) => (i * 37) % 256);
  const text = btoa(String.fromCharCode(...bytes));

  it("decodes with Node's Buffer", () => {
    expect(Array.from(decodeBase64(text))).toEqual(Array.from(bytes));
  });

  it('decodes with atob where there is no Buffer (browsers)', () => {
    const decoded = decodeBase64(text, null);
    expect(decoded).toBeInstanceOf(Uint8Array);
    expect(Array.from(decoded)).toEqual(Array.from(bytes));
  });

  it('gives the right length for each amount of padding', () => {
    for (const n of [0, 1, 2, 3]) expect(decodeBase64(btoa('x'.repeat(n)), null).length).toBe(n);
    for (const n of [0, 1, 2, 3]) expect(decodeBase64(btoa('x'.repeat(n))).length).toBe(n);
  });
});
