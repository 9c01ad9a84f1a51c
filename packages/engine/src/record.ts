import { allFinite, formatShape, type NDArray } from '@backprop/tensor';
import { AnomalyError, CompileError } from './errors.js';
import { isAnomalyEnabled, isGradEnabled } from './mode.js';
import type { Backward } from './node.js';
import { Tensor } from './tensor.js';

/**
 * What `compileBackward` needs to know about a recorded op beyond its name and inputs: its
 * attributes (axes, transpose flags, …) and, for custom ops, their compiled form.
 */
export interface OpSpec {
  /** The op's non-tensor arguments. */
  readonly attrs?: Readonly<Record<string, unknown>>;
  /** A custom op's compiled form (see `CustomOpDefinition.compiled`). */
  readonly compiled?: unknown;
}

/** @internal Sees every recorded op while `compileBackward` traces a function. */
export type Tracer = (output: Tensor, op: string, inputs: readonly Tensor[], spec: OpSpec | undefined) => void;

let tracer: Tracer | null = null;
/** The conditions the trace in progress depends on (see {@link guardTrace}). */
let guards: (() => boolean)[] = [];

/**
 * Whether `compileBackward` is tracing a function right now. Code that reads state whose value
 * chooses its ops (a flag, a mode) calls {@link guardTrace} when this is true.
 */
export function isTracing(): boolean {
  return tracer !== null;
}

/**
 * Tells the `compileBackward` trace in progress that the ops it just saw were chosen by a
 * condition that may later change — a layer's mode, a flag on an object: every call of the
 * compiled function first checks that `holds()` is still true, and traces the function again
 * when it is not (so the new choice is compiled, or refused if it cannot be). Does nothing
 * outside a trace. `Module.training` does this for every module whose mode is read while tracing,
 * so layers that branch on it need nothing more.
 * @example
 * class Clip extends Module {
 *   enabled = true;
 *   forward(x: Tensor): Tensor {
 *     const enabled = this.enabled;
 *     if (isTracing()) guardTrace(() => this.enabled === enabled);
 *     return enabled ? clamp(x, -1, 1) : x;
 *   }
 * }
 */
export function guardTrace(holds: () => boolean): void {
  if (tracer === null) return;
  if (typeof holds !== 'function')
    throw new CompileError(`guardTrace: expected a function that returns whether the trace still holds, got ${typeof holds}`);
  guards.push(holds);
}

/**
 * Throws a {@link CompileError} while `compileBackward` is tracing; does nothing otherwise (one
 * comparison). Code whose effect a compiled function would lose calls it — random draws, state
 * updated outside ops such as running statistics — so that compiling it fails with a message
 * naming `where`, instead of the traced call's effect being frozen into every later call.
 * `reason` completes the sentence "`where` …".
 * @example
 * class Noise extends Module {
 *   forward(x: Tensor): Tensor {
 *     // (Sequential prefixes errors with the layer's path: "Noise 'encoder.noise': compileBackward: Noise draws …")
 *     if (this.training) assertNotTracing('Noise', 'draws new noise on every call in training mode');
 *     return this.training ? x.add(randn(x.shape, { dtype: x.dtype })) : x;
 *   }
 * }
 */
export function assertNotTracing(where: string, reason: string): void {
  if (tracer === null) return;
  throw new CompileError(
    `compileBackward: ${where} ${reason}; a compiled function would repeat the traced call's instead, so it cannot be compiled (train this model with the eager loop)`,
  );
}

/**
 * @internal Installs (or with `null` removes) the tracer, with an empty list of guards; returns
 * the guards {@link guardTrace} collected since the previous call.
 */
export function setTracer(next: Tracer | null): (() => boolean)[] {
  const collected = guards;
  tracer = next;
  guards = [];
  return collected;
}

/**
 * The one mechanism every differentiable op goes through, built-in or user-defined: wrap the
 * forward result and, when recording and some input requires a gradient, attach the VJP.
 * @internal Exported for the `@backprop` packages' own fused ops (the losses), which return
 * well-formed gradients by construction. Code outside them uses `customOp`, which checks what a
 * backward returns and names the op when it is wrong.
 */
export function record(op: string, inputs: readonly Tensor[], value: NDArray, backward: Backward, spec?: OpSpec): Tensor {
  let needsGrad = false;
  if (isGradEnabled()) {
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad) {
        needsGrad = true;
        break;
      }
    }
  }
  if (isAnomalyEnabled()) checkForward(op, inputs, value);
  let output: Tensor;
  if (!needsGrad) output = new Tensor(value);
  else {
    const stack = isAnomalyEnabled() ? new Error().stack?.split('\n').slice(2, 8).join('\n') : undefined;
    output = Tensor.fromGraph(value, { op, inputs, backward, stack });
  }
  if (tracer !== null) tracer(output, op, inputs, spec);
  return output;
}

/**
 * @internal Shows the trace in progress a tensor made without {@link record} from `inputs`
 * (`detach()`), so that a compiled function computes it on every call instead of freezing the
 * traced call's values.
 */
export function traceOp(output: Tensor, op: string, inputs: readonly Tensor[]): void {
  if (tracer !== null) tracer(output, op, inputs, undefined);
}

let backwardOf: string | undefined;

/** @internal Names the op whose backward is running, so anomalies inside it are attributed to it. */
export function setBackwardContext(op: string | undefined): string | undefined {
  const previous = backwardOf;
  backwardOf = op;
  return previous;
}

function checkForward(op: string, inputs: readonly Tensor[], value: NDArray): void {
  if (value.dtype === 'int32' || allFinite(value)) return;
  if (backwardOf !== undefined) {
    throw new AnomalyError(
      `anomaly: the backward of '${backwardOf}' produced ${describeBad(value)} (in its '${op}' step, shapes ${inputs.map((t) => formatShape(t.shape)).join(', ')})`,
      { op: backwardOf, pass: 'backward' },
    );
  }
  const shapes = inputs.map((t) => formatShape(t.shape)).join(', ');
  const bad = inputs.findIndex((t) => t.dtype !== 'int32' && !allFinite(t.value));
  const cause =
    bad < 0
      ? 'from finite inputs'
      : `because input #${bad} already held NaN or Infinity (${inputs[bad].node ? `made by '${inputs[bad].node?.op}'` : 'a leaf tensor: check the data'})`;
  throw new AnomalyError(`anomaly: '${op}' produced ${describeBad(value)} in its forward pass ${cause}; input shapes: ${shapes}`, {
    op,
    pass: 'forward',
  });
}

/** Names the first non-finite value and its flat index. */
export function describeBad(value: NDArray): string {
  for (let i = 0; i < value.size; i++) {
    const v = value.data[i];
    if (!Number.isFinite(v)) return `${v} (first at flat index ${i} of ${formatShape(value.shape)})`;
  }
  return 'no non-finite value';
}
