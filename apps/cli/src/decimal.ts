/** Decimal notation: `12`, `-0.5`, `.5`, `3.`, `1e-3`, `+2E5`. */
const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The finite number `text` writes in decimal notation, blanks around it ignored; `undefined` for
 * anything else — including what `Number()` would also read: `''`, `'0x10'`, `'0b11'`, `'0o7'`,
 * `'Infinity'`, and decimals too large for a double (`'1e999'`). Data files and flags hold
 * decimals; a column of hexadecimal codes is text (categories), not numbers.
 */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!decimal.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}
