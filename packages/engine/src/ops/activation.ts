import * as T from '@backprop/tensor';
import { composedVjp } from '../backward.js';
import { type CompiledOp, flat, literal } from '../compile/emit.js';
import { memoized } from '../memo.js';
import { isGradEnabled } from '../mode.js';
import { record } from '../record.js';
import { Tensor } from '../tensor.js';
import { maximum, mul } from './arithmetic.js';
import { greater } from './compare.js';
import { where } from './indexing.js';
import { abs, erf, exp, expm1, log1p, sigmoid, tanh } from './unary.js';
import { checkTensor } from './util.js';

// The activations beyond relu, sigmoid and tanh, each one recorded op: the function and its
// derivative per element in double precision, rounded once to the dtype — instead of the three
// to seven ops (a tensor, an array and a backward closure each) their formulas take when written
// with ops. Each is also defined as that composition of ops, which a backward pass that is
// itself recorded (createGraph) differentiates; the two agree to a few ulp in float64. The code
// forms give compileBackward the same arithmetic (its float32 results equal the eager ones bit
// for bit), with `erf` and `sigmoid` the JS backend's scalar functions.

/**
 * An element-wise function as numbers, as code for compileBackward, and as a composition of ops.
 * `inner` is the costly part that both the function and its derivative need (an exp, erf or
 * tanh): the forward pass keeps it per element, in double precision, so the backward pass does
 * not evaluate it again. Activations without one leave it out (`s` is then 0).
 */
interface Activation {
  /** The recorded op's name. */
  readonly op: string;
  /** Its parameters, as recorded (compileBackward error messages and traces show them). */
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly inner?: (x: number) => number;
  readonly value: (x: number, s: number) => number;
  readonly derivative: (x: number, s: number) => number;
  /**
   * The same as JavaScript in the variables named by `a` (the input) and `s` (inner's value):
   * `inner` and `value` as expressions, `derivative` as statements that declare it as `d`.
   */
  readonly code: {
    readonly inner?: (a: string) => string;
    readonly value: (a: string, s: string) => string;
    readonly derivative: (a: string, s: string) => string;
  };
  /** The same function from engine ops, for a recorded backward pass. */
  readonly composed: (x: Tensor) => Tensor;
}

/**
 * @internal An activation's op and the kernels it runs, which `mlp` also runs inside its fused op
 * (so its layers give the op's values and gradients bit for bit).
 */
export interface ActivationKernel {
  /** The recorded op: the activation applied to a tensor. */
  readonly apply: (x: Tensor) => Tensor;
  /** Whether `forward` keeps a double per element (the exp, erf or tanh) for `backward`. */
  readonly keeps: boolean;
  /** `out[i] = f(xs[i])`; fills `kept` where `keeps` (pass `null` when no backward pass follows). */
  readonly forward: (xs: T.TypedArray, out: T.TypedArray, kept: Float64Array | null) => void;
  /** `out[i] = g[i]·f'(xs[i])`, with what `forward` kept. */
  readonly backward: (xs: T.TypedArray, kept: Float64Array | null, g: T.TypedArray, out: T.TypedArray) => void;
}

