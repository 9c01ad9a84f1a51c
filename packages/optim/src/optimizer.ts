import { ArgumentError, isTensor, NDArray, type Tensor } from '@backprop/engine';
import type { TypedArray } from '@backprop/tensor';

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

/**
 * Base class of the optimizers. Updates are applied in place to the parameters' data (no new
 * tensors per step). Parameters whose `grad` is null are skipped.
 */
export abstract class Optimizer<O extends BaseOptions> {
  /** The parameter groups with their resolved options; options may be changed between steps (schedulers do). */
  readonly paramGroups: Group<O>[];
  protected readonly state = new Map<Tensor, ParamState>();

  protected constructor(
    readonly type: string,
    params: ParamsInput<O>,
    defaults: O,
  ) {
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
      const resolved = { ...defaults, ...group, params: [...group.params] } as Group<O>;
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
    for (let index = 0; index < this.paramGroups.length; index++) {
      const group = this.paramGroups[index];
      this.validate(group, index);
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

  /** Restores a {@link stateDict}; checks optimizer type, group sizes and buffer shapes first. */
  loadStateDict(snapshot: OptimizerState): void {
    const fail = (why: string) => new ArgumentError(`${this.type}.loadStateDict: ${why}`, { where: this.type, argument: 'state' });
    if (typeof snapshot !== 'object' || snapshot === null || !Array.isArray(snapshot.paramGroups)) throw fail('not an optimizer state');
    if (snapshot.type !== this.type) throw fail(`the state belongs to ${JSON.stringify(snapshot.type)}, not ${this.type}`);
    if (snapshot.paramGroups.length !== this.paramGroups.length)
      throw fail(`${snapshot.paramGroups.length} parameter groups in the state, ${this.paramGroups.length} here`);
    snapshot.paramGroups.forEach((g, i) => {
      if (!Array.isArray(g.params) || g.params.length !== this.paramGroups[i].params.length) {
        throw fail(`group ${i} has ${g.params?.length} parameters in the state, ${this.paramGroups[i].params.length} here`);
      }
    });
    const params = this.parameters();
    const restored = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(snapshot.state ?? {})) {
      const p = params[Number(key)];
      if (!p) throw fail(`state for parameter ${key}, but there are only ${params.length}`);
      const s: ParamState = {};
      for (const [name, value] of Object.entries(entry)) {
        if (typeof value === 'number') s[name] = value;
        else if (value?.data && value.data.length === p.size) {
          const copy = this.buffer(p.value.data);
          copy.set(value.data);
          s[name] = copy;
        } else throw fail(`buffer '${name}' of parameter ${key} does not match its shape [${p.shape.join(', ')}]`);
      }
      restored.set(p, s);
    }
    snapshot.paramGroups.forEach(({ params: _ignored, ...options }, i) => {
      const merged = { ...this.paramGroups[i], ...options, params: this.paramGroups[i].params } as Group<O>;
      this.validate(merged, i);
      Object.assign(this.paramGroups[i], options);
    });
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}
