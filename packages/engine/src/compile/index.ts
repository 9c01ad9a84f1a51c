import { formatShape, isFloating, NDArray, type TypedArray } from '@backprop/tensor';
import { CompileError, GraphError } from '../errors.js';
import { enableGrad, isAnomalyEnabled, isGradEnabled, noGrad } from '../mode.js';
import { add, mul } from '../ops/arithmetic.js';
import { sum } from '../ops/reduce.js';
import { isTracing, type OpSpec, setTracer } from '../record.js';
import { isTensor, Tensor } from '../tensor.js';
import { builtinOps } from './builtins.js';
import { type CompiledOp, type CompiledSlot, type EmitContext, helpers } from './emit.js';

export type { CompiledOp, CompiledSlot, EmitContext } from './emit.js';

/** One op seen while tracing. */
interface Traced {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly spec: OpSpec | undefined;
}

/** A leaf of the traced graph: an argument (read from the call) or a tensor the function captured. */
interface Leaf {
  readonly tensor: Tensor;
  /** Position among the call's arguments, or −1 for a captured tensor. */
  readonly argument: number;
  readonly size: number;
  readonly requiresGrad: boolean;
}

/** A compiled program for one signature of the arguments. */
interface Plan {
  readonly leaves: readonly Leaf[];
  /** Per leaf: the index in `buffers` of its gradient (leaves that require one), else −1. */
  readonly leafGrads: readonly number[];
  /** The program's arrays; leaves' gradients are replaced by fresh ones on every call. */
  readonly buffers: TypedArray[];
  readonly loss: { readonly buffer: TypedArray; readonly shape: readonly number[] };
  readonly run: (leafData: TypedArray[], buffers: readonly TypedArray[]) => void;
  /** Reused array of the leaves' data for `run`. */
  readonly leafData: TypedArray[];
  /** What the traced ops were chosen by (see `guardTrace`): all must hold, or the plan is stale. */
  readonly guards: readonly (() => boolean)[];
}

/**
 * Compiles a loss function into one generated JavaScript function that computes the loss *and*
 * back-propagates it — the equivalent of `fn(...args).backward()` — without creating a tensor,
 * a graph node or a closure per op. For small networks, whose eager training step is dominated
 * by per-op overhead, this takes about half the time (XOR 2-4-1, 10,000 epochs: 69.0 against
 * 130 ms in BENCHMARKS.md's run of record). It is not for large layers: the compiled
 * matrix products are plain loops, slower than the SIMD gemm of the eager path.
 *
 * The first call with a new signature (shapes, dtypes and `requiresGrad` of the arguments) runs
 * `fn` once eagerly to trace it; later calls run the compiled code. Tensors that `fn` captures
 * (parameters, constant inputs) are read when called, so in-place optimizer updates are seen;
 * tensors passed as arguments may change from call to call (each is read from its own position,
 * also when the traced call passed one tensor twice). An input made by recorded ops outside the
 * function (`step(encoder.forward(x))`) passes its gradient on through them, as `backward()`
 * would (so, as there, only once: pass `x.detach()` to reuse one). Values made with `detach()` or
 * inside `noGrad` are computed on every call and pass no gradient back, as in the eager graph (a
 * leaf only they reach keeps its `.grad`). Like every tracing compiler it
 * assumes the function does the same ops each time: data-dependent branches are frozen at the
 * trace, and values computed outside engine ops (from `.value` or `.toArray()`) are constants —
 * except conditions registered with {@link guardTrace}: each call checks them and traces again
 * when one no longer holds. A layer's training mode is such a condition (reading
 * `Module.training` while tracing registers it), so a function traced with the model in `eval()`
 * is traced again after `model.train()`. What a compiled function would silently get wrong
 * refuses to be traced instead: the engine's random constructors (`rand`, `randn`, …), and
 * layers that call {@link assertNotTracing} (`Dropout` and batch normalisation in training
 * mode) throw a CompileError naming themselves.
 *
 * Each call accumulates into `.grad` of every leaf that requires a gradient (call
 * `optimizer.zeroGrad()` first, as with `backward()`), applies gradient hooks registered on
 * leaves, and returns the loss as a tensor without a graph. Results equal the eager ones up to
 * float rounding (sums are taken in a different order). In anomaly mode the eager path runs.
 *
 * @throws CompileError while tracing: an op without a compiled form (the message names it), a
 * hook or `retainGrad` on an intermediate tensor, a random draw or a layer that refuses tracing,
 * a loss that is not a float scalar, or no leaf requiring a gradient.
 * @example
 * const trainStep = compileBackward(() => halfSquaredError(model.forward(x), y));
 * for (let epoch = 0; epoch < 10_000; epoch++) {
 *   optimizer.zeroGrad();
 *   trainStep();          // loss and every parameter's .grad
 *   optimizer.step();
 * }
 */