/** The op computing `activation` element-wise, and its kernels (made once per activation and parameters). */
function activationOp(activation: Activation): ActivationKernel {
  const { op, attrs, inner, value, derivative, code } = activation;
  // The compiled code evaluates `inner` again in the backward pass: the same double as kept here.
  const innerCode = (a: string) => (code.inner === undefined ? '' : `const s = ${code.inner(a)};`);
  const compiled: CompiledOp = {
    forward: ({ out, inputs: [x] }) =>
      flat(out.size, (i) => `const a = ${x.value}[${i}]; ${innerCode('a')} ${out.value}[${i}] = ${code.value('a', 's')};`),
    backward: ({ out, inputs: [x] }) =>
      x.grad === null
        ? ''
        : flat(
            out.size,
            (i) => `const a = ${x.value}[${i}]; ${innerCode('a')} ${code.derivative('a', 's')} ${x.grad}[${i}] += ${out.grad}[${i}] * d;`,
          ),
  };
  // The loops are functions of their own, made once: a loop in the backward closure (made anew by
  // every call) would start in the interpreter each time, and one followed by more code in the op
  // would leave V8's on-stack-replaced code on every call after a first long one.
  const forward = (xs: T.TypedArray, out: T.TypedArray, kept: Float64Array | null): void => {
    if (inner === undefined) for (let i = 0; i < xs.length; i++) out[i] = value(xs[i], 0);
    else if (kept === null) for (let i = 0; i < xs.length; i++) out[i] = value(xs[i], inner(xs[i]));
    else {
      for (let i = 0; i < xs.length; i++) {
        const s = inner(xs[i]);
        kept[i] = s;
        out[i] = value(xs[i], s);
      }
    }
  };
  const backward = (xs: T.TypedArray, kept: Float64Array | null, g: T.TypedArray, out: T.TypedArray): void => {
    if (kept === null) for (let i = 0; i < xs.length; i++) out[i] = g[i] * derivative(xs[i], 0);
    else for (let i = 0; i < xs.length; i++) out[i] = g[i] * derivative(xs[i], kept[i]);
  };
  const apply = (x: Tensor): Tensor => {
    checkTensor(x, op);
    // Integer inputs give float32, as the other non-linear ops (sigmoid, exp, erf).
    const dtype = T.isFloating(x.dtype) ? x.dtype : 'float32';
    const out = T.allocate(dtype, x.size);
    // Kept only where a backward pass may follow.
    const kept = inner !== undefined && x.requiresGrad && isGradEnabled() ? T.allocate('float64', x.size) : null;
    forward(x.value.data, out, kept);
    return record(
      op,
      [x],
      T.wrapChecked(out, x.shape),
      (dy) => {
        // Recording the backward (createGraph): differentiate the composition instead.
        if (isGradEnabled()) return composedVjp(() => activation.composed(x), [x], dy);
        const dx = T.allocate(dtype, x.size);
        backward(x.value.data, kept, dy.value.data, dx);
        return [new Tensor(T.wrapChecked(dx, x.shape))];
      },
      { compiled, attrs },
    );
  };
  return { apply, keeps: inner !== undefined, forward, backward };
}

/** A number parameter, checked: finite (and positive where `positive`), or an ArgumentError naming it. */
function parameter(value: unknown, op: string, name: string, positive = false): number {
  const checked = T.checkFinite(value, op, name);
  if (positive && checked <= 0) {
    throw new T.ArgumentError(`${op}: '${name}' must be a finite positive number, got ${checked}`, { where: op, argument: name });
  }
  return checked;
}

const sqrt2OverPi = Math.sqrt(2 / Math.PI);
const invSqrt2Pi = 1 / Math.sqrt(2 * Math.PI);
const { scalarErf, scalarSigmoid } = T;

const geluExact = activationOp({
  op: 'gelu',
  attrs: { approximate: 'none' },
  // z·Φ(z), Φ(z) = ½(1 + erf(z/√2)) kept; Φ(z) + z·φ(z).
  inner: (x) => (scalarErf(x * Math.SQRT1_2) + 1) * 0.5,
  value: (x, s) => x * s,
  derivative: (x, s) => s + x * Math.exp(-0.5 * x * x) * invSqrt2Pi,
  code: {
    inner: (a) => `(erf(${a} * ${Math.SQRT1_2}) + 1) * 0.5`,
    value: (a, s) => `${a} * ${s}`,
    derivative: (a, s) => `const d = ${s} + ${a} * Math.exp(-0.5 * ${a} * ${a}) * ${invSqrt2Pi};`,
  },
  composed: (x) => mul(x, erf(mul(x, Math.SQRT1_2)).add(1)).mul(0.5),
});

const geluTanh = activationOp({
  op: 'gelu',
  attrs: { approximate: 'tanh' },
  // ½z(1 + t), t = tanh(√(2/π)(z + 0.044715z³)) kept; ½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3·0.044715z²).
  inner: (x) => Math.tanh((x + x * x * x * 0.044715) * sqrt2OverPi),
  value: (x, t) => x * (t + 1) * 0.5,
  derivative: (x, t) => (t + 1) * 0.5 + x * (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * x * x) * 0.5,
  code: {
    inner: (a) => `Math.tanh((${a} + ${a} * ${a} * ${a} * 0.044715) * ${sqrt2OverPi})`,
    value: (a, t) => `${a} * (${t} + 1) * 0.5`,
    derivative: (a, t) =>
      `const d = (${t} + 1) * 0.5 + ${a} * (1 - ${t} * ${t}) * ${sqrt2OverPi} * (1 + 3 * 0.044715 * ${a} * ${a}) * 0.5;`,
  },
  composed: (x) => mul(x, tanh(mul(x.add(mul(x.mul(x).mul(x), 0.044715)), sqrt2OverPi)).add(1)).mul(0.5),
});

/**
 * GELU, z·Φ(z) = ½z(1 + erf(z/√2)) (exact), or with `approximate: 'tanh'`
 * ½z(1 + tanh(√(2/π)(z + 0.044715z³))), as PyTorch's `approximate` option. One op.
 * @example gelu(x, { approximate: 'tanh' })
 */
