import { isTensor, type Tensor } from '@backprop/engine';
import {
  compareJacobian,
  type JacobianComparison,
  type JacobianOptions,
  type JacobianPair,
  jacobians,
  type TensorFunction,
} from '@backprop/engine/testing';
import { ArgumentError, checkOptionKeys, globalGenerator, optionKeys } from '@backprop/tensor';
import { GradcheckError } from './error.js';
import { formatReport } from './report.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step, applied in float64 (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). An entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|. */
  rtol?: number;
  /** Throw a {@link GradcheckError} on failure (default true); otherwise return the report. */
  raiseException?: boolean;
  /**
   * `'full'` (default): the whole Jacobian — for a non-scalar output, one backward pass per
   * output element. `'projection'`: vᵀJ for a fixed random v — one backward pass, for large outputs.
   */
  mode?: 'full' | 'projection';
  /** Which inputs to check (default: those with `requiresGrad`, or every float input if none has it). */
  inputs?: readonly number[];
  /** Seed of the projection vector. */
  seed?: number;
}

/** One input's result: the largest errors and the worst entry, with multi-dimensional indices. */
export interface InputReport {
  /** Position of the input among the arguments. */
  input: number;
  /** A name for the row, when the caller knows one (e.g. a parameter path in {@link gradcheckModule}). */
  name?: string;
  /** The input's shape. */
  shape: readonly number[];
  /** max |analytic − numeric| over the Jacobian. */
  maxAbsError: number;
  /** max |analytic − numeric| / |numeric| over the Jacobian. */
  maxRelError: number;
  /** The entry that breaks the tolerance by the most (or the largest error if none does). */
  worst: {
    /** Index of the input element, e.g. `[1, 2]`. */
    element: number[];
    /** Index of the output element (`[0]` for a scalar output or in projection mode). */
    output: number[];
    analytic: number;
    numeric: number;
  };
  passed: boolean;
}

/** The result of a gradient check. */
export interface GradcheckReport {
  passed: boolean;
  /** What was compared ('full' Jacobian or 'projection'). */
  mode: 'full' | 'projection';
  eps: number;
  atol: number;
  rtol: number;
  inputs: InputReport[];
  /** The report as a readable table (what the thrown error prints). */
  toString(): string;
}

/**
 * Row-major flat index → multi-index.
 * @example unravel(5, [2, 3]) // [1, 2]
 */
export function unravel(flat: number, shape: readonly number[]): number[] {
  if (!Number.isSafeInteger(flat) || flat < 0)
    throw new ArgumentError(`unravel: the flat index must be a non-negative integer, got ${String(flat)}`, {
      where: 'unravel',
      argument: 'flat',
    });
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new ArgumentError(`unravel: the shape must be a list of non-negative integers, got ${JSON.stringify(shape) ?? String(shape)}`, {
      where: 'unravel',
      argument: 'shape',
    });
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = shape[d] === 0 ? 0 : rest % shape[d];
    rest = shape[d] === 0 ? 0 : Math.floor(rest / shape[d]);
  }
  return index;
}

/** @internal Compares one Jacobian pair and turns it into a report row. */
export function toInputReport(pair: JacobianPair, atol: number, rtol: number): InputReport {
  const c: JacobianComparison = compareJacobian(pair, atol, rtol);
  return {
    input: c.input,
    shape: c.inputShape,
    maxAbsError: c.maxAbsError,
    maxRelError: c.maxRelError,
    worst: {
      element: unravel(c.worst.element, c.inputShape),
      output: c.outputShape.length === 0 ? [0] : unravel(c.worst.output, c.outputShape),
      analytic: c.worst.analytic,
      numeric: c.worst.numeric,
    },
    passed: c.passed,
  };
}

function checkTolerance(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new ArgumentError(`gradcheck: '${name}' must be a non-negative finite number, got ${String(value)}`, {
      where: 'gradcheck',
      argument: name,
    });
  }
  return value;
}

/**
 * Compares the engine's gradients of `fn` at `inputs` with central finite differences computed
 * in float64 (inputs are copied to float64 first). Works for any function of tensors returning a
 * tensor: for a non-scalar output the whole Jacobian is compared (or a random projection of it).
 * Draws `fn` makes from the global generator are the same in every evaluation (and the generator
 * is put back afterwards); a function random otherwise is refused, since finite differences of it
 * would read as wrong gradients.
 *
 * @example
 * gradcheck((x) => softsign(x).sum(), [randn([3, 4], { dtype: 'float64' })]);
 * // throws GradcheckError: input #0 [3, 4], worst element [1, 2]: analytic 0.31, numeric 0.29 …
 */
