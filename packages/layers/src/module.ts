import { BackpropError, fromArray, guardTrace, isTensor, isTracing, NDArray, noGrad, ShapeError, type Tensor } from '@backprop/engine';
import { ArgumentError, checkOptionKeys, checkShape, formatShape, zeros } from '@backprop/tensor';
import { describeTree, summarize } from './describe.js';

/** The JSON description of a layer: its registered `type` and its options (plain JSON values). */
export interface LayerConfig {
  /** The registered type name, e.g. `'Dense'`. */
  type: string;
  [option: string]: unknown;
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateOptions {
  /** Require exactly the module's entries, with the same shapes (default true). */
  strict?: boolean;
}

const contextMarker = Symbol.for('backprop.moduleContext');

/**
 * The base class of every layer and model: it owns named parameters (trainable tensors),
 * buffers (state that is saved but not trained, such as running means) and sub-modules, and
 * gives them dotted paths (`encoder.fc2.weight`) used in state dicts and in error messages.
 *
 * A custom layer subclasses `Module`, registers its parameters in field initialisers and writes
 * `forward` with engine ops; its gradients come for free.
 * @example
 * class Scale extends Module {
 *   readonly gain = this.parameter('gain', ones([1]));
 *   forward(x: Tensor) { return x.mul(this.gain); }
 * }
 */
export abstract class Module {
  #training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();
  #path = '';

  /**
   * True in training mode (dropout active, batch statistics), false after {@link Module.eval}.
   * Reading it while `compileBackward` traces makes the compiled function check the mode on every
   * call and trace again once it has changed (see `guardTrace`), so a layer may branch on it freely.
   */
  get training(): boolean {
    const mode = this.#training;
    if (isTracing()) guardTrace(() => this.#training === mode);
    return mode;
  }

  set training(mode: boolean) {
    this.#training = mode;
  }

  /** Runs the module. Subclasses define it. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** The type name shown in summaries and errors (the registered type for built-in layers). */
  get typeName(): string {
    return this.constructor.name;
  }

  /** The module's dotted path inside the model it belongs to (`''` for the root). */
  get path(): string {
    return this.#path;
  }

  /** `Dense 'encoder.fc2'`, or just the type for a root module: how errors name the module. */
  get label(): string {
    return this.#path === '' ? this.typeName : `${this.typeName} '${this.#path}'`;
  }

  /**
   * Registers a trainable parameter (a leaf tensor that requires a gradient) under `name` and
   * returns it.
   */
  protected parameter(name: string, value: Tensor | NDArray): Tensor {
    this.checkName(name);
    const t = isTensor(value) ? value : fromArray(value);
    if (!t.isLeaf)
      throw new ArgumentError(`${this.label}: parameter '${name}' must be a leaf tensor (use detach())`, {
        where: this.path,
        argument: name,
      });
    t.requiresGrad = true;
    t.name = this.join(name);
    this.#parameters.set(name, t);
    return t;
  }

  /** Registers a buffer: state saved in the state dict but not trained (e.g. BatchNorm running statistics). */
  protected buffer(name: string, value: Tensor | NDArray): Tensor {
    this.checkName(name);
    const t = isTensor(value) ? value.detach() : fromArray(value);
    t.name = this.join(name);
    this.#buffers.set(name, t);
    return t;
  }

  /** Registers a sub-module under `name` (its path becomes `thisPath.name`) and returns it. */
  protected module<M extends Module>(name: string, child: M): M {
    this.checkName(name);
    if (!(child instanceof Module)) {
      throw new ArgumentError(`${this.label}: sub-module '${name}' must be a Module, got ${child === null ? 'null' : typeof child}`, {
        where: this.path,
        argument: name,
      });
    }
    this.#children.set(name, child);
    child.setPath(this.join(name));
    return child;
  }

  private checkName(name: string): void {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_]+$/.test(name)) {
      throw new ArgumentError(`${this.label}: names must be non-empty and use letters, digits or '_', got ${JSON.stringify(name)}`, {
        where: this.path,
        argument: 'name',
      });
    }
    if (this.#parameters.has(name) || this.#buffers.has(name) || this.#children.has(name)) {
      throw new ArgumentError(`${this.label}: the name '${name}' is already registered`, { where: this.path, argument: 'name' });
    }
  }

  private join(name: string): string {
    return this.#path === '' ? name : `${this.#path}.${name}`;
  }