export function gelu(x: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  T.checkOptionKeys(options, ['approximate'], 'gelu');
  return geluKernel(options?.approximate ?? 'none', 'gelu', 'approximate').apply(x);
}

/** GELU's kernels for `approximate` (checked: errors name `where` and `argument`). */
function geluKernel(approximate: unknown, where: string, argument: string): ActivationKernel {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new T.ArgumentError(`${where}: '${argument}' must be 'none' or 'tanh', got ${String(approximate)}`, { where, argument });
  }
  return approximate === 'tanh' ? geluTanh : geluExact;
}

const softplusOps = memoized((key) => {
  const beta = Number(key);
  return activationOp({
    op: 'softplus',
    attrs: { beta },
    // max(z, 0) + log1p(e)/β with e = e^(−|βz|) kept; the derivative σ(βz) is 1/(1 + e) for z ≥ 0,
    // e/(1 + e) below (the stable sigmoid's two branches, β > 0).
    inner: (x) => Math.exp(-Math.abs(beta * x)),
    value: (x, e) => Math.max(x, 0) + Math.log1p(e) * (1 / beta),
    derivative: (x, e) => (x >= 0 ? 1 / (1 + e) : e / (1 + e)),
    code: {
      inner: (a) => `Math.exp(-Math.abs(${literal(beta)} * ${a}))`,
      value: (a, e) => `Math.max(${a}, 0) + Math.log1p(${e}) * ${literal(1 / beta)}`,
      derivative: (a, e) => `const d = ${a} >= 0 ? 1 / (1 + ${e}) : ${e} / (1 + ${e});`,
    },
    composed: (x) => maximum(x, 0).add(mul(log1p(exp(mul(abs(mul(x, beta)), -1))), 1 / beta)),
  });
});

/**
 * Softplus, log(1 + e^(βz))/β (default β = 1), computed as max(z, 0) + log1p(e^(−|βz|))/β so it
 * never overflows; its derivative is σ(βz). One op.
 * @example softplus(x, 2)
 */
export function softplus(x: Tensor, beta = 1): Tensor {
  return softplusKernel(beta, 'softplus', 'beta').apply(x);
}

const softplusKernel = (beta: unknown, where: string, argument: string) => softplusOps(String(parameter(beta, where, argument, true)));

const eluOps = memoized((key) => {
  const [alpha, scale] = key.split(' ').map(Number);
  const op = scale === 1 ? 'elu' : 'selu';
  return activationOp({
    op,
    attrs: { alpha, scale },
    // λ·z for z > 0, λ·α(eᶻ − 1) otherwise; λ for z > 0, λ·α·eᶻ otherwise (λα at 0, as PyTorch).
    value: (x) => (x > 0 ? x : Math.expm1(x) * alpha) * scale,
    derivative: (x) => (x > 0 ? 1 : Math.exp(x) * alpha) * scale,
    code: {
      value: (a) => `(${a} > 0 ? ${a} : Math.expm1(${a}) * ${literal(alpha)}) * ${literal(scale)}`,
      derivative: (a) => `const d = (${a} > 0 ? 1 : Math.exp(${a}) * ${literal(alpha)}) * ${literal(scale)};`,
    },
    composed: (x) => {
      const positive = greater(x, 0);
      // expm1 only ever sees non-positive values, so the unused branch cannot overflow.
      return mul(where(positive, x, mul(expm1(where(positive, 0, x)), alpha)), scale);
    },
  });
});

/**
 * ELU: z for z > 0, α(eᶻ − 1) otherwise (default α = 1); derivative α at 0, as PyTorch. One op.
 * @example elu(x, 0.5)
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return eluKernel(alpha, 'elu', 'alpha').apply(x);
}

const eluKernel = (alpha: unknown, where: string, argument: string) => eluOps(`${parameter(alpha, where, argument)} 1`);

const seluAlpha = 1.6732632423543772;
const seluScale = 1.0507009873554805;

/** SELU: λ·elu(z, α) with the self-normalising constants λ ≈ 1.0507, α ≈ 1.6733. One op. */
export function selu(x: Tensor): Tensor {
  return seluKernel().apply(x);
}

const seluKernel = () => eluOps(`${seluAlpha} ${seluScale}`);

const leakyReluOps = memoized((key) => {
  const slope = Number(key);
  return activationOp({
    op: 'leakyRelu',
    attrs: { slope },
    value: (x) => (x > 0 ? x : x * slope),
    derivative: (x) => (x > 0 ? 1 : slope),
    code: {
      value: (a) => `${a} > 0 ? ${a} : ${a} * ${literal(slope)}`,
      derivative: (a) => `const d = ${a} > 0 ? 1 : ${literal(slope)};`,
    },
    composed: (x) => where(greater(x, 0), x, mul(x, slope)),
  });
});

