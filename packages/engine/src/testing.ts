/**
 * `@backprop/engine/testing`: the numerical-gradient core. It compares the engine's analytic
 * Jacobians with central finite differences computed in float64. `@backprop/gradcheck` builds its
 * public API and report on top of this; the engine's own tests use it directly.
 * @packageDocumentation
 */
import { ArgumentError, array, BackpropError, Generator } from '@backprop/tensor';
import { propagate } from './backward.js';
import { enableGrad, noGrad } from './mode.js';
import { isTensor, Tensor } from './tensor.js';

/** A function of tensors returning a tensor (any shape). */
export type TensorFunction = (...inputs: Tensor[]) => Tensor;

/** Options of {@link jacobians}. */
export interface JacobianOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /**
   * `'full'` (default) compares the whole Jacobian: one backward pass per output element and two
   * forward passes per input element. `'projection'` compares vᵀJ for one random vector v (one
   * backward, same forwards): cheaper for large outputs, still catches almost every wrong VJP.
   */
  mode?: 'full' | 'projection';
  /** Seed of the projection vector (default 0). */
  seed?: number;
  /** Which inputs to check; default: those with `requiresGrad`, or every float input if none has it. */
  check?: readonly number[];
  /**
   * Use float64 leaf inputs themselves instead of float64 copies: they are perturbed in place
   * (and restored), so tensors that `fn` reaches by closure — a module's parameters — are
   * checked too. Default false.
   */
  inPlace?: boolean;
}

/** The analytic and numeric Jacobian of the output with respect to one input. */
export interface JacobianPair {
  /** Position of the input in the argument list. */
  input: number;
  /** The input's shape. */
  inputShape: readonly number[];
  /** The output's shape (`[1]` in projection mode). */
  outputShape: readonly number[];
  /** Row-major `[outputs, inputElements]`. */
  analytic: Float64Array;
  /** Row-major `[outputs, inputElements]`. */
  numeric: Float64Array;
}

/** Which inputs a check covers (see {@link JacobianOptions.check}). */
export function checkedInputs(inputs: readonly Tensor[], check?: readonly number[]): number[] {
  if (check !== undefined) return [...check];
  const marked = inputs.flatMap((t, i) => (t.requiresGrad ? [i] : []));
  return marked.length > 0 ? marked : inputs.flatMap((t, i) => (t.dtype !== 'int32' ? [i] : []));
}

/**
 * Analytic and numeric Jacobians of `fn` at `inputs`, per checked input. Inputs are copied to
 * float64 first (int32 inputs are passed as they are); `fn` is evaluated on the copies.
 */
export function jacobians(fn: TensorFunction, inputs: readonly Tensor[], options: JacobianOptions = {}): JacobianPair[] {
  const eps = options.eps ?? 1e-6;
  if (!(eps > 0)) throw new ArgumentError(`jacobians: eps must be positive, got ${eps}`, { where: 'gradcheck', argument: 'eps' });
  const checked = checkedInputs(inputs, options.check);
  for (const i of checked) {
    if (!(inputs[i] instanceof Tensor) || inputs[i].dtype === 'int32') {
      throw new ArgumentError(`gradcheck: input #${i} must be a float tensor to be checked`, { where: 'gradcheck', argument: 'inputs' });
    }
  }
  const leaves = inputs.map((t, i) =>
    t.dtype === 'int32'
      ? t.detach()
      : options.inPlace && t.dtype === 'float64' && t.isLeaf
        ? t
        : new Tensor(array(Float64Array.from(t.value.data), { shape: t.shape, dtype: 'float64' }), { requiresGrad: checked.includes(i) }),
  );
  const evaluate = (): Float64Array => {
    const out = noGrad(() => fn(...leaves));
    return Float64Array.from(out.value.data);
  };
  const output = enableGrad(() => fn(...leaves));
  if (!isTensor(output)) throw new ArgumentError('gradcheck: the function must return a Tensor', { where: 'gradcheck' });
  const outputSize = output.size;
  const projection = options.mode === 'projection';
  const v = projection ? new Generator(options.seed ?? 0) : undefined;
  const weights = v ? Float64Array.from({ length: outputSize }, () => v.nextNormal()) : undefined;
  const rows = projection ? 1 : outputSize;
  const targets = checked.map((i) => leaves[i]);
  const analytic = checked.map((i) => new Float64Array(rows * leaves[i].size));
  for (let r = 0; r < rows; r++) {
    const seedData = weights ?? Float64Array.from({ length: outputSize }, (_, k) => (k === r ? 1 : 0));
    const seed = new Tensor(array(seedData, { shape: output.shape, dtype: output.dtype }));
    const grads = output.requiresGrad ? propagate(output, seed, { retainGraph: true }, targets) : targets.map(() => null);
    grads.forEach((g, k) => {
      if (g !== null) analytic[k].set(Float64Array.from(g.value.data), r * leaves[checked[k]].size);
    });
  }
  return checked.map((i, k) => {
    const x = leaves[i].value.data as Float64Array;
    const numeric = new Float64Array(rows * x.length);
    for (let c = 0; c < x.length; c++) {
      const saved = x[c];
      x[c] = saved + eps;
      const plus = evaluate();
      x[c] = saved - eps;
      const minus = evaluate();
      x[c] = saved;
      for (let r = 0; r < rows; r++) {
        if (weights) {
          let s = 0;
          for (let o = 0; o < outputSize; o++) s += weights[o] * (plus[o] - minus[o]);
          numeric[c] = s / (2 * eps);
        } else numeric[r * x.length + c] = (plus[r] - minus[r]) / (2 * eps);
      }
    }
    return { input: i, inputShape: leaves[i].shape, outputShape: projection ? [1] : output.shape, analytic: analytic[k], numeric };
  });
}