export function compileBackward<A extends Tensor[]>(fn: (...args: A) => Tensor): (...args: A) => Tensor {
  if (typeof fn !== 'function') throw new CompileError(`compileBackward: expected a function, got ${typeof fn}`);
  const plans = new Map<string, Plan>();
  // The last plan run and its arguments' signature: a training loop calls with the same shapes
  // again and again, and comparing them costs less than building the key.
  let last: Plan | undefined;
  let lastArgs: readonly Tensor[] = [];
  let lastRequires: readonly boolean[] = [];
  return (...args: A): Tensor => {
    // As fn(...args).backward() would: inside noGrad nothing is recorded to go back through.
    if (!isGradEnabled()) {
      throw new GraphError(
        'compileBackward: the compiled function was called inside noGrad(); it computes the loss and its gradients, as fn(...args).backward() would, so it runs with gradients on (for the loss alone, call the function itself)',
        { where: 'compileBackward' },
      );
    }
    if (isAnomalyEnabled()) {
      signature(args);
      const loss = fn(...args);
      loss.backward();
      return loss.detach();
    }
    if (isTracing()) throw new CompileError('compileBackward: a compiled function cannot be called while another one is being traced');
    const same = last !== undefined && sameSignature(args, lastArgs, lastRequires);
    // The key is built only for a new signature (and for a stale plan, below).
    const key = same ? undefined : signature(args);
    let plan = key === undefined ? last : plans.get(key);
    let loss = plan === undefined ? undefined : execute(plan, args);
    if (plan === undefined || loss === undefined) {
      plan = trace(fn, args);
      plans.set(key ?? signature(args), plan);
      loss = execute(plan, args);
      if (loss === undefined) {
        throw new CompileError(
          'compileBackward: a condition the function registered with guardTrace() no longer holds right after the trace that registered it (the function changes what its guard reads)',
        );
      }
    }
    if (!same || plan !== last) {
      last = plan;
      lastArgs = args;
      lastRequires = args.map((t) => t.requiresGrad);
    }
    return loss;
  };
}

/**
 * Whether `args` have the signature the previous call's `previous` had: the same dtypes and shapes
 * (fixed for a tensor) and `requiresGrad` as it was then (`requires`; it can be switched).
 */
function sameSignature(args: readonly unknown[], previous: readonly Tensor[], requires: readonly boolean[]): boolean {
  if (args.length !== previous.length) return false;
  for (let i = 0; i < args.length; i++) {
    const t = args[i];
    if (!isTensor(t) || t.requiresGrad !== requires[i]) return false;
    const p = previous[i];
    if (t === p) continue;
    if (t.dtype !== p.dtype || t.ndim !== p.ndim) return false;
    for (let d = 0; d < t.ndim; d++) if (t.shape[d] !== p.shape[d]) return false;
  }
  return true;
}

