import { ArgumentError, isTensor, NDArray, type Tensor } from '@backprop/engine';
import { checkOptionKeys, type TypedArray } from '@backprop/tensor';

/** A set of parameters with its own options (e.g. a smaller learning rate for a pretrained encoder). */
export type ParamGroup<O> = { params: readonly Tensor[] } & Partial<O>;

/** What optimizers accept: a list of parameters, or parameter groups with their own options. */
export type ParamsInput<O> = readonly Tensor[] | readonly ParamGroup<O>[];

/** The options every optimizer has. */
export interface BaseOptions {
  /** Learning rate (≥ 0). */
  lr: number;
}

/** A resolved parameter group: its parameters and every option. */
export type Group<O> = { params: Tensor[] } & O;

/** A serialisable snapshot of an optimizer: options per group and per-parameter state (by position). */
export interface OptimizerState {
  /** The optimizer class, e.g. `'Adam'`. */
  type: string;
  /** Each group's options with its parameters as positions in the flat parameter list. */
  paramGroups: ({ params: number[] } & Record<string, unknown>)[];
  /** Per-parameter state by position: step counts and moment buffers. */
  state: Record<number, Record<string, number | NDArray>>;
}

/** Per-parameter state held while training: buffers the same length as the parameter. */
export type ParamState = Record<string, number | TypedArray>;

/** What an optimizer keeps per parameter (see `Optimizer.stateLayout`). */
export interface StateLayout {
  /** Non-negative integer counters, e.g. `'step'`. */
  readonly counters: readonly string[];
  /** Arrays of the parameter's size, e.g. `'expAvg'`. */
  readonly buffers: readonly string[];
}

/** Whether `value` holds `size` numbers under `.data` (an NDArray or a tensor's value), none of them NaN or infinite. */
function isBufferOf(value: unknown, size: number): value is { data: ArrayLike<number> } {
  const data = (value as { data?: unknown } | null)?.data as ArrayLike<number> | undefined;
  if (data === undefined || data === null || typeof data !== 'object' || data.length !== size) return false;
  for (let i = 0; i < size; i++) if (!Number.isFinite(data[i])) return false;
  return true;
}

/**
 * Base class of the optimizers. Updates are applied in place to the parameters' data (no new
 * tensors per step). Parameters whose `grad` is null are skipped. An optimizer of one's own
 * passes its defaults to the constructor, implements `update` for one parameter, declares what
 * it keeps per parameter in `stateLayout` (so `loadStateDict` can check a saved state), and adds
 * its option checks in `validate`; groups, `zeroGrad`, `stateDict` and `loadStateDict` come with it.
 * @example
 * // signSGD with momentum: θ ← θ − lr·sign(v), v ← βv + (1 − β)g.
 * interface SignOptions extends BaseOptions { beta: number }
 * class SignDescent extends Optimizer<SignOptions> {
 *   constructor(params: ParamsInput<SignOptions>, options: Partial<SignOptions> = {}) {
 *     super('SignDescent', params, { lr: 0.01, beta: 0.9 }, options); // defaults, then the caller's
 *   }
 *   protected override validate(group: Group<SignOptions>, index: number): void {
 *     super.validate(group, index); // lr
 *     this.checkNonNegative(group.beta, 'beta', index, 1);
 *   }
 *   protected override stateLayout(): StateLayout {
 *     return { counters: [], buffers: ['velocity'] };
 *   }
 *   protected update(param: TypedArray, grad: TypedArray, state: ParamState, group: Group<SignOptions>): void {
 *     state.velocity ??= this.buffer(param);
 *     const v = state.velocity as TypedArray;
 *     for (let i = 0; i < param.length; i++) {
 *       v[i] = group.beta * v[i] + (1 - group.beta) * grad[i];
 *       param[i] -= group.lr * Math.sign(v[i]);
 *     }
 *   }
 * }
 */
export abstract class Optimizer<O extends BaseOptions> {
  /** The parameter groups with their resolved options; options may be changed between steps (schedulers do). */
  readonly paramGroups: Group<O>[];
  protected readonly state = new Map<Tensor, ParamState>();

