/** `given` as a number of epochs — a positive integer in decimal notation — or `undefined`. */
export function parseEpochs(given: string): number | undefined {
  const n = Number(given);
  return /^\s*\+?\d+\s*$/.test(given) && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/**
 * The examples' first argument, the number of epochs, or `fallback` when it is not given. Anything
 * else ends the program with a one-line message naming `usage` and exit code 2, before any training.
 */
export function epochsArgument(usage: string, given: string | undefined, fallback: number): number {
  if (given === undefined) return fallback;
  const n = parseEpochs(given);
  if (n === undefined) {
    console.error(`${usage.split(' ')[0]}: the number of epochs must be a positive integer, got '${given}' (usage: pnpm example:${usage})`);
    process.exit(2);
  }
  return n;
}
