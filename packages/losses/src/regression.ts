import { abs, type CompiledOp, div, isGradEnabled, mul, neg, record, square, sub, Tensor, where } from '@backprop/engine';
import * as T from '@backprop/tensor';
import { checkReduction, checkSameShape, floatDType, positiveOption, type ReductionOptions, reduce } from './util.js';

/**
 * Mean squared error (ŷ − y)², averaged over every element by default (PyTorch's `MSELoss`).
 * @example mse(model.forward(x), y)
 */
export function mse(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const reduction = checkReduction(options, 'mse');
  const [x, y] = checkSameShape(input, target, 'mse');
  if (reduction === 'none') return square(sub(x, y));
  return reduction === 'mean' ? squaredMean(x, y) : squaredSum(x, y);
}

/**
 * The textbook cost ½(ŷ − y)² — its derivative is simply ŷ − y — averaged over every element by
 * default (use `reduction: 'sum'` for the textbook's E = ½ Σ (t − o)²).
 * @example halfSquaredError(model.forward(x), y)
 */
export function halfSquaredError(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const reduction = checkReduction(options, 'halfSquaredError');
  // Indexed, not destructured (here and in the op below): an array pattern costs V8's
  // interpreter an iterator, and a small network runs this mostly before it is optimized.
  const checked = checkSameShape(input, target, 'halfSquaredError');
  const x = checked[0];
  const y = checked[1];
  if (reduction === 'none') return mul(square(sub(x, y)), 0.5);
  return reduction === 'mean' ? halfSquaredMean(x, y) : halfSquaredSum(x, y);
}

// The reduced ½(ŷ − y)² (`half`) or (ŷ − y)² as one op: its gradient (ŷ − y)·dE, or 2(ŷ − y)·dE,
// (divided by n for the mean) is computed directly instead of going back through the mean, the ½,
// the square and the difference.
function squaredErrorOp(reduction: 'mean' | 'sum', half: boolean) {
  const name = half ? 'halfSquaredError' : 'mse';
  const factor = half ? 0.5 : 1;
  /** d/dŷ of factor·(ŷ − y)²: 1 for the half, 2 for mse (exact either way). */
  const slope = 2 * factor;
  // For compileBackward: the same sum and gradient as loops over the two inputs.
  const compiled: CompiledOp = {
    forward: ({ out, inputs: [x, y] }) =>
      `let s = 0; for (let i = 0; i < ${x.size}; i++) { const d = ${x.value}[i] - ${y.value}[i]; s += d * d; } ${out.value}[0] = ${reduction === 'mean' ? `(s * ${factor}) / ${x.size}` : `s * ${factor}`};`,
    backward: ({ out, inputs: [x, y] }) => {
      if (x.grad === null && y.grad === null) return '';
      const dE = slope === 1 ? `${out.grad}[0]` : `(${out.grad}[0] * ${slope})`;
      const scale = reduction === 'mean' ? `${dE} / ${x.size}` : dE;
      const toX = x.grad === null ? '' : `${x.grad}[i] += d;`;
      const toY = y.grad === null ? '' : `${y.grad}[i] -= d;`;
      return `const s = ${scale}; for (let i = 0; i < ${x.size}; i++) { const d = (${x.value}[i] - ${y.value}[i]) * s; ${toX} ${toY} }`;
    },
  };
  const spec = { compiled };
  // Recorded directly rather than through customOp: its inputs are checked by the loss function
  // and its gradients have their inputs' shapes and dtypes by construction, so customOp's checks,
  // rest arguments and intermediate tensors would only add to what a small network pays per step
  // (and to what V8 compiles before it is fast).
  return (x: Tensor, y: Tensor): Tensor => {
    // One pass, summed in double precision (as the compiled form), rounded once to the dtype.
    const a = x.value.data;
    const b = y.value.data;
    let s = 0;
    for (let i = 0; i < a.length; i++) {
      const d = a[i] - b[i];
      s += d * d;
    }
    const dtype = floatDType(x);
    const loss = T.allocate(dtype, 1);
    loss[0] = reduction === 'mean' ? (s * factor) / a.length : s * factor;
    return record(
      name,
      [x, y],
      T.wrapChecked(loss, []),
      (dy) => {
        const n = reduction === 'mean' ? x.size : 1;
        // Plain arrays unless this backward is itself being recorded (createGraph).
        if (isGradEnabled()) {
          const dE = slope === 1 ? dy : mul(dy, slope);
          const g = mul(sub(x, y), n === 1 ? dE : div(dE, n));
          return [g, y.requiresGrad ? neg(g) : null];
        }
        // (ŷ − y)·slope·dE/n in one pass, in the inputs' dtype.
        const scale = (dy.value.data[0] * slope) / n;
        const toX = T.allocate(dtype, a.length);
        for (let i = 0; i < a.length; i++) toX[i] = (a[i] - b[i]) * scale;
        const g = new Tensor(T.wrapChecked(toX, x.shape));
        return [g, y.requiresGrad ? new Tensor(T.neg(g.value)) : null];
      },
      spec,
    );
  };
}
const halfSquaredMean = squaredErrorOp('mean', true);
const halfSquaredSum = squaredErrorOp('sum', true);
const squaredMean = squaredErrorOp('mean', false);
const squaredSum = squaredErrorOp('sum', false);

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