/** The largest disagreement within one Jacobian pair. */
export interface JacobianComparison {
  input: number;
  inputShape: readonly number[];
  outputShape: readonly number[];
  /** max |analytic − numeric| over all entries. */
  maxAbsError: number;
  /** max |analytic − numeric| / max(|numeric|, tiny) over all entries. */
  maxRelError: number;
  /** The entry that exceeds `atol + rtol·|numeric|` by the most (or the largest error if none does). */
  worst: { output: number; element: number; analytic: number; numeric: number };
  /** True if every entry is within `atol + rtol·|numeric|`. */
  passed: boolean;
}

/** Compares one pair entry by entry: |a − n| ≤ atol + rtol·|n| (PyTorch's criterion). */
export function compareJacobian(pair: JacobianPair, atol: number, rtol: number): JacobianComparison {
  const { analytic, numeric } = pair;
  const cols = pair.inputShape.reduce((p, d) => p * d, 1);
  let maxAbs = 0;
  let maxRel = 0;
  let worstExcess = Number.NEGATIVE_INFINITY;
  let worstIndex = 0;
  let passed = true;
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i];
    const n = numeric[i];
    const diff = Math.abs(a - n);
    const bad = !(diff <= atol + rtol * Math.abs(n));
    if (bad) passed = false;
    if (diff > maxAbs || Number.isNaN(diff)) maxAbs = Number.isNaN(diff) ? Number.NaN : Math.max(maxAbs, diff);
    maxRel = Math.max(maxRel, diff / Math.max(Math.abs(n), 1e-12));
    const excess = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff - (atol + rtol * Math.abs(n));
    if (excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
  }
  return {
    input: pair.input,
    inputShape: pair.inputShape,
    outputShape: pair.outputShape,
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    worst: {
      output: cols === 0 ? 0 : Math.floor(worstIndex / cols),
      element: cols === 0 ? 0 : worstIndex % cols,
      analytic: analytic[worstIndex] ?? 0,
      numeric: numeric[worstIndex] ?? 0,
    },
    passed,
  };
}

/**
 * Throws an Error describing the first input whose gradient disagrees with finite differences:
 * the helper every op test of the engine uses.
 * @example expectGradientsMatch((x) => x.sigmoid().sum(), [randn([3, 4])]);
 */
export function expectGradientsMatch(
  fn: TensorFunction,
  inputs: readonly Tensor[],
  options: JacobianOptions & { atol?: number; rtol?: number } = {},
): void {
  for (const pair of jacobians(fn, inputs, options)) {
    const result = compareJacobian(pair, options.atol ?? 1e-6, options.rtol ?? 1e-4);
    if (!result.passed) {
      const w = result.worst;
      throw new Error(
        `gradient mismatch for input #${result.input} ${JSON.stringify(result.inputShape)}: worst element ${w.element} (output ${w.output}) analytic ${w.analytic}, numeric ${w.numeric}; max abs error ${result.maxAbsError}`,
      );
    }
  }
}

/** Options of {@link garbageCalls}. */
export interface GarbageOptions {
  /** Export names not to call (types, registries, functions taking callbacks). */
  skip?: Iterable<string>;
  /** Valid first arguments to put before the garbage (e.g. a tensor), besides none. */
  leads?: readonly unknown[];
  /** The garbage values (default: undefined, null, NaN, −1, 1.5, 1e12, 'abc', {}, [], [NaN], [−1], ['a'], true). */
  garbage?: readonly unknown[];
}

const defaultGarbage: readonly unknown[] = [undefined, null, Number.NaN, -1, 1.5, 1e12, 'abc', {}, [], [Number.NaN], [-1], ['a'], true];