/** What distinguishes one compiled program from another: each argument's dtype, shape and requiresGrad. */
function signature(args: readonly unknown[]): string {
  let key = '';
  for (let i = 0; i < args.length; i++) {
    const t = args[i];
    if (!isTensor(t)) {
      throw new CompileError(`compileBackward: argument #${i} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    }
    key += `${t.dtype}${formatShape(t.shape)}${t.requiresGrad ? '*' : ''};`;
  }
  return key;
}

/**
 * Runs a plan and hands out its gradients; `undefined` when a guard of the trace fails or a
 * captured tensor changed size or `requiresGrad` since the trace (the plan is stale).
 */
function execute(plan: Plan, args: readonly Tensor[]): Tensor | undefined {
  const { leaves, leafData, leafGrads, buffers, guards } = plan;
  for (let k = 0; k < guards.length; k++) if (!guards[k]()) return undefined;
  for (let k = 0; k < leaves.length; k++) {
    const leaf = leaves[k];
    const t = leaf.argument < 0 ? leaf.tensor : args[leaf.argument];
    if (leaf.argument < 0 && (t.value.size !== leaf.size || t.requiresGrad !== leaf.requiresGrad)) return undefined;
    leafData[k] = t.value.data;
    // A fresh zeroed array per call: it becomes the gradient tensor's storage afterwards.
    const slot = leafGrads[k];
    if (slot >= 0) buffers[slot] = new (leafData[k].constructor as new (n: number) => TypedArray)(leaf.size);
  }
  plan.run(leafData, buffers);
  let onward: [Tensor, Tensor][] | undefined;
  for (let k = 0; k < leaves.length; k++) {
    const slot = leafGrads[k];
    if (slot < 0) continue;
    const leaf = leaves[k];
    const t = leaf.argument < 0 ? leaf.tensor : args[leaf.argument];
    const g = new Tensor(new NDArray(buffers[slot], t.shape));
    if (t.node !== null) (onward ??= []).push([t, g]);
    else if (t.grad === null && !t.hasHooks) t.grad = g;
    else accumulate(t, g);
  }
  if (onward !== undefined) continueBackward(onward);
  return new Tensor(new NDArray(plan.loss.buffer.slice(), plan.loss.shape));
}

/**
 * Carries the gradients of inputs made by recorded ops outside the function (an argument such as
 * `encoder.forward(x)`) on through those ops, as `fn(...args).backward()` would: one backward pass
 * from Σ⟨t, g⟩, whose gradient with respect to each such t is exactly its g.
 */
function continueBackward(onward: readonly (readonly [Tensor, Tensor])[]): void {
  let total: Tensor | undefined;
  for (const [t, g] of onward) {
    const term = sum(mul(t, g));
    total = total === undefined ? term : add(total, term);
  }
  try {
    (total as Tensor).backward();
  } catch (error) {
    // The usual case: a tensor made once outside the function and used on every call.
    if (!GraphError.isInstance(error) || !error.message.includes('a second time')) throw error;
    throw new GraphError(
      `compileBackward: an input of the function was made by recorded ops outside it, whose graph an earlier call (or backward()) already went back through: ${error.message.replace(/^backward: /, '')}. To train only what the function computes, pass that input detached (x.detach()); to train what made it, make it anew for each call or inside the function`,
      { where: 'compileBackward', cause: error },
    );
  }
}

/** What `backward()` does with a leaf's gradient: run its hooks, then add it to `.grad`. */
function accumulate(t: Tensor, gradient: Tensor): void {
  noGrad(() => {
    const g = t.applyHooks(gradient);
    t.grad = t.grad === null ? g : add(t.grad, g);
  });
}

/** Runs `fn` eagerly once, recording every op, and generates the program of the loss's graph. */
function trace<A extends Tensor[]>(fn: (...args: A) => Tensor, args: A): Plan {
  const traced = new Map<Tensor, Traced>();
  // Each argument is traced as a tensor of its own (the same values), so that what the function
  // does with argument k is read from argument k on every call — even when this call passes one
  // tensor twice, or a tensor the function also captures (a parameter): the first would otherwise
  // read both arguments from the first, the second the captured parameter from the argument.
  const stand = args.map((t) => new Tensor(t.value, t.requiresGrad ? { requiresGrad: true } : undefined)) as A;
  setTracer((output, op, inputs, spec) => {
    traced.set(output, { op, inputs, spec });
  });
  let loss: Tensor;
  let guards: (() => boolean)[];
  try {
    loss = enableGrad(() => fn(...stand));
  } finally {
    guards = setTracer(null);
  }
  if (!isTensor(loss)) throw new CompileError(`compileBackward: the function must return the loss as a Tensor, got ${typeof loss}`);
  if (loss.size !== 1 || !isFloating(loss.dtype)) {
    throw new CompileError(
      `compileBackward: the loss must be a float scalar, got ${loss.dtype} of shape ${formatShape(loss.shape)} (reduce it with mean() or sum())`,
    );
  }
  // Every tensor the loss depends on, inputs before the tensors made from them.
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const visit = (root: Tensor) => {
    const stack: [Tensor, number][] = [[root, 0]];
    seen.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const inputs = traced.get(top[0])?.inputs ?? [];
      if (top[1] < inputs.length) {
        const input = inputs[top[1]++];
        if (!seen.has(input)) {
          seen.add(input);
          stack.push([input, 0]);
        }
      } else {
        stack.pop();
        order.push(top[0]);
      }
    }
  };
  if (!traced.has(loss)) throw new CompileError('compileBackward: the function returned a leaf tensor; the loss must be computed by ops');
  visit(loss);
  return generate(order, traced, loss, stand, guards);
}

/** Assigns buffers and variables to the traced tensors and generates the program. */
function generate(
  order: readonly Tensor[],
  traced: ReadonlyMap<Tensor, Traced>,
  loss: Tensor,
  args: readonly Tensor[],
  guards: readonly (() => boolean)[],
): Plan {
  const slots = new Map<Tensor, CompiledSlot>();
  const needsGrad = new Map<Tensor, boolean>();
  const leaves: Leaf[] = [];
  const leafGrads: number[] = [];
  const buffers: TypedArray[] = [];
  const declarations: string[] = [];
  const zeroing: string[] = [];
  const buffer = (like: TypedArray, size: number): string => {
    buffers.push(new (like.constructor as new (n: number) => TypedArray)(size));
    const name = `b${buffers.length - 1}`;
    declarations.push(`const ${name} = B[${buffers.length - 1}];`);
    return name;
  };
  const forward: string[] = [];
  const backward: string[] = [];
  // The tensors some op passes a gradient back to.
  const gradInputs = new Set<Tensor>();
  for (const t of order) {
    const step = traced.get(t);
    if (step === undefined) {
      const argument = args.indexOf(t);
      const requiresGrad = t.requiresGrad;
      const k = leaves.length;
      leaves.push({ tensor: t, argument, size: t.value.size, requiresGrad });
      declarations.push(`const l${k} = L[${k}];`);
      let grad: string | null = null;
      if (requiresGrad) {
        grad = buffer(t.value.data, t.size);
        leafGrads.push(buffers.length - 1);
      } else leafGrads.push(-1);
      needsGrad.set(t, requiresGrad);
      slots.set(t, { value: `l${k}`, grad, shape: t.shape, size: t.size, dtype: t.dtype });
      continue;
    }
    const emitter = (step.spec?.compiled as CompiledOp | undefined) ?? builtinOps[step.op];
    const inputs = step.inputs.map((input) => slots.get(input) as CompiledSlot);
    const where = `'${step.op}' (inputs ${inputs.map((s) => formatShape(s.shape)).join(', ')})`;
    if (emitter === undefined) {
      throw new CompileError(
        `compileBackward: ${where} has no compiled form; compiled ops: ${Object.keys(builtinOps).join(', ')}, and custom ops that give one (CustomOpDefinition.compiled)`,
        { op: step.op },
      );
    }
    if (t.hasHooks || t.retainsGrad) {
      throw new CompileError(
        `compileBackward: the output of ${where} has a gradient hook or retainGrad(); only leaves' hooks are compiled`,
        {
          op: step.op,
        },
      );
    }
    // As in the eager graph: an op recorded inside noGrad (its output requires no gradient) passes none back.
    const requiresGrad = t.requiresGrad && step.inputs.some((input) => needsGrad.get(input) === true);
    needsGrad.set(t, requiresGrad);
    if (requiresGrad) for (const input of step.inputs) gradInputs.add(input);
    const draft: EmitContext = {
      out: { value: '', grad: null, shape: t.shape, size: t.size, dtype: t.dtype },
      inputs,
      attrs: step.spec?.attrs ?? {},
    };
    const reason = emitter.unsupported?.(draft) ?? null;
    if (reason !== null) throw new CompileError(`compileBackward: ${where} cannot be compiled: ${reason}`, { op: step.op });
    let out: CompiledSlot;
    if (emitter.alias) out = { ...inputs[0], shape: t.shape, grad: requiresGrad ? inputs[0].grad : null };
    else {
      const value = buffer(t.value.data, t.size);
      let grad: string | null = null;
      if (requiresGrad) {
        grad = buffer(t.value.data, t.size);
        zeroing.push(`${grad}.fill(0);`);
      }
      out = { value, grad, shape: t.shape, size: t.size, dtype: t.dtype };
    }
    slots.set(t, out);
    const context: EmitContext = { ...draft, out };
    if (!emitter.alias) forward.push(`{ ${emitter.forward(context)} }`);
    if (requiresGrad && !emitter.alias) backward.unshift(`{ ${emitter.backward(context)} }`);
  }
  if (needsGrad.get(loss) !== true) {
    throw new CompileError(
      'compileBackward: the loss does not require a gradient: no tensor it is computed from has requiresGrad (or it was computed inside noGrad)',
    );
  }
  // A leaf no gradient reaches (used only inside noGrad or through detach) keeps its `.grad`, as in backward().
  for (let k = 0; k < leaves.length; k++) if (!gradInputs.has(leaves[k].tensor)) leafGrads[k] = -1;
  const lossSlot = slots.get(loss) as CompiledSlot;
  const lossBuffer = buffers[Number(lossSlot.value.slice(1))];
  const source = [
    '"use strict";',
    'return function compiledStep(L, B) {',
    ...declarations,
    ...forward,
    ...zeroing,
    `${lossSlot.grad}[0] = 1;`,
    ...backward,
    '};',
  ].join('\n');
  let run: Plan['run'];
  try {
    run = new Function(...Object.keys(helpers), source)(...Object.values(helpers)) as Plan['run'];
  } catch (cause) {
    throw new CompileError(
      `compileBackward: could not create the compiled function (${(cause as Error).message}); a Content-Security-Policy without 'unsafe-eval' forbids generated code — use the eager loop there`,
    );
  }
  return {
    leaves,
    leafGrads,
    buffers,
    loss: { buffer: lossBuffer, shape: loss.shape },
    run,
    leafData: new Array(leaves.length),
    guards,
  };
}