  /**
   * `defaults` holds every option with its default value (a required option without one, like
   * SGD's `lr`, as `undefined`); `options` are the caller's, whose keys must be among them. A
   * parameter group may override any option. (A subclass may also pass defaults and options
   * already merged, without `options`: then only the groups' keys are checked.)
   */
  protected constructor(
    readonly type: string,
    params: ParamsInput<O>,
    defaults: O,
    options?: Partial<O>,
  ) {
    const known = Object.keys(defaults);
    checkOptionKeys(options, known, type);
    const base = options === undefined || options === null ? defaults : { ...defaults, ...options };
    if (!Array.isArray(params) || params.length === 0) {
      throw new ArgumentError(
        `${type}: no parameters to optimize (got ${Array.isArray(params) ? 'an empty list' : String(params)}); pass model.parameters()`,
        {
          where: type,
          argument: 'params',
        },
      );
    }
    const groups: ParamGroup<O>[] = isTensor(params[0])
      ? [{ params: params as readonly Tensor[] } as ParamGroup<O>]
      : (params as ParamGroup<O>[]);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((group, g) => {
      if (typeof group !== 'object' || group === null || !Array.isArray(group.params) || group.params.length === 0) {
        throw new ArgumentError(`${type}: parameter group ${g} has no parameters`, { where: type, argument: 'params' });
      }
      group.params.forEach((p, i) => {
        // A frozen parameter (requiresGrad false) is welcome, as in PyTorch: it gets no gradient, so
        // step() leaves it alone until it is unfrozen.
        const problem = !isTensor(p)
          ? `must be a Tensor, got ${p === null ? 'null' : typeof p}`
          : !p.isLeaf
            ? `was computed by '${p.node?.op}', but optimizers update leaf tensors (pass model.parameters(), or detach() it)`
            : p.dtype === 'int32'
              ? 'is an int32 tensor; only float32 and float64 tensors can be optimized'
              : undefined;
        if (problem !== undefined) {
          throw new ArgumentError(`${type}: parameter ${i} of group ${g} ${problem}`, { where: type, argument: 'params' });
        }
        if (seen.has(p))
          throw new ArgumentError(`${type}: parameter ${i} of group ${g} appears more than once`, { where: type, argument: 'params' });
        seen.add(p);
      });
      checkOptionKeys(group, [...known, 'params'], `${type} (parameter group ${g})`);
      const resolved = { ...base, ...group, params: [...group.params] } as Group<O>;
      this.validate(resolved, g);
      return resolved;
    });
  }

  /** Checks a group's options; subclasses add theirs. Errors name the optimizer, the group and the option. */
  protected validate(group: Group<O>, index: number): void {
    this.checkNonNegative(group.lr, 'lr', index);
  }

  protected checkNonNegative(value: unknown, option: string, group: number, max = Number.POSITIVE_INFINITY): void {
    if (typeof value !== 'number' || !(value >= 0) || value > max || Number.isNaN(value)) {
      throw new ArgumentError(
        `${this.type}: '${option}' must be a number ${max === Number.POSITIVE_INFINITY ? '≥ 0' : `from 0 to ${max}`}${this.paramGroups?.length > 1 || group > 0 ? ` (group ${group})` : ''}, got ${String(value)}`,
        { where: this.type, argument: option },
      );
    }
  }

