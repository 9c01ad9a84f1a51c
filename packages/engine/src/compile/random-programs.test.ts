import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  avgPool2d,
  broadcastTo,
  clamp,
  compileBackward,
  concat,
  conv2d,
  cos,
  div,
  elu,
  enableGrad,
  erf,
  exp,
  expm1,
  flip,
  fromArray,
  gather,
  gelu,
  gradients,
  greater,
  indexAdd,
  leakyRelu,
  linear,
  log,
  log1p,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maximum,
  maxPool2d,
  mean,
  min,
  minimum,
  mul,
  NDArray,
  neg,
  noGrad,
  pad,
  permute,
  pow,
  prod,
  randn,
  reciprocal,
  relu,
  reshape,
  scatterAdd,
  selu,
  sigmoid,
  silu,
  sin,
  slice,
  softmax,
  softplus,
  split,
  sqrt,
  square,
  stack,
  sub,
  sum,
  sumTo,
  type Tensor,
  take,
  tanh,
  unfold2d,
  variance,
  where,
} from '../index.js';
import { expectGradientsMatch, fuzzSettings } from '../testing.js';

// Differential tests of compileBackward: random programs over the compiled ops (broadcasting
// element-wise ops, reductions, softmax, layout ops, matrix products, windows and convolutions,
// indexing), each run eagerly with
// backward() and compiled, on the same inputs and again on new ones. The loss and every input's
// gradient must agree to float rounding (the compiled code sums in a different order).
// A longer search: FUZZ_RUNS=5000 FUZZ_SEED=<n> pnpm --filter @backprop/engine test random-programs