  private setPath(path: string): void {
    this.#path = path;
    for (const [name, t] of this.#parameters) t.name = this.join(name);
    for (const [name, t] of this.#buffers) t.name = this.join(name);
    for (const [name, child] of this.#children) child.setPath(this.join(name));
  }

  /** Direct sub-modules with their names. */
  namedChildren(): [string, Module][] {
    return [...this.#children];
  }

  /** Direct sub-modules. */
  children(): Module[] {
    return [...this.#children.values()];
  }

  /** This module and every descendant, depth first, with paths relative to this module (`''` for itself). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.#children) out.push(...child.namedModules(prefix === '' ? name : `${prefix}.${name}`));
    return out;
  }

  /** Every parameter with its dotted path relative to this module (`fc2.weight`), each tensor once. */
  namedParameters(): [string, Tensor][] {
    return this.collect((m) => m.#parameters);
  }

  /** Every parameter, each tensor once, in registration order. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every buffer with its dotted path. */
  namedBuffers(): [string, Tensor][] {
    return this.collect((m) => m.#buffers);
  }

  private collect(pick: (m: Module) => Map<string, Tensor>): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of pick(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix === '' ? name : `${prefix}.${name}`, t]);
      }
    }
    return out;
  }

  /** Number of parameter elements (each shared tensor counted once); `trainableOnly` skips frozen ones. */
  parameterCount(trainableOnly = false): number {
    return this.parameters()
      .filter((p) => !trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.size, 0);
  }

  /**
   * Switches this module and all descendants to training (`true`) or evaluation mode: sets
   * `training` here and calls each child's `train(mode)` (so a layer that overrides it is told).
   */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.#children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: dropout off, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Freezes (`false`) or unfreezes (`true`, the default) every parameter of this module and its
   * descendants, as PyTorch's `requires_grad_`: frozen parameters get no gradient, and optimizers
   * leave them unchanged. Returns this module.
   * @example model.encoder.setRequiresGrad(false); // fine-tune only the rest
   */
  setRequiresGrad(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Copies of every parameter and buffer by dotted path — what a model file stores.
   * @example Object.keys(model.stateDict()) // ['0.weight', '0.bias', '2.weight', ...]
   */
  stateDict(): Record<string, NDArray> {
    const out: Record<string, NDArray> = {};
    for (const [name, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
      out[name] = new NDArray(t.value.data.slice(), t.shape);
    }
    return out;
  }

  /**
   * Copies values into the parameters and buffers, in place. Checks everything first: with
   * `strict` (the default) every missing or unexpected entry and every shape mismatch is listed
   * in one error, and nothing is changed unless all of it fits.
   */
  loadStateDict(state: Record<string, NDArray | Tensor>, options: LoadStateOptions = {}): void {
    options ??= {};
    checkOptionKeys(options, ['strict'], `${this.label}.loadStateDict`);
    if (typeof state !== 'object' || state === null) {
      throw new ArgumentError(`${this.label}.loadStateDict: state must be an object of arrays by name`, {
        where: this.path,
        argument: 'state',
      });
    }
    const strict = options.strict ?? true;
    const own = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    const problems: string[] = [];
    const missing = [...own.keys()].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !own.has(k));
    if (strict && missing.length) problems.push(`missing: ${missing.join(', ')}`);
    if (strict && unexpected.length) problems.push(`unexpected: ${unexpected.join(', ')}`);
    for (const [name, target] of own) {
      if (!(name in state)) continue;
      const source = state[name];
      const value = (isTensor(source) ? source.value : source) as Partial<NDArray> | null;
      const shape = value?.shape;
      const data = value?.data as unknown;
      if (typeof value !== 'object' || value === null || !Array.isArray(shape) || !isNumbers(data)) {
        problems.push(`${name}: not an array (an NDArray, a tensor, or { shape, data })`);
      } else if (!sameShape(shape, target.shape)) {
        const described = shape.every((d) => Number.isInteger(d)) ? formatShape(shape) : JSON.stringify(shape);
        problems.push(`${name}: shape ${described} in the state, ${formatShape(target.shape)} in the model`);
      } else if (data.length !== target.size) {
        problems.push(`${name}: shape ${formatShape(shape)} but ${data.length} values in the state`);
      } else if (value.dtype === 'int32' && target.dtype !== 'int32') {
        problems.push(`${name}: dtype ${value.dtype} cannot fill a ${target.dtype} tensor`);
      }
    }
    if (problems.length) {
      throw new ShapeError(`${this.label}.loadStateDict: the state does not fit the model — ${problems.join('; ')}`, {
        where: this.path || 'loadStateDict',
      });
    }
    for (const [name, target] of own) {
      if (!(name in state)) continue;
      const source = state[name];
      target.value.data.set((isTensor(source) ? source.value : source).data as ArrayLike<number>);
    }
  }

  /** The JSON description used by model files. Built-in layers implement it; a custom layer overrides it and registers its type. */
  getConfig(): LayerConfig {
    throw new ArgumentError(
      `${this.label} cannot be described as JSON: override getConfig() and register the type with registerLayer() to save it in a model file`,
      { where: this.path },
    );
  }

  /**
   * Runs `fn` and, if it throws a backprop error that does not name a module yet, prefixes it
   * with this module's label, so errors from deep inside a model say where they happened.
   */
  protected withContext<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw addModuleContext(error, this);
    }
  }

  /** A text table of the layers, their output shapes for `inputShape` (if given) and parameter counts. */
  summary(inputShape?: readonly number[]): string {
    return summarize(this, inputShape === undefined ? undefined : this.outputShapes(inputShape));
  }

  /**
   * The output shape of this module and of every module inside it, by path (`''` for this one),
   * for an input of `inputShape`: one forward pass of zeros in eval mode without gradients. The
   * modules are left as they were (mode, and any `forward` replaced on an instance).
   * @example new Sequential(new Dense(4, 8), new ReLU()).outputShapes([1, 4]) // { '': [1, 8], '0': [1, 8], '1': [1, 8] }
   */
  outputShapes(inputShape: readonly number[]): Record<string, number[]> {
    const named = this.namedModules();
    const shapes = new Map<Module, number[]>();
    const saved = named.map(([, m]) => ({ m, training: m.training, own: Object.getOwnPropertyDescriptor(m, 'forward') }));
    for (const { m } of saved) {
      const original = m.forward;
      Object.defineProperty(m, 'forward', {
        configurable: true,
        writable: true,
        value: (...args: Tensor[]) => {
          const y = original.apply(m, args);
          shapes.set(m, [...y.shape]);
          return y;
        },
      });
    }
    try {
      this.eval();
      const dtype = this.parameters()[0]?.dtype ?? 'float32';
      noGrad(() => this.forward(fromArray(zeros(checkShape(inputShape, `${this.label}.outputShapes`), { dtype }))));
    } finally {
      // In reverse, so a module met twice (a layer used twice) gets back what it had first.
      for (const { m, training, own } of saved.reverse()) {
        if (own) Object.defineProperty(m, 'forward', own);
        else delete (m as unknown as { forward?: unknown }).forward;
        m.training = training;
      }
    }
    const out: Record<string, number[]> = {};
    for (const [path, m] of named) {
      const shape = shapes.get(m);
      if (shape) out[path] = shape;
    }
    return out;
  }

  /**
   * The module tree, one module per line with its options (from `getConfig()`, where it has one)
   * and its children indented, as PyTorch prints a module; `console.log(model)` in Node shows it too.
   * @example
   * String(new Sequential(new Dense(2, 3), new ReLU()));
   * // Sequential(
   * //   (0): Dense(inFeatures=2, outFeatures=3, bias=true, dtype=float32)
   * //   (1): ReLU()
   * // )
   */
  toString(): string {
    return describeTree(this, '');
  }

  /** @internal Node's `util.inspect` (and so `console.log`) prints the module tree. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Prefixes a backprop error with the module's label unless a module already claimed it. */
export function addModuleContext(error: unknown, module: Module): unknown {
  if (!BackpropError.isInstance(error)) return error;
  const marked = error as BackpropError & { [contextMarker]?: boolean };
  if (!marked[contextMarker]) {
    marked.message = `${module.label}: ${marked.message}`;
    marked[contextMarker] = true;
  }
  return error;
}

/** Throws a ShapeError that already names its module (so no outer module re-labels it). */
export function moduleShapeError(module: Module, message: string, shapes: readonly (readonly number[])[]): ShapeError {
  const error = new ShapeError(`${module.label} ${message}`, { where: module.path || module.typeName, shapes });
  (error as unknown as Record<symbol, boolean>)[contextMarker] = true;
  return error;
}

/** A typed array, or an array of numbers: what a state entry's `data` may be. */
function isNumbers(data: unknown): data is ArrayLike<number> {
  if (ArrayBuffer.isView(data)) return !(data instanceof DataView) && typeof (data as unknown as ArrayLike<unknown>)[0] !== 'bigint';
  return Array.isArray(data) && data.every((v) => typeof v === 'number');
}

/** Whether two shapes are equal, axis by axis. */
function sameShape(a: readonly unknown[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