/**
 * Calls every exported function (and constructs every exported class) of a package with garbage
 * arguments — one or two of them, with and without a valid leading argument — and returns a line
 * for each call that threw anything but a backprop error (a bare TypeError from deep inside means
 * an input was not validated at the door). An empty list means the API is clean.
 * @example expect(garbageCalls(await import('./index.js'), { leads: [tensor([1, 2])] })).toEqual([]);
 */
export function garbageCalls(api: Record<string, unknown>, options: GarbageOptions = {}): string[] {
  const skip = new Set(options.skip ?? []);
  const garbage = options.garbage ?? defaultGarbage;
  const leads = [undefined, ...(options.leads ?? [])];
  const show = (v: unknown): string => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0)
      return (v as object).constructor?.name ?? 'object';
    return typeof v === 'number' && Number.isNaN(v) ? 'NaN' : (JSON.stringify(v) ?? String(v));
  };
  const failures: string[] = [];
  for (const [name, value] of Object.entries(api)) {
    if (typeof value !== 'function' || skip.has(name)) continue;
    const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
    const calls: unknown[][] = [];
    for (const lead of leads) {
      const prefix = lead === undefined ? [] : [lead];
      for (const a of garbage) {
        calls.push([...prefix, a]);
        for (const b of garbage.slice(0, 5)) calls.push([...prefix, a, b]);
      }
    }
    for (const args of calls) {
      try {
        const result = isClass ? Reflect.construct(value, args) : (value as (...a: unknown[]) => unknown)(...args);
        // A function that answered with a promise has accepted the arguments; silence its outcome.
        if (typeof (result as { then?: unknown } | null)?.then === 'function') (result as Promise<unknown>).then(undefined, () => {});
      } catch (error) {
        if (!BackpropError.isInstance(error)) {
          failures.push(`${isClass ? 'new ' : ''}${name}(${args.map(show).join(', ')}) threw ${String(error).split('\n')[0]}`);
          break;
        }
      }
    }
  }
  return failures;
}

/** The values {@link damageJson} puts in: wrong types, out-of-range numbers, empty containers. */
export const damagingValues: readonly unknown[] = [null, -1, 0, 2, 1.5, 1e308, 'x', '', [], [-2], ['1'], {}, true];

/**
 * A copy of a JSON value with `edits` applied, as a hand-edited or half-broken file would have
 * them: each `[where, value]` picks one of the value's paths (keys and indices, `where` modulo
 * their number, counted anew after each edit) and puts `value` there, or deletes it for
 * `undefined`. Returns the copy and the edits as readable lines (`schema.features.0.kind = null`).
 * For property tests of loaders: whatever the edits, a loader must load the value or throw a
 * backprop error naming the entry — never a bare TypeError.
 * @example
 * fc.assert(fc.property(fc.array(fc.tuple(fc.nat(), fc.constantFrom(...damagingValues, undefined))), (edits) => {
 *   const { value } = damageJson(optimizer.stateDict(), edits);
 *   try { other.loadStateDict(value); } catch (e) { if (!BackpropError.isInstance(e)) throw e; }
 * }));
 */
export function damageJson<T>(json: T, edits: readonly (readonly [number, unknown])[]): { value: T; changed: string[] } {
  const value = JSON.parse(JSON.stringify(json)) as T;
  const changed: string[] = [];
  const pathsOf = (node: unknown, prefix: string[]): string[][] => {
    if (typeof node !== 'object' || node === null) return [];
    return Object.entries(node).flatMap(([key, v]) => [[...prefix, key], ...pathsOf(v, [...prefix, key])]);
  };
  for (const [where, replacement] of edits) {
    const paths = pathsOf(value, []);
    if (paths.length === 0) break;
    const path = paths[Math.abs(Math.trunc(where)) % paths.length];
    let parent = value as Record<string, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    const key = path[path.length - 1];
    if (replacement === undefined) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else parent[key] = JSON.parse(JSON.stringify(replacement));
    changed.push(`${path.join('.')} = ${replacement === undefined ? '(deleted)' : JSON.stringify(replacement)}`);
  }
  return { value, changed };
}

/**
 * fast-check settings for the property tests of the `@backprop` packages: `numRuns` cases from a
 * fixed seed, so a run is repeatable — unless the environment asks for a longer search with
 * `FUZZ_RUNS` (cases) and `FUZZ_SEED` (another seed).
 * @example fc.assert(fc.property(arbitrary, check), fuzzSettings(300)); // FUZZ_RUNS=5000 FUZZ_SEED=7 pnpm test
 */
export function fuzzSettings(numRuns: number): { numRuns: number; seed: number } {
  // (Node's environment where there is one; none in a browser.)
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  return { numRuns: Number(env.FUZZ_RUNS ?? numRuns), seed: Number(env.FUZZ_SEED ?? 20261207) };
}
