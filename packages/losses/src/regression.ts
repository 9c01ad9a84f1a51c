import { abs, mul, neg, square, sub, type Tensor, where } from '@backprop/engine';
import { type PointwiseLoss, pointwiseLossOps } from './pointwise.js';
import { checkReduction, checkSameShape, positiveOption, type ReductionOptions, reduce } from './util.js';

/**
 * Mean squared error (ŷ − y)², averaged over every element by default (PyTorch's `MSELoss`).
 * @example mse(model.forward(x), y)
 */
export function mse(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const reduction = checkReduction(options, 'mse');
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
  const reduction = checkReduction(options, 'halfSquaredError');
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
  const reduction = checkReduction(options, 'mae');
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
  const reduction = checkReduction(options, 'huber');
  const delta = positiveOption(options.delta ?? 1, 'huber', 'delta');
  const [x, y] = checkSameShape(input, target, 'huber');
  const d = abs(sub(x, y));
  return reduce(where(d.lt(delta), mul(square(d), 0.5), mul(sub(d, 0.5 * delta), delta)), reduction);
}

/**
 * Smooth L1 loss with threshold β (default 1, PyTorch's `SmoothL1Loss`): ½d²/β where |d| < β,
 * else |d| − ½β. Equals huber/δ for β = δ.
 * @example smoothL1(boxes, targets)
 */
export function smoothL1(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  options ??= {};
  const reduction = checkReduction(options, 'smoothL1');
  const beta = positiveOption(options.beta ?? 1, 'smoothL1', 'beta');
  const [x, y] = checkSameShape(input, target, 'smoothL1');
  const d = abs(sub(x, y));
  return reduce(where(d.lt(beta), mul(square(d), 0.5 / beta), sub(d, 0.5 * beta)), reduction);
}
