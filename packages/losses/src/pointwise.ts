import { type CompiledOp, type CompiledSlot, isGradEnabled, record, ShapeError, Tensor } from '@backprop/engine';
import * as T from '@backprop/tensor';
import { floatDType, type Reduction } from './util.js';

// The element-wise losses of a prediction and a target that are one recorded op each (the squared
// errors, the binary cross-entropies): every element's loss and both partial derivatives in one
// pass, in double precision (rounded once to the dtype, and for 'mean' and 'sum' summed in double
// before that), instead of the several engine ops — each a tensor, an array and a backward closure
// — that the formulas take when written with ops. A small network pays for a loss per step in
// ops, not arithmetic. Recorded directly rather than through customOp: the loss functions check
// the inputs, and the gradients have their inputs' shapes and dtypes by construction. The code
// forms give compileBackward (`fit({ compile: true })`, `backprop train --compile`) the same loop.

/**
 * An element-wise loss ℓ(a, b, w): prediction `a`, target `b`, `w` the positive class's weight
 * (1 for a loss without one), with its partial derivatives, each also as a JavaScript expression
 * in `a`, `b`, `w` for compileBackward.
 */
export interface PointwiseLoss {
  readonly name: string;
  readonly loss: (a: number, b: number, w: number) => number;
  readonly gradInput: (a: number, b: number, w: number) => number;
  readonly gradTarget: (a: number, b: number, w: number) => number;
  readonly code: { readonly loss: string; readonly gradInput: string; readonly gradTarget: string };
  /** ∂ℓ/∂a and ∂ℓ/∂b as engine ops, for a backward pass that is itself recorded (createGraph). */
  readonly recorded: (a: Tensor, b: Tensor, w: Tensor | number) => [Tensor, Tensor];
}

/** The weight of the positive class: a number, or a tensor broadcast against the input. */
export type PositiveWeight = number | Tensor;

/** The op of each reduction for `loss` (made once: each keeps its compiled form). */
export function pointwiseLossOps(loss: PointwiseLoss): Record<Reduction, ReturnType<typeof pointwiseLossOp>> {
  return { mean: pointwiseLossOp(loss, 'mean'), sum: pointwiseLossOp(loss, 'sum'), none: pointwiseLossOp(loss, 'none') };
}

/**
 * The op computing `loss` over every element of `a` (the input) and `b` (the target: same shape,
 * in the input's dtype), reduced as `reduction` says.
 */
function pointwiseLossOp(loss: PointwiseLoss, reduction: Reduction) {
  const compiled = compiledForm(loss, reduction);
  // The loops over the elements are functions of their own, made once per op: a loop in the
  // backward closure (made anew by every call) would start in the interpreter on every call, and a
  // loop followed by more code in the op itself, once V8 has optimized it on the stack (OSR) in a
  // first call over a large input, would leave that code on every later call (a deoptimization
  // per step, 2 ms instead of 1 for a 128×784 mean squared error).
  /** Every element's loss into `out` (reduction 'none'), or with `out` null their sum. */
  const losses = (av: T.TypedArray, bv: T.TypedArray, w: T.TypedArray | number, out: T.TypedArray | null): number => {
    let s = 0;
    for (let i = 0; i < av.length; i++) {
      const l = loss.loss(av[i], bv[i], typeof w === 'number' ? w : w[i]);
      if (out === null) s += l;
      else out[i] = l;
    }
    return s;
  };
  /** Both partial derivatives times the incoming gradient `g`, into `toA` and `toB` (null: not wanted). */
  const gradients = (
    av: T.TypedArray,
    bv: T.TypedArray,
    w: T.TypedArray | number,
    g: T.TypedArray,
    toA: T.TypedArray | null,
    toB: T.TypedArray | null,
  ): void => {
    const n = av.length;
    const reduced = reduction === 'mean' ? g[0] / n : g[0];
    for (let i = 0; i < n; i++) {
      const d = reduction === 'none' ? g[i] : reduced;
      const wi = typeof w === 'number' ? w : w[i];
      if (toA !== null) toA[i] = loss.gradInput(av[i], bv[i], wi) * d;
      if (toB !== null) toB[i] = loss.gradTarget(av[i], bv[i], wi) * d;
    }
  };
  return (a: Tensor, b: Tensor, w: PositiveWeight = 1): Tensor => {
    const weights = typeof w === 'number' ? null : broadcastWeight(w, a, loss.name);
    const av = a.value.data;
    const bv = b.value.data;
    const n = av.length;
    const dtype = floatDType(a);
    let out: T.TypedArray;
    if (reduction === 'none') {
      out = T.allocate(dtype, n);
      losses(av, bv, weights ?? (w as number), out);
    } else {
      const s = losses(av, bv, weights ?? (w as number), null);
      out = T.allocate(dtype, 1);
      out[0] = reduction === 'mean' ? s / n : s;
    }
    const inputs = typeof w === 'number' ? [a, b] : [a, b, w];
    const value = T.wrapChecked(out, reduction === 'none' ? a.shape : []);
    return record(
      loss.name,
      inputs,
      value,
      (dy) => {
        if (isGradEnabled()) {
          // Recording the backward (createGraph): the derivatives as ops, times dy (÷ n for the mean).
          const [da, db] = loss.recorded(a, b, w);
          const scale = reduction === 'mean' ? dy.div(n) : dy;
          const grads = [a.requiresGrad ? da.mul(scale) : null, b.requiresGrad ? db.mul(scale) : null];
          return typeof w === 'number' ? grads : [...grads, null];
        }
        const toA = a.requiresGrad ? T.allocate(dtype, n) : null;
        const toB = b.requiresGrad ? T.allocate(dtype, n) : null;
        gradients(av, bv, weights ?? (w as number), dy.value.data, toA, toB);
        const grads = [
          toA === null ? null : new Tensor(T.wrapChecked(toA, a.shape)),
          toB === null ? null : new Tensor(T.wrapChecked(toB, b.shape)),
        ];
        // The positive weight gets no gradient (as in PyTorch's autograd of pos_weight, it is a setting).
        return typeof w === 'number' ? grads : [...grads, null];
      },
      { compiled, attrs: typeof w === 'number' ? { positiveWeight: w } : {} },
    );
  };
}