export function gradcheck(fn: TensorFunction, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  if (typeof fn !== 'function')
    throw new ArgumentError('gradcheck: fn must be a function of tensors', { where: 'gradcheck', argument: 'fn' });
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new ArgumentError('gradcheck: inputs must be a non-empty array of tensors', { where: 'gradcheck', argument: 'inputs' });
  }
  const settings = checkSettings(options);
  const jacobianOptions: JacobianOptions = { eps: settings.eps, mode: settings.mode, seed: options.seed, check: options.inputs };
  const results = withFixedDraws(fn, (fixed) => {
    refuseRandom(fixed, inputs, 'gradcheck', 'fn', 'draw its random values once, outside it');
    return jacobians(fixed, inputs, jacobianOptions);
  }).map((pair) => toInputReport(pair, settings.atol, settings.rtol));
  return finishReport(results, settings, options.raiseException !== false);
}

/**
 * Runs `body` with `fn` made to draw the same numbers from the global random generator on every
 * evaluation (its state is put back before each, and after the check): a function with noise or
 * dropout drawn from it is checked for one fixed draw, which finite differences can measure.
 */
export function withFixedDraws<T>(fn: (...args: Tensor[]) => Tensor, body: (fixed: (...args: Tensor[]) => Tensor) => T): T {
  const generator = globalGenerator();
  const state = generator.getState();
  try {
    return body((...args) => {
      generator.setState(state);
      return fn(...args);
    });
  } finally {
    generator.setState(state);
  }
}

/**
 * Throws unless two evaluations at the same inputs give the same values: finite differences of a
 * random function mean nothing, and its failure would read as wrong gradients (draws from the
 * global generator are fixed by {@link withFixedDraws}; this catches generators of their own).
 */
export function refuseRandom(
  fn: (...args: Tensor[]) => Tensor,
  args: readonly Tensor[],
  where: string,
  argument: string,
  fix: string,
): void {
  let once: unknown;
  let again: unknown;
  try {
    once = fn(...args);
    again = fn(...args);
  } catch {
    return; // bad inputs or a failing function: the check proper reports them, with its messages
  }
  if (!isTensor(once) || !isTensor(again)) return; // the check proper names a non-tensor result
  if (once.size === again.size && once.value.data.every((v, i) => Object.is(v, again.value.data[i]))) return;
  throw new ArgumentError(
    `${where}: two evaluations at the same inputs gave different outputs — the ${argument === 'module' ? 'module' : 'function'} is random (dropout or noise in training mode, a random draw), and finite differences of a random function mean nothing; ${fix}`,
    { where, argument },
  );
}

/** The keys of {@link GradcheckOptions}. */
export const gradcheckKeys = optionKeys({
  eps: true,
  atol: true,
  rtol: true,
  raiseException: true,
  mode: true,
  inputs: true,
  seed: true,
} satisfies Record<keyof GradcheckOptions, true>);

/** @internal The validated step, tolerances and mode of a check; `known` are the keys `options` may have, `where` the check. */
export function checkSettings(
  options: GradcheckOptions,
  known: readonly string[] = gradcheckKeys,
  where = 'gradcheck',
): { eps: number; atol: number; rtol: number; mode: 'full' | 'projection' } {
  const bad = (option: string, expected: string, got: unknown) =>
    new ArgumentError(`${where}: '${option}' must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`, {
      where,
      argument: option,
    });
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw bad('options', 'an object', options);
  checkOptionKeys(options, known, where);
  const mode = options.mode ?? 'full';
  if (mode !== 'full' && mode !== 'projection') throw bad('mode', "'full' or 'projection'", mode);
  if (options.raiseException !== undefined && typeof options.raiseException !== 'boolean')
    throw bad('raiseException', 'true or false', options.raiseException);
  if (options.inputs !== undefined && !(Array.isArray(options.inputs) && options.inputs.every((i) => Number.isInteger(i) && i >= 0)))
    throw bad('inputs', 'a list of input positions', options.inputs);
  if (options.seed !== undefined && !(Number.isSafeInteger(options.seed) && options.seed >= 0))
    throw bad('seed', 'a non-negative integer', options.seed);
  return {
    eps: checkTolerance(options.eps ?? 1e-6, 'eps'),
    atol: checkTolerance(options.atol ?? 1e-5, 'atol'),
    rtol: checkTolerance(options.rtol ?? 1e-3, 'rtol'),
    mode,
  };
}

/** @internal Assembles the report from its rows and throws a GradcheckError on failure when asked to. */
export function finishReport(results: InputReport[], settings: ReturnType<typeof checkSettings>, raise: boolean): GradcheckReport {
  const report: GradcheckReport = {
    passed: results.every((r) => r.passed),
    ...settings,
    inputs: results,
    toString: () => formatReport(report),
  };
  if (!report.passed && raise) throw new GradcheckError(report);
  return report;
}