/** One step of a program: which op, and numbers that choose its operands and attributes. */
interface Step {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** Supplies the program's leaves: made while the program is built, then read back in order. */
type LeafSource = (shape: readonly number[]) => Tensor;

const positive = (x: Tensor) => abs(x).add(0.5);

/** A shape that broadcasts against `shape`: some axes 1, maybe fewer leading axes, maybe one more. */
function partnerShape(shape: readonly number[], b: number, c: number): number[] {
  const ones = shape.map((d, i) => ((b >> i) & 1 ? 1 : d));
  if (c % 5 === 4) return [2, ...ones];
  return ones.slice(Math.min(c % 3, Math.max(ones.length - 1, 0)));
}

const unaries: ((x: Tensor, c: number) => Tensor)[] = [
  neg,
  tanh,
  sigmoid,
  sin,
  cos,
  relu,
  abs,
  erf,
  (x) => square(tanh(x)),
  (x) => exp(tanh(x)),
  (x) => expm1(tanh(x)),
  (x) => sqrt(positive(x)),
  (x) => log(positive(x)),
  (x) => log1p(abs(x)),
  (x) => reciprocal(positive(x)),
  (x, c) => pow(positive(x), [2, 3, 0.5, -1][c % 4]),
  (x, c) => clamp(x, c % 3 === 0 ? undefined : -0.5, c % 3 === 1 ? undefined : 0.7),
];

const binaries: ((x: Tensor, y: Tensor) => Tensor)[] = [add, sub, mul, (x, y) => div(x, positive(y)), maximum, minimum];

/**
 * Runs `steps` on the values made so far (starting with the leaves of `shapes`); every step
 * adds one value. Returns a scalar loss: a weighted sum of the last value and the first one.
 */
function program(shapes: readonly (readonly number[])[], steps: readonly Step[], leaf: LeafSource, eagerOps: boolean): Tensor {
  const values: Tensor[] = shapes.map((shape) => leaf(shape));
  for (const { op, a, b, c } of steps) {
    const x = values[a % values.length];
    const rank = x.ndim;
    const axis = rank === 0 ? 0 : b % rank;
    let y: Tensor;
    // Kinds 0–13 are compiled; the finite-difference checks (eagerOps) skip 13, whose stopped
    // gradients finite differences cannot see, and take the eager-only 14 and 15 instead.
    const kind = eagerOps ? op % 15 : op % 14;
    switch (eagerOps && kind >= 13 ? kind + 1 : kind) {
      case 0:
      case 1:
        y = unaries[(a + b + c) % unaries.length](x, c);
        break;
      case 2:
      case 3: {
        // With a new leaf of a broadcasting shape, on either side, or with an earlier value of the same shape.
        const same = values.find((v, i) => i !== a % values.length && v.ndim === rank && v.shape.every((d, k) => d === x.shape[k]));
        const other = c % 4 === 3 && same !== undefined ? same : leaf(partnerShape(x.shape, b, c));
        const f = binaries[(a + c) % binaries.length];
        y = b % 2 === 0 ? f(x, other) : f(other, x);
        break;
      }
      case 4: {
        // Σ or mean over one or two axes, keeping them or not.
        if (rank === 0) {
          y = sum(x);
          break;
        }
        const axes = rank > 1 && c % 3 === 0 ? [axis, (axis + 1) % rank] : [axis];
        y = (c % 2 === 0 ? sum : mean)(x, axes, { keepDims: c % 4 < 2 });
        break;
      }
      case 5:
        y = rank === 0 ? softmax(x) : (c % 2 === 0 ? softmax : logSoftmax)(x, axis);
        break;
      case 6: {
        // A permutation (a rotation of the axes), or a reshape that merges or splits axes.
        if (rank >= 2 && c % 2 === 0) {
          const axes = x.shape.map((_, i) => (i + 1 + (c % rank)) % rank);
          y = permute(x, axes);
        } else if (x.size % 2 === 0 && c % 3 !== 0) y = reshape(x, [2, x.size / 2]);
        else y = reshape(x, [x.size]);
        break;
      }
      case 7: {
        // A slice along one axis: a start, a stop and a step.
        if (rank === 0) {
          y = reshape(x, [1]);
          break;
        }
        const n = x.shape[axis];
        const start = c % n;
        const specs = x.shape.map((_, i) => (i === axis ? { start, stop: n, step: 1 + (b % 2) } : {}));
        y = slice(x, specs);
        break;
      }
      case 8: {
        // Concatenated with a new leaf along an axis, or stacked with one of its shape.
        if (rank === 0 || c % 3 === 0) {
          y = stack([x, leaf(x.shape)], c % (rank + 1));
          break;
        }
        const other = x.shape.map((d, i) => (i === axis ? 1 + (c % 3) : d));
        y = concat(b % 2 === 0 ? [x, leaf(other)] : [leaf(other), x, x], axis);
        break;
      }
      case 9: {
        // Broadcast to a leading axis of 2 (or to 1-axes expanded), or summed back to a shape.
        if (c % 2 === 0) y = broadcastTo(x, [2, ...x.shape]);
        else y = sumTo(x, partnerShape(x.shape, b, c % 4));
        break;
      }
      case 10: {
        // A matrix product with a new leaf (batch axes broadcast), or linear with a bias.
        const m = rank >= 2 ? x : reshape(x, [1, x.size]);
        const k = m.shape[m.ndim - 1];
        const n = 1 + (c % 3);
        if (c % 3 === 0) y = linear(m, leaf([k, n]), b % 2 === 0 ? leaf([n]) : null);
        else y = matmul(m, leaf(b % 2 === 0 ? [k, n] : [2, ...m.shape.slice(0, -2).map(() => 1), k, n]));
        break;
      }
      case 11: {
        // Windows over an image [1, channels, rows, cols] made of the value: max or average
        // pooling, unfold with a pad value, or a convolution with a new kernel (maybe grouped).
        const cols = rank === 0 ? 1 : x.shape[rank - 1];
        const channels = rank === 3 ? x.shape[0] : 1;
        const image = reshape(x, [1, channels, x.size / channels / cols, cols]);
        const [h, w] = [image.shape[2], image.shape[3]];
        const kernelSize: [number, number] = [1 + (b % Math.min(h, 2)), 1 + (c % Math.min(w, 2))];
        const padding = c % 2;
        if (c % 4 === 0) y = maxPool2d(image, { kernelSize, stride: 1, padding: Math.min(padding, ...kernelSize.map((k) => k >> 1)) });
        else if (c % 4 === 1) y = avgPool2d(image, { kernelSize, stride: [1, 1 + (b % 2)] });
        else if (c % 4 === 2) y = unfold2d(image, { kernelSize, padding, stride: 1 + (b % 2), padValue: 0.25 });
        else {
          const groups = channels % 2 === 0 && b % 2 === 0 ? 2 : 1;
          const out = groups * (1 + (b % 2));
          y = conv2d(image, leaf([out, channels / groups, ...kernelSize]), b % 3 === 0 ? null : leaf([out]), { padding, groups });
        }
        break;
      }
      case 12: {
        // Rows picked by index, repeats included.
        const m = rank === 0 ? reshape(x, [1]) : x;
        const n = m.shape[0];
        y = take(m, [c % n, (b + c) % n, c % n], 0);
        break;
      }
      case 13: {
        // Values cut off from the gradient, detached or computed inside noGrad, used beside the
        // value itself (recomputed from each call's inputs, and passing no gradient back).
        const stopped = c % 2 === 0 ? tanh(x.detach()) : noGrad(() => sigmoid(mul(x, leaf(partnerShape(x.shape, b, c)))));
        y = b % 2 === 0 ? mul(x, stopped) : add(x, stopped);
        break;
      }
      case 14:
        y = eagerOnlyReductionOrLayout(x, axis, b, c);
        break;
      default:
        y = eagerOnlyIndexingOrActivation(x, axis, b, c, leaf);
    }
    values.push(y);
  }
  const last = values[values.length - 1];
  const first = values[0];
  const weights = (t: Tensor) => leaf(t.shape);
  return add(sum(mul(last, weights(last))), mean(mul(first, weights(first))));
}

// Ops compileBackward refuses (it names them): only in the programs of the eager checks.

function eagerOnlyReductionOrLayout(x: Tensor, axis: number, b: number, c: number): Tensor {
  if (x.ndim === 0) return prod(reshape(x, [1]));
  const n = x.shape[axis];
  const keepDims = b % 2 === 0;
  switch (c % 8) {
    case 0:
      return pad(
        x,
        x.shape.map((_, i) => [i === axis ? 1 : 0, (b + i) % 2] as const),
        0.5,
      );
    case 1:
      return flip(x, b % 3 === 0 ? undefined : [axis]);
    case 2:
      return prod(x, axis, { keepDims });
    case 3:
      return variance(x, axis, { keepDims, correction: n > 1 ? b % 2 : 0 });
    case 4:
      return logSumExp(x, axis, { keepDims });
    case 5:
      return (b % 2 === 0 ? max : min)(x, axis, { keepDims: c % 3 === 0 });
    case 6: {
      const pieces = split(x, n > 1 ? [1, n - 1] : [1], axis);
      return pieces[b % pieces.length];
    }
    default:
      return matmul(
        x.ndim >= 2 ? x : reshape(x, [1, n]),
        x.ndim >= 2 ? x : reshape(x, [1, n]),
        b % 2 === 0 ? { transposeB: true } : { transposeA: true },
      );
  }
}

/** An int32 tensor of `shape` with values below `n` (a fixed pattern). */
function indexTensor(shape: readonly number[], n: number, salt: number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  return fromArray(
    new NDArray(
      Int32Array.from({ length: size }, (_, i) => (i * 7 + salt) % n),
      shape,
    ),
  );
}

function eagerOnlyIndexingOrActivation(x: Tensor, axis: number, b: number, c: number, leaf: LeafSource): Tensor {
  const m = x.ndim === 0 ? reshape(x, [1]) : x;
  const n = m.shape[axis];
  const picked = m.shape.map((d, i) => (i === axis ? 1 + (c % 3) : d));
  switch (c % 5) {
    case 0:
      return where(greater(x, 0.1), x, leaf(partnerShape(x.shape, b, c)));
    case 1:
      return gather(m, axis, indexTensor(picked, n, b));
    case 2:
      return scatterAdd(m, axis, indexTensor(picked, n, b), leaf(picked));
    case 3:
      return indexAdd(
        m,
        axis,
        Array.from({ length: picked[axis] }, (_, i) => (b + i * 2) % n),
        leaf(picked),
      );
    default:
      return [
        (t: Tensor) => elu(t, [1, 0.5][b % 2]),
        (t: Tensor) => gelu(t, { approximate: b % 2 === 0 ? 'none' : 'tanh' }),
        (t: Tensor) => leakyRelu(t, [0.01, -0.3][b % 2]),
        selu,
        silu,
        (t: Tensor) => softplus(t, [1, 2.5][b % 2]),
      ][b % 6](x);
  }
}

/** Builds the program once with fresh seeded leaves; returns them and the program as a function of them. */
function build(
  shapes: readonly (readonly number[])[],
  steps: readonly Step[],
  seed: number,
  dtype: 'float32' | 'float64',
  eagerOps = false,
) {
  const inputs: Tensor[] = [];
  const make = (shape: readonly number[]) => {
    const t = randn(shape, { dtype, seed: seed + inputs.length, requiresGrad: true });
    inputs.push(t);
    return t;
  };
  program(shapes, steps, make, eagerOps);
  const fn = (...xs: Tensor[]) => {
    let next = 0;
    return program(shapes, steps, () => xs[next++], eagerOps);
  };
  return { inputs, fn };
}

/** The loss and each input's gradient (null where it got none). */
function run(f: () => Tensor, inputs: readonly Tensor[], backward: boolean) {
  for (const t of inputs) t.grad = null;
  const loss = f();
  if (backward) loss.backward();
  return { loss: loss.item(), grads: inputs.map((t) => (t.grad === null ? null : [...t.grad.value.data])) };
}

function expectAgree(got: ReturnType<typeof run>, want: ReturnType<typeof run>, rtol: number, atol: number, steps: readonly Step[]): void {
  const context = `program ${JSON.stringify(steps)}`;
  expect(Math.abs(got.loss - want.loss), `${context}: loss ${got.loss} vs ${want.loss}`).toBeLessThanOrEqual(
    atol + rtol * Math.abs(want.loss),
  );
  got.grads.forEach((g, k) => {
    const w = want.grads[k];
    // An input no gradient reaches (unused, or used only through detach or inside noGrad) gets none, as eagerly.
    const wanted = w;
    expect(g === null ? null : g.length, `${context}: input #${k}`).toBe(wanted === null ? null : wanted.length);
    g?.forEach((v, i) => {
      const e = (wanted as number[])[i];
      if (!(Math.abs(v - e) <= atol + rtol * Math.abs(e)) && !(Number.isNaN(v) && Number.isNaN(e))) {
        throw new Error(`${context}: input #${k} element ${i}: compiled ${v}, eager ${e}`);
      }
    });
  });
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });
const stepArb = fc.record({ op: fc.nat(1000), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });
const programArb = fc.record({
  shapes: fc.array(shapeArb, { minLength: 1, maxLength: 3 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
  seed: fc.nat(10_000),
});

function check(dtype: 'float32' | 'float64', rtol: number, atol: number, numRuns: number): void {
  fc.assert(
    fc.property(programArb, ({ shapes, steps, seed }) => {
      const { inputs, fn } = build(shapes, steps, seed, dtype);
      const step = compileBackward(fn);
      const compare = () =>
        expectAgree(
          run(() => step(...inputs), inputs, false),
          run(() => fn(...inputs), inputs, true),
          rtol,
          atol,
          steps,
        );
      compare();
      // New values in every input: the compiled code reads them on every call.
      for (const [i, t] of inputs.entries()) t.value.data.set(randn(t.shape, { dtype, seed: seed + 7919 + i }).value.data);
      compare();
      // Arguments made by an op (x·1): their gradients go on through it to the inputs, as eagerly.
      const made = () => inputs.map((t) => mul(t, 1));
      expectAgree(
        run(() => step(...made()), inputs, false),
        run(() => fn(...made()), inputs, true),
        rtol,
        atol,
        steps,
      );
    }),
    fuzzSettings(numRuns),
  );
}

/**
 * Checks, for `numRuns` random float64 programs (with the eager-only ops), that the gradient of
 * `of(fn, inputs, seed)` matches finite differences; a failure names the program.
 */
function expectFiniteDifferences(
  of: (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], seed: number) => (...xs: Tensor[]) => Tensor,
  tolerance: { atol: number; rtol: number },
  numRuns: number,
): void {
  fc.assert(
    fc.property(programArb, ({ shapes, steps, seed }) => {
      const { inputs, fn } = build(shapes, steps, seed, 'float64', true);
      try {
        expectGradientsMatch(of(fn, inputs, seed), inputs, tolerance);
      } catch (error) {
        throw new Error(`program ${JSON.stringify(steps)} on ${JSON.stringify(shapes)}: ${(error as Error).message}`);
      }
    }),
    fuzzSettings(numRuns),
  );
}

describe('random programs', () => {
  it('eager backward: every gradient equals central finite differences (float64)', () => {
    expectFiniteDifferences((fn) => fn, { atol: 1e-6, rtol: 1e-5 }, 150);
  });

  it('createGraph: the gradients differentiate again, to the finite differences of the gradients (float64)', () => {
    // Σᵢ ⟨∂loss/∂xᵢ, vᵢ⟩ for fixed random vᵢ: its gradient is the Hessian times v.
    const gradientDotV = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], seed: number) => {
      const directions = inputs.map((t, i) => randn(t.shape, { dtype: 'float64', seed: seed + 104729 + i }));
      return (...xs: Tensor[]) => {
        // (The finite differences evaluate this under noGrad; the inner gradients need recording.)
        const grads = enableGrad(() => gradients(fn(...xs), xs, { createGraph: true }));
        return grads.reduce((acc, g, i) => add(acc, sum(mul(g, directions[i]))), sum(mul(xs[0], 0)));
      };
    };
    expectFiniteDifferences(gradientDotV, { atol: 1e-5, rtol: 1e-4 }, 100);
  });

  it('compileBackward, float64: the loss and every gradient equal the eager ones to rounding', () => {
    check('float64', 1e-9, 1e-12, 400);
  });

  it('compileBackward, float32: the same to float32 rounding', () => {
    check('float32', 1e-3, 1e-4, 150);
  });
});
