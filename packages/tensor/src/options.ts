import { ArgumentError } from './errors.js';

/**
 * Refuses an options object with a key outside `known`: a misspelt option would otherwise be
 * ignored without a word — `{ keepdim: true }` (PyTorch's spelling) for `keepDims`, `{ seeed: 1 }`
 * an unseeded draw. The message names `where`, the key, the known key it most likely meant and
 * the list. Anything but a non-null object passes (the caller checks the object itself).
 * Packages built on backprop can use it for their own options; write `known` with
 * {@link optionKeys} so the compiler keeps it equal to the options type.
 * @example
 * checkOptionKeys({ keepdim: true }, ['keepDims'], 'sum');
 * // ArgumentError: sum: unknown option 'keepdim' (did you mean 'keepDims'?); its options are keepDims
 */
export function checkOptionKeys(options: unknown, known: readonly string[], where: string): void {
  // Most calls pass no options: done at once.
  if (typeof options !== 'object' || options === null) return;
  if (!Array.isArray(known) || typeof where !== 'string' || !known.every((key) => typeof key === 'string'))
    throw new ArgumentError('checkOptionKeys: expected (options, a list of known keys, the name of the caller)', {
      where: 'checkOptionKeys',
      argument: Array.isArray(known) ? 'where' : 'known',
    });
  for (const key in options) {
    if (Object.hasOwn(options, key) && !known.includes(key)) throw unknownOption(key, known, where);
  }
}

/**
 * The keys of an options type as a list for {@link checkOptionKeys}, from an object literal that
 * `satisfies Record<keyof Options, true>` — so the compiler refuses a list that misses a key of
 * the type or names one it does not have.
 * @example
 * const sumKeys = optionKeys({ keepDims: true } satisfies Record<keyof ReduceOptions, true>);
 */
export function optionKeys(keys: Record<string, true>): readonly string[] {
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys))
    throw new ArgumentError('optionKeys: expected an object whose keys are the options', { where: 'optionKeys', argument: 'keys' });
  return Object.freeze(Object.keys(keys));
}

function unknownOption(key: string, known: readonly string[], where: string): ArgumentError {
  const guess = nearest(key, known);
  const list = known.length === 0 ? 'it takes no options' : `its options are ${known.join(', ')}`;
  return new ArgumentError(`${where}: unknown option '${key}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}; ${list}`, {
    where,
    argument: key,
  });
}

/** The known key closest to `key` (case aside) within an edit distance of a third of its length, if any. */
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Edit distance: insertions, deletions, substitutions and swaps of neighbours ('bais' → 'bias') of one character each. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + +(a[i - 1] !== b[j - 1]));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
