import { abs, div, memoized, mul, neg, sign, square, sub, type Tensor, where } from '@backprop/engine';
import { type PointwiseLoss, pointwiseLossOps } from './pointwise.js';
import { checkReduction, checkSameShape, positiveOption, type Reduction, type ReductionOptions, reduce, reductionKeys } from './util.js';

/**
 * Mean squared error (ŷ − y)², averaged over every element by default (PyTorch's `MSELoss`).
 * @example mse(model.forward(x), y)
 */
export function mse(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const reduction = checkReduction(options, 'mse', reductionKeys);
  const [x, y] = checkSameShape(input, target, 'mse');
  if (reduction === 'none') return square(sub(x, y));
  return reduction === 'mean' ? squaredOps.mean(x, y) : squaredOps.sum(x, y);
}

/**
 * The textbook cost ½(ŷ − y)² — its derivative is simply ŷ − y — averaged over every element by
 * default (use `reduction: 'sum'` for the textbook's E = ½ Σ (t − o)²).
 * @example halfSquaredError(model.forward(x), y)
 */
export function halfSquaredError(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const reduction = checkReduction(options, 'halfSquaredError', reductionKeys);
  // Indexed, not destructured: an array pattern costs V8's
  // interpreter an iterator, and a small network runs this mostly before it is optimized.
  const checked = checkSameShape(input, target, 'halfSquaredError');
  const x = checked[0];
  const y = checked[1];
  if (reduction === 'none') return mul(square(sub(x, y)), 0.5);
  return reduction === 'mean' ? halfSquaredOps.mean(x, y) : halfSquaredOps.sum(x, y);
}

// ½(ŷ − y)² (`half`) or (ŷ − y)², reduced inside one op (see pointwise.ts); its derivative
// slope·(ŷ − y), slope 1 or 2, is computed directly instead of going back through the mean, the ½,
// the square and the difference. Halving is exact, so ½Σd² and Σ½d² are the same number.
function squaredError(half: boolean): PointwiseLoss {
  const factor = half ? 0.5 : 1;
  const slope = 2 * factor;
  return {
    name: half ? 'halfSquaredError' : 'mse',
    loss: (a, b) => factor * ((a - b) * (a - b)),
    gradInput: (a, b) => (a - b) * slope,
    gradTarget: (a, b) => (b - a) * slope,
    code: { loss: `${factor} * ((a - b) * (a - b))`, gradInput: `(a - b) * ${slope}`, gradTarget: `(b - a) * ${slope}` },
    recorded: (a, b) => {
      const d = half ? sub(a, b) : mul(sub(a, b), slope);
      return [d, neg(d)];
    },
  };
}
const halfSquaredOps = pointwiseLossOps(squaredError(true));
const squaredOps = pointwiseLossOps(squaredError(false));

/**
 * Mean absolute error |ŷ − y| (PyTorch's `L1Loss`); the gradient at ŷ = y is 0.
 * @example mae(prediction, target)
 */
export function mae(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const reduction = checkReduction(options, 'mae', reductionKeys);
  const [x, y] = checkSameShape(input, target, 'mae');
  return reduce(abs(sub(x, y)), reduction);
}

/** Alias of {@link mae}. */
export const l1 = mae;

/**
 * Huber loss with threshold δ (default 1, PyTorch's `HuberLoss`): ½d² where |d| < δ, else
 * δ(|d| − ½δ), with d = ŷ − y.
 * @example huber(prediction, target, { delta: 2 })
 */
export function huber(input: Tensor, target: Tensor, options: ReductionOptions & { delta?: number } = {}): Tensor {
  options ??= {};
  const reduction = checkReduction(options, 'huber', [...reductionKeys, 'delta']);
  const delta = positiveOption(options.delta ?? 1, 'huber', 'delta');
  const [x, y] = checkSameShape(input, target, 'huber');
  return thresholdedOps(`huber ${delta}`)[reduction as Reduction](x, y);
}

/**
 * Smooth L1 loss with threshold β (default 1, PyTorch's `SmoothL1Loss`): ½d²/β where |d| < β,
 * else |d| − ½β. Equals huber/δ for β = δ.
 * @example smoothL1(boxes, targets)
 */
export function smoothL1(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  options ??= {};
  const reduction = checkReduction(options, 'smoothL1', [...reductionKeys, 'beta']);
  const beta = positiveOption(options.beta ?? 1, 'smoothL1', 'beta');
  const [x, y] = checkSameShape(input, target, 'smoothL1');
  return thresholdedOps(`smoothL1 ${beta}`)[reduction as Reduction](x, y);
}

// Huber and smooth L1: quadratic in d = ŷ − y below the threshold t, linear above, each one
// recorded op per reduction (see pointwise.ts) with its compiled form, made once per threshold.
// Both are q·d² | s·(|d| − ½t) with derivative d/v | s·sign(d) — huber q = ½, s = t, v = 1;
// smoothL1 q = ½/t, s = 1, v = t (at |d| = t both branches agree) — as PyTorch computes them
// (a factor or divisor of 1 is exact, so each is the arithmetic of its own formula). t is a
// positive finite number (checked), so it is written into the compiled code as it prints.
const thresholdedOps = memoized((key) => {
  const [name, threshold] = key.split(' ');
  const t = Number(threshold);
  const [q, s, v] = name === 'huber' ? [0.5, t, 1] : [0.5 / t, 1, t];
  const d = 'Math.abs(a - b)';
  return pointwiseLossOps({
    name,
    loss: (a, b) => (Math.abs(a - b) < t ? Math.abs(a - b) * Math.abs(a - b) * q : (Math.abs(a - b) - 0.5 * t) * s),
    gradInput: (a, b) => (Math.abs(a - b) < t ? (a - b) / v : s * Math.sign(a - b)),
    gradTarget: (a, b) => (Math.abs(a - b) < t ? (b - a) / v : s * Math.sign(b - a)),
    code: {
      loss: `(${d} < ${t} ? ${d} * ${d} * ${q} : (${d} - ${0.5 * t}) * ${s})`,
      gradInput: `(${d} < ${t} ? (a - b) / ${v} : ${s} * Math.sign(a - b))`,
      gradTarget: `(${d} < ${t} ? (b - a) / ${v} : ${s} * Math.sign(b - a))`,
    },
    recorded: (a, b) => {
      const diff = sub(a, b);
      const grad = where(abs(diff).lt(t), v === 1 ? diff : div(diff, v), s === 1 ? sign(diff) : mul(sign(diff), s));
      return [grad, neg(grad)];
    },
  });
});