  /** Every parameter, in group order. */
  parameters(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    // Indexed loops (here and in step): they run every step, mostly before V8 optimizes them,
    // and an iterator costs the interpreter several calls per element.
    const groups = this.paramGroups;
    for (let g = 0; g < groups.length; g++) {
      const params = groups[g].params;
      for (let i = 0; i < params.length; i++) params[i].grad = null;
    }
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    const groups = this.paramGroups;
    // Everything is checked before any parameter changes: a step is applied whole or not at all.
    for (let index = 0; index < groups.length; index++) {
      this.validate(groups[index], index);
      const params = groups[index].params;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        if (p.grad !== null && p.grad.value?.data?.length !== p.value.data.length) throw this.badGradient(p, index, i);
      }
    }
    for (let index = 0; index < groups.length; index++) {
      const group = groups[index];
      const params = group.params;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        if (p.grad === null) continue;
        let state = this.state.get(p);
        if (!state) {
          state = {};
          this.state.set(p, state);
        }
        this.update(p.value.data, p.grad.value.data, state, group);
      }
    }
  }

  /** The error for a `.grad` set by hand that does not fit its parameter (an update would read past it, or from nothing). */
  private badGradient(p: Tensor, group: number, index: number): ArgumentError {
    const got = isTensor(p.grad) ? `a gradient of shape [${p.grad.shape.join(', ')}]` : `.grad = ${String(p.grad)}`;
    return new ArgumentError(
      `${this.type}.step: parameter ${index}${this.paramGroups.length > 1 ? ` of group ${group}` : ''} has shape [${p.shape.join(', ')}] but ${got}; .grad must be null or a tensor of the parameter's shape`,
      { where: this.type, argument: 'grad' },
    );
  }

  /** One in-place update of a parameter's data given its gradient. */
  protected abstract update(param: TypedArray, grad: TypedArray, state: ParamState, group: Group<O>): void;

  /** A zero-filled buffer of the parameter's array type. */
  protected buffer(like: TypedArray): TypedArray {
    return new (like.constructor as new (n: number) => TypedArray)(like.length);
  }

  /** A snapshot of options and state (copies) to save with a model and resume training exactly. */
  stateDict(): OptimizerState {
    const params = this.parameters();
    const state: OptimizerState['state'] = {};
    params.forEach((p, i) => {
      const s = this.state.get(p);
      if (!s) return;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : new NDArray(v.slice(), p.shape)]));
    });
    let offset = 0;
    const paramGroups = this.paramGroups.map(({ params: ps, ...options }) => {
      const indices = ps.map((_, i) => offset + i);
      offset += ps.length;
      return { ...options, params: indices };
    });
    return { type: this.type, paramGroups, state };
  }

  /**
   * What `update` keeps for each parameter of a group with these options: counters (non-negative
   * integers, e.g. `step`) and buffers of the parameter's size. {@link loadStateDict} checks a
   * restored state against it. The default, `null`, checks only that numbers are finite and
   * buffers fit; an optimizer written outside this package may override it.
   * @example
   * protected override stateLayout(group) {
   *   return { counters: ['step'], buffers: group.momentum > 0 ? ['velocity'] : [] };
   * }
   */
  protected stateLayout(_group: Group<O>): StateLayout | null {
    return null;
  }

  /**
   * Restores a {@link stateDict}. Checks everything first — optimizer type, group sizes and
   * options, each parameter's counters and buffers against {@link stateLayout} — and changes
   * nothing when anything is wrong.
   */
  loadStateDict(snapshot: OptimizerState): void {
    const fail = (why: string) => new ArgumentError(`${this.type}.loadStateDict: ${why}`, { where: this.type, argument: 'state' });
    if (typeof snapshot !== 'object' || snapshot === null || !Array.isArray(snapshot.paramGroups)) throw fail('not an optimizer state');
    if (snapshot.type !== this.type) throw fail(`the state belongs to ${JSON.stringify(snapshot.type)}, not ${this.type}`);
    if (snapshot.paramGroups.length !== this.paramGroups.length)
      throw fail(`${snapshot.paramGroups.length} parameter groups in the state, ${this.paramGroups.length} here`);
    const merged = snapshot.paramGroups.map((g, i) => {
      if (typeof g !== 'object' || g === null || Array.isArray(g)) throw fail(`group ${i} is not an object of options and params`);
      if (!Array.isArray(g.params) || g.params.length !== this.paramGroups[i].params.length) {
        throw fail(
          `group ${i} has ${Array.isArray(g.params) ? g.params.length : 'no list of'} parameters in the state, ${this.paramGroups[i].params.length} here`,
        );
      }
      const { params: _ignored, ...options } = g;
      const group = { ...this.paramGroups[i], ...options, params: this.paramGroups[i].params } as Group<O>;
      this.validate(group, i);
      return { options, group };
    });
    const params = this.parameters();
    const groupOf = merged.flatMap(({ group }) => group.params.map(() => group));
    const restored = new Map<Tensor, ParamState>();
    const entries = snapshot.state ?? {};
    if (typeof entries !== 'object' || Array.isArray(entries)) throw fail("'state' must be an object of parameter states");
    for (const [key, entry] of Object.entries(entries)) {
      const index = Number(key);
      const p = Number.isInteger(index) ? params[index] : undefined;
      if (!p) throw fail(`state for parameter ${key}, but there are only ${params.length}`);
      restored.set(p, this.restoredState(entry, p, groupOf[index], `parameter ${key}`, fail));
    }
    merged.forEach(({ options }, i) => Object.assign(this.paramGroups[i], options));
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }

  /** One parameter's state from a snapshot, checked against {@link stateLayout}: copies of its buffers. */
  private restoredState(entry: unknown, p: Tensor, group: Group<O>, which: string, fail: (why: string) => Error): ParamState {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail(`the state of ${which} is not an object`);
    const names = Object.keys(entry);
    const layout = names.length === 0 ? null : this.stateLayout(group);
    if (layout) {
      const expected = [...layout.counters, ...layout.buffers];
      const missing = expected.filter((n) => !names.includes(n)).map((n) => `'${n}'`);
      const unexpected = names.filter((n) => !expected.includes(n)).map((n) => `'${n}'`);
      const parts = [
        missing.length ? `lacks ${missing.join(', ')}` : '',
        unexpected.length ? `has unexpected ${unexpected.join(', ')}` : '',
      ];
      if (missing.length || unexpected.length) throw fail(`the state of ${which} ${parts.filter(Boolean).join(' and ')}`);
    }
    const state: ParamState = {};
    for (const [name, value] of Object.entries(entry)) {
      if (layout === null ? typeof value === 'number' : layout.counters.includes(name)) {
        const ok = layout === null ? Number.isFinite(value) : Number.isSafeInteger(value) && (value as number) >= 0;
        const expected = layout === null ? 'a finite number' : 'a non-negative integer';
        if (!ok) throw fail(`'${name}' of ${which} must be ${expected}, got ${JSON.stringify(value)}`);
        state[name] = value as number;
      } else if (isBufferOf(value, p.size)) {
        const copy = this.buffer(p.value.data);
        copy.set(value.data);
        state[name] = copy;
      } else throw fail(`buffer '${name}' of ${which} does not match its shape [${p.shape.join(', ')}]`);
    }
    return state;
  }
}
