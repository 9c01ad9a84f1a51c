/**
 * A class or category name as text output shows it: as it is when it reads unambiguously, else
 * JSON-quoted — a name holding a comma (which would read as two in a list), a quote, a line break
 * or another control character (which would break a table), or blanks at its ends.
 */
export function label(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
  return /[\u0000-\u001f\u007f,"]/.test(name) || name !== name.trim() ? JSON.stringify(name) : name;
}

/** Names for a message or summary: `a, b, "c, d"`. */
export function labels(names: readonly string[]): string {
  return names.map(label).join(', ');
}