/** The positive weights, one per element of `input` (broadcast), or a ShapeError naming the loss. */
function broadcastWeight(w: Tensor, input: Tensor, name: string): T.TypedArray {
  if (w.size === input.size && T.sameShape(w.shape, input.shape)) return w.value.data;
  let fits: boolean;
  try {
    fits = T.sameShape(T.broadcastShapes(name, w.shape, input.shape), input.shape);
  } catch {
    fits = false;
  }
  if (!fits) {
    throw new ShapeError(
      `${name}: posWeight of shape ${T.formatShape(w.shape)} does not broadcast to the input's shape ${T.formatShape(input.shape)}`,
      { where: name, shapes: [w.shape, input.shape] },
    );
  }
  return T.broadcastTo(T.astype(w.value, input.dtype), input.shape).data;
}

/** The op as code for compileBackward: the same loop, the positive weight a literal or read per element. */
function compiledForm(loss: PointwiseLoss, reduction: Reduction): CompiledOp {
  const weightOf = (a: CompiledSlot, w: CompiledSlot | undefined, attrs: Readonly<Record<string, unknown>>) =>
    w === undefined ? `(${String(attrs.positiveWeight)})` : `${w.value}[${broadcastIndex(w.shape, a.shape)}]`;
  const element = (a: CompiledSlot, b: CompiledSlot, w: string) => `const a = ${a.value}[i], b = ${b.value}[i], w = ${w};`;
  return {
    unsupported: ({ attrs, inputs }) =>
      inputs.length === 3 || Number.isFinite(attrs.positiveWeight) ? null : 'the positive weight is not a finite number',
    forward: ({ out, inputs: [a, b, w], attrs }) => {
      const head = `for (let i = 0; i < ${a.size}; i++) { ${element(a, b, weightOf(a, w, attrs))}`;
      if (reduction === 'none') return `${head} ${out.value}[i] = ${loss.code.loss}; }`;
      return `let s = 0; ${head} s += ${loss.code.loss}; } ${out.value}[0] = ${reduction === 'mean' ? `s / ${a.size}` : 's'};`;
    },
    backward: ({ out, inputs: [a, b, w], attrs }) => {
      if (a.grad === null && b.grad === null) return '';
      const reduced = reduction === 'mean' ? `${out.grad}[0] / ${a.size}` : `${out.grad}[0]`;
      const d = reduction === 'none' ? `${out.grad}[i]` : 'reduced';
      const toA = a.grad === null ? '' : `${a.grad}[i] += (${loss.code.gradInput}) * d;`;
      const toB = b.grad === null ? '' : `${b.grad}[i] += (${loss.code.gradTarget}) * d;`;
      return `const reduced = ${reduced}; for (let i = 0; i < ${a.size}; i++) { ${element(a, b, weightOf(a, w, attrs))} const d = ${d}; ${toA} ${toB} }`;
    },
  };
}

/** The flat index into an array of `shape` broadcast to `to`, as code in the flat index `i` of `to`. */
function broadcastIndex(shape: readonly number[], to: readonly number[]): string {
  const strides = T.broadcastStrides(shape, to);
  const outer = T.stridesOf(to);
  const terms: string[] = [];
  for (let d = 0; d < to.length; d++) {
    if (strides[d] === 0) continue;
    const position = outer[d] === 1 ? 'i' : `Math.floor(i / ${outer[d]})`;
    const axis = d === 0 ? position : `(${position} % ${to[d]})`;
    terms.push(strides[d] === 1 ? axis : `${axis} * ${strides[d]}`);
  }
  return terms.length === 0 ? '0' : terms.join(' + ');
}