/**
 * Leaky ReLU: z for z > 0, `slope`·z otherwise (default slope 0.01, as PyTorch); derivative
 * `slope` at 0. One op.
 * @example leakyRelu(x, 0.2)
 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return leakyReluKernel(slope, 'leakyRelu', 'slope').apply(x);
}

const leakyReluKernel = (slope: unknown, where: string, argument: string) => leakyReluOps(String(parameter(slope, where, argument)));

/**
 * SiLU (swish): z·σ(z); its derivative σ(z)(1 + z(1 − σ(z))). One op.
 * @example silu(x)
 */
export function silu(x: Tensor): Tensor {
  return siluOp.apply(x);
}

const siluOp = activationOp({
  op: 'silu',
  attrs: {},
  // z·s with s = σ(z) kept; s(1 + z(1 − s)).
  inner: scalarSigmoid,
  value: (x, s) => x * s,
  derivative: (x, s) => s * (1 + x * (1 - s)),
  code: {
    inner: (a) => `sigmoid(${a})`,
    value: (a, s) => `${a} * ${s}`,
    derivative: (a, s) => `const d = ${s} * (1 + ${a} * (1 - ${s}));`,
  },
  composed: (x) => mul(x, sigmoid(x)),
});

/**
 * An activation of this file by name, with its parameters where it has any (defaults as the
 * ops': slope 0.01, α 1, exact GELU, β 1): what `mlp` takes besides identity, relu, sigmoid and tanh.
 */
export type ActivationSpec =
  | 'leakyRelu'
  | 'elu'
  | 'selu'
  | 'gelu'
  | 'softplus'
  | 'silu'
  | { readonly name: 'leakyRelu'; readonly slope?: number }
  | { readonly name: 'elu'; readonly alpha?: number }
  | { readonly name: 'gelu'; readonly approximate?: 'none' | 'tanh' }
  | { readonly name: 'softplus'; readonly beta?: number }
  | { readonly name: 'selu' | 'silu' };

/** The names {@link ActivationSpec} takes. */
export const activationNames = ['leakyRelu', 'elu', 'selu', 'gelu', 'softplus', 'silu'] as const;

/**
 * @internal The kernels of `spec`, or `undefined` where it is not an {@link ActivationSpec}.
 * Parameters are checked as the ops check them; errors name `where`'s argument `argument` (e.g.
 * `mlp`'s `layers[0].activation`).
 */
export function activationKernel(spec: unknown, where: string, argument: string): ActivationKernel | undefined {
  const options = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>) : null;
  // A frozen options object cannot change: resolved once (Sequential passes the same one every step).
  const frozen = options !== null && Object.isFrozen(options);
  const known = frozen ? resolvedSpecs.get(options) : undefined;
  if (known !== undefined) return known;
  const kernel = resolveKernel(spec, options, where, argument);
  if (frozen && kernel !== undefined) resolvedSpecs.set(options, kernel);
  return kernel;
}

const resolvedSpecs = new WeakMap<object, ActivationKernel>();

function resolveKernel(
  spec: unknown,
  options: Record<string, unknown> | null,
  where: string,
  argument: string,
): ActivationKernel | undefined {
  const named = options === null ? spec : options.name;
  /** The parameter each activation takes (none: ''). */
  const allowed =
    named === 'leakyRelu' ? 'slope' : named === 'elu' ? 'alpha' : named === 'gelu' ? 'approximate' : named === 'softplus' ? 'beta' : '';
  const unknown = options === null ? undefined : Object.keys(options).find((key) => key !== 'name' && key !== allowed);
  if (unknown !== undefined && (activationNames as readonly unknown[]).includes(named)) {
    throw new T.ArgumentError(
      `${where}: '${argument}' has no option '${unknown}' (${String(named)} takes ${allowed === '' ? 'none' : `'${allowed}'`})`,
      { where, argument },
    );
  }
  // The ops' defaults where an option is not given; the same checks and messages as the ops'.
  const option = (fallback: unknown) => (options === null || options[allowed] === undefined ? fallback : options[allowed]);
  const at = `${argument}.${allowed}`;
  switch (named) {
    case 'leakyRelu':
      return leakyReluKernel(option(0.01), where, at);
    case 'elu':
      return eluKernel(option(1), where, at);
    case 'selu':
      return seluKernel();
    case 'softplus':
      return softplusKernel(option(1), where, at);
    case 'silu':
      return siluOp;
    case 'gelu':
      return geluKernel(option('none'), where, at);
    default:
      return undefined;
  }
}
