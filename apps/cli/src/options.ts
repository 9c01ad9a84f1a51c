import { activationNames } from '@backprop/layers';
import { lossNames } from '@backprop/train';
import { closest } from 'fastest-levenshtein';
import { parseDecimal } from './decimal.js';
import { badInput } from './errors.js';

/** `did you mean 'relu'?` for the closest known name. */
export function suggest(value: string, known: readonly string[]): string {
  const best = closest(value, [...known]);
  return best ? ` (did you mean '${best}'?)` : '';
}

/** Parses `--flag` as an integer ≥ `min`. */
export function integerFlag(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min)
    throw badInput(`${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** Parses `--flag` as a finite number > 0 (or ≥ 0 with `allowZero`), optionally below `max`. */
export function numberFlag(
  flag: string,
  value: string | undefined,
  options: { allowZero?: boolean; max?: number; maxExclusive?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDecimal(value) ?? Number.NaN;
  const low = options.allowZero ? n >= 0 : n > 0;
  const high = options.max === undefined || (options.maxExclusive ? n < options.max : n <= options.max);
  if (!low || !high) {
    const range = `${options.allowZero ? '≥ 0' : '> 0'}${options.max === undefined ? '' : ` and ${options.maxExclusive ? '<' : '≤'} ${options.max}`}`;
    throw badInput(`${flag} must be a number ${range}, got '${value}'`);
  }
  return n;
}

/** Parses `--layers 64,32` into hidden sizes (an empty string means no hidden layer). */
export function layersFlag(value: string | undefined): number[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((part, i) => {
    const n = Number(part);
    if (!/^\s*\d+\s*$/.test(part) || n < 1)
      throw badInput(`--layers must be comma-separated positive integers like 64,32; item ${i + 1} is '${part}' in '${value}'`);
    return n;
  });
}

/** Parses a comma-separated list of numbers (`--input 1,0`). */
export function numbersFlag(flag: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((part, i) => {
    const n = parseDecimal(part);
    if (n === undefined) throw badInput(`${flag} must be comma-separated numbers; item ${i + 1} is '${part}' in '${value}'`);
    return n;
  });
}

/** The CLI spelling (kebab-case) of the built-in losses. */
export const cliLosses: Record<string, string> = {
  'cross-entropy': 'crossEntropy',
  mse: 'mse',
  'half-squared-error': 'halfSquaredError',
  mae: 'mae',
  huber: 'huber',
  'smooth-l1': 'smoothL1',
  'bce-with-logits': 'binaryCrossEntropyWithLogits',
  hinge: 'hinge',
};

/** The command-line spelling of a library loss name (`binaryCrossEntropyWithLogits` → `bce-with-logits`). */
export function cliLossName(name: string): string {
  return Object.keys(cliLosses).find((cli) => cliLosses[cli] === name) ?? name;
}

/** Checks a loss name (CLI or library spelling). */
export function lossFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value in cliLosses) return cliLosses[value];
  if ((lossNames as readonly string[]).includes(value)) return value;
  throw badInput(`--loss: unknown loss '${value}'${suggest(value, Object.keys(cliLosses))}; known: ${Object.keys(cliLosses).join(', ')}`);
}

/** Checks an activation name. */
export function activationFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if ((activationNames as readonly string[]).includes(value)) return value;
  throw badInput(`--activation: unknown activation '${value}'${suggest(value, activationNames)}; known: ${activationNames.join(', ')}`);
}

/** The optimizers of the CLI. */
export const optimizerNames = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

/** Checks an optimizer name. */
export function optimizerFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if ((optimizerNames as readonly string[]).includes(lower)) return lower;
  throw badInput(`--optimizer: unknown optimizer '${value}'${suggest(lower, optimizerNames)}; known: ${optimizerNames.join(', ')}`);
}
