import {
  add,
  div,
  exp,
  gather,
  isTensor,
  log,
  logSoftmax,
  mul,
  neg,
  relu,
  sub,
  sum,
  type Tensor,
  unsqueeze,
  where,
} from '@backprop/engine';
import { isFloating, optionKeys } from '@backprop/tensor';
import { fusedCrossEntropy } from './fused-cross-entropy.js';
import { checkLabels, classWeights, labelIndex } from './labels.js';
import { type PointwiseLoss, type PositiveWeight, pointwiseLossOps } from './pointwise.js';
import {
  checkReduction,
  checkSameShape,
  checkTensorArg,
  constant,
  fail,
  firstInvalid,
  floatDType,
  type Reduction,
  type ReductionOptions,
  reduce,
  reductionKeys,
} from './util.js';

/** Options of the class-label losses. */
export interface ClassOptions extends ReductionOptions {
  /** One non-negative weight per class (`[C]`): PyTorch's `weight`. The mean divides by the total weight of the counted labels. */
  weight?: Tensor | readonly number[];
  /** Labels equal to this are skipped (default −100, as PyTorch). */
  ignoreIndex?: number;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends ClassOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

const classKeys = optionKeys({ reduction: true, weight: true, ignoreIndex: true } satisfies Record<keyof ClassOptions, true>);
const crossEntropyKeys = [...classKeys, 'labelSmoothing'];

function classAxisOf(input: Tensor, loss: string): number {
  if (input.ndim < 1) throw fail(loss, 'input', 'input must have a class axis: [C], [N, C] or [N, C, d1, …]');
  return input.ndim === 1 ? 0 : 1;
}

/** Σ over the class axis of w_c·t_c·logp_c for soft targets. */
function softNll(logp: Tensor, target: Tensor, weights: Float64Array | undefined, classAxis: number): Tensor {
  let weighted = mul(target, logp);
  if (weights) {
    const view = logp.shape.map((d, i) => (i === classAxis ? d : 1));
    weighted = mul(weighted, constant(weights, view, floatDType(logp)));
  }
  return neg(sum(weighted, classAxis));
}

/** The label-based negative log-likelihood shared by crossEntropy and nllLoss. */
function labelLoss(logp: Tensor, target: unknown, options: CrossEntropyOptions, loss: string): Tensor {
  const reduction = checkReduction(options, loss);
  const classAxis = classAxisOf(logp, loss);
  const classes = logp.shape[classAxis];
  const ignoreIndex = options.ignoreIndex ?? -100;
  const smoothing = options.labelSmoothing ?? 0;
  const { index, keep } = labelIndex(checkLabels(logp, target, classAxis, ignoreIndex, loss), ignoreIndex);
  const weights = classWeights(options.weight, classes, loss);
  const dtype = floatDType(logp);
  const labelWeight = Float64Array.from(keep, (k, i) => k * (weights ? weights[index.value.data[i]] : 1));
  const w = constant(labelWeight, index.shape, dtype);
  const picked = gather(logp, classAxis, unsqueeze(index, classAxis)).squeeze(classAxis);
  let perSample = mul(neg(picked), w);
  if (smoothing > 0) {
    const uniform = softNll(logp, constant(new Float64Array(logp.size).fill(1), logp.shape, dtype), weights, classAxis);
    perSample = add(mul(perSample, 1 - smoothing), mul(mul(uniform, constant(keep, index.shape, dtype)), smoothing / classes));
  }
  if (reduction === 'mean') {
    const total = labelWeight.reduce((a, b) => a + b, 0);
    return div(sum(perSample), total);
  }
  return reduce(perSample, reduction);
}

/**
 * Cross-entropy on raw logits (softmax is applied inside, stably — never put a Softmax layer
 * before it). Classes sit on axis 1 (`[N, C]`, `[N, C, d…]`) or axis 0 for a single `[C]` sample.
 * The target is either integer class labels (shape of the input without the class axis) or
 * probabilities of the input's shape (one-hot or soft). Options: class `weight`, `ignoreIndex`,
 * `labelSmoothing`, `reduction` — all as PyTorch's `F.cross_entropy`.
 * Logits of ±1000 give finite losses and exact gradients (softmax − target).
 * @example crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  options ??= {};
  checkReduction(options, 'crossEntropy', crossEntropyKeys);
  const logits = checkTensorArg(input, 'crossEntropy', 'input');
  const labels = checkTensorArg(target, 'crossEntropy', 'target');
  const smoothing = options?.labelSmoothing ?? 0;
  if (typeof smoothing !== 'number' || !(smoothing >= 0 && smoothing <= 1)) {
    throw fail('crossEntropy', 'labelSmoothing', `'labelSmoothing' must be a number from 0 to 1, got ${String(smoothing)}`);
  }
  const classAxis = classAxisOf(logits, 'crossEntropy');
  const soft = labels.dtype !== 'int32' && labels.ndim === logits.ndim;
  // Integer labels on float logits (any rank, weights, smoothing) as one fused op.
  if (!soft && fusable(logits, options)) return fusedLabelLoss(logits, labels, options, smoothing, 'crossEntropy');
  const logp = logSoftmax(logits, classAxis);
  if (!soft) return labelLoss(logp, labels, options, 'crossEntropy');
  const reduction = checkReduction(options, 'crossEntropy');
  const [, probabilities] = checkSameShape(logits, labels, 'crossEntropy');
  const classes = logits.shape[classAxis];
  const smoothed = smoothing > 0 ? add(mul(probabilities, 1 - smoothing), smoothing / classes) : probabilities;
  return reduce(softNll(logp, smoothed, classWeights(options.weight, classes, 'crossEntropy'), classAxis), reduction);
}

/**
 * Negative log-likelihood of integer class labels given log-probabilities (e.g. from
 * `logSoftmax`); `crossEntropy(z, y)` equals `nllLoss(logSoftmax(z, 1), y)`. Options as PyTorch's `F.nll_loss`.
 * @example nllLoss(logSoftmax(logits, 1), labels)
 */
export function nllLoss(input: Tensor, target: Tensor, options: ClassOptions = {}): Tensor {
  options ??= {};
  checkReduction(options, 'nllLoss', classKeys);
  const logp = checkTensorArg(input, 'nllLoss', 'input');
  const labels = checkTensorArg(target, 'nllLoss', 'target');
  // Integer labels on float log-probabilities as one op, the fused cross-entropy's without its softmax.
  if (fusable(logp, options)) return fusedLabelLoss(logp, labels, options, 0, 'nllLoss');
  return labelLoss(logp, labels, { ...options, labelSmoothing: 0 }, 'nllLoss');
}

/** Whether a label loss on `input` takes the fused op: float scores and an integer ignore label. */
function fusable(input: Tensor, options: ClassOptions): boolean {
  return isFloating(input.dtype) && Number.isInteger(options.ignoreIndex ?? -100);
}

/**
 * crossEntropy on logits or (`nllLoss`) nllLoss on log-probabilities of integer `labels`, as the
 * one fused op (fused-cross-entropy.ts), after the same checks as the composed path.
 */
function fusedLabelLoss(input: Tensor, labels: Tensor, options: ClassOptions, smoothing: number, loss: 'crossEntropy' | 'nllLoss'): Tensor {
  const reduction = checkReduction(options, loss) as Reduction;
  const classAxis = classAxisOf(input, loss);
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkLabels(input, labels, classAxis, ignoreIndex, loss);
  const weights = classWeights(options.weight, input.shape[classAxis], loss);
  // A tensor of weights takes part as it is (read on every call, also when compiled), cut off from any graph.
  const weight =
    weights === undefined ? null : isTensor(options.weight) ? options.weight.detach() : constant(weights, [weights.length], 'float64');
  return fusedCrossEntropy(input, labels, weight, { reduction, ignoreIndex, smoothing, logProbabilities: loss === 'nllLoss' });
}

/** Options of the binary cross-entropy losses. */
export interface BinaryOptions extends ReductionOptions {
  /** Per-element weight, broadcast against the loss. */
  weight?: Tensor;
}

const binaryKeys = optionKeys({ reduction: true, weight: true } satisfies Record<keyof BinaryOptions, true>);

/**
 * Binary cross-entropy −[y·log p + (1 − y)·log(1 − p)] on probabilities `p` ∈ [0, 1] (e.g. after
 * a sigmoid); logs are clamped at −100 as PyTorch. Prefer {@link binaryCrossEntropyWithLogits}
 * on raw scores: it is exact where this one saturates.
 * @example binaryCrossEntropy(sigmoid(z), y)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryOptions = {}): Tensor {
  options ??= {};
  const reduction = checkReduction(options, 'binaryCrossEntropy', binaryKeys);
  const [p, y] = checkSameShape(input, target, 'binaryCrossEntropy');
  const bad = firstInvalid(p.value.data, inUnitInterval);
  if (bad >= 0) {
    throw fail(
      'binaryCrossEntropy',
      'input',
      `input must be probabilities in [0, 1], got ${p.value.data[bad]} at flat index ${bad} (for raw scores use binaryCrossEntropyWithLogits)`,
    );
  }
  checkUnitTargets(y, 'binaryCrossEntropy');
  return binaryLoss(probabilityOps, p, y, 1, reduction, options.weight, 'binaryCrossEntropy');
}

/** Whether `v` is in [0, 1] (NaN is not). */
const inUnitInterval = (v: number): boolean => v >= 0 && v <= 1;

function checkUnitTargets(y: Tensor, loss: string): void {
  const bad = firstInvalid(y.value.data, inUnitInterval);
  if (bad >= 0) throw fail(loss, 'target', `targets must be in [0, 1], got ${y.value.data[bad]} at flat index ${bad}`);
}

/**
 * Binary cross-entropy on raw scores (logits), computed stably (no exp overflow: logits of ±1000
 * give the exact loss and the exact gradient σ(z) − y). `posWeight` multiplies the positive term,
 * as PyTorch's `pos_weight`.
 * @example binaryCrossEntropyWithLogits(scores, labels, { posWeight: 3 })
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BinaryOptions & { posWeight?: Tensor | number } = {},
): Tensor {
  options ??= {};
  const reduction = checkReduction(options, 'binaryCrossEntropyWithLogits', [...binaryKeys, 'posWeight']);
  const [z, y] = checkSameShape(input, target, 'binaryCrossEntropyWithLogits');
  checkUnitTargets(y, 'binaryCrossEntropyWithLogits');
  const pw = options.posWeight ?? 1;
  if (typeof pw === 'number' && !Number.isFinite(pw)) {
    throw fail('binaryCrossEntropyWithLogits', 'posWeight', `'posWeight' must be a finite number or a Tensor, got ${pw}`);
  }
  const posWeight = typeof pw === 'number' ? pw : checkTensorArg(pw, 'binaryCrossEntropyWithLogits', 'posWeight');
  return binaryLoss(logitOps, z, y, posWeight, reduction, options.weight, 'binaryCrossEntropyWithLogits');
}

/**
 * Kullback–Leibler divergence KL(target ‖ input) with `input` given as log-probabilities and
 * `target` as probabilities (or log-probabilities with `logTarget`), as PyTorch's `F.kl_div`:
 * pointwise target·(log target − input), 0 where target = 0. `reduction: 'batchmean'` divides the
 * sum by the batch size (the mathematical KL); `'mean'` averages over every element.
 * @example klDivergence(logSoftmax(student, 1), softmax(teacher, 1), { reduction: 'batchmean' })
 */
export function klDivergence(
  input: Tensor,
  target: Tensor,
  options: { reduction?: 'mean' | 'sum' | 'none' | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  options ??= {};
  const reduction = checkReduction(
    options as ReductionOptions,
    'klDivergence',
    [...reductionKeys, 'logTarget'],
    ['mean', 'sum', 'none', 'batchmean'],
  );
  const [logq, t] = checkSameShape(input, target, 'klDivergence');
  const ops = options.logTarget ? klLogTargetOps : klOps;
  if (reduction === 'batchmean') return div(ops.sum(logq, t), logq.ndim === 0 ? 1 : logq.shape[0]);
  return ops[reduction as Reduction](logq, t);
}

// KL divergence per element, one recorded op per reduction (see pointwise.ts): a is the input's
// log-probability, b the target's probability (0 where b ≤ 0, as the target's log is never taken
// there) or, with logTarget, its log-probability.
const klOps = pointwiseLossOps({
  name: 'klDivergence',
  loss: (a, b) => (b > 0 ? b * (Math.log(b) - a) : 0),
  gradInput: (_a, b) => (b > 0 ? -b : 0),
  gradTarget: (a, b) => (b > 0 ? Math.log(b) - a + 1 : 0),
  code: { loss: '(b > 0 ? b * (Math.log(b) - a) : 0)', gradInput: '(b > 0 ? -b : 0)', gradTarget: '(b > 0 ? Math.log(b) - a + 1 : 0)' },
  recorded: (a, b) => {
    const positive = b.gt(0);
    return [where(positive, neg(b), 0), where(positive, add(sub(log(where(positive, b, 1)), a), 1), 0)];
  },
});
const klLogTargetOps = pointwiseLossOps({
  name: 'klDivergence',
  loss: (a, b) => Math.exp(b) * (b - a),
  gradInput: (_a, b) => -Math.exp(b),
  gradTarget: (a, b) => Math.exp(b) * (b - a + 1),
  code: { loss: 'Math.exp(b) * (b - a)', gradInput: '-Math.exp(b)', gradTarget: 'Math.exp(b) * (b - a + 1)' },
  recorded: (a, b) => [neg(exp(b)), mul(exp(b), add(sub(b, a), 1))],
});

/**
 * Binary hinge loss max(0, margin − y·ŷ) for labels y ∈ {−1, +1} and raw scores ŷ (SVM-style).
 * @example hinge(scores, labels) // labels of −1 and 1
 */
export function hinge(input: Tensor, target: Tensor, options: ReductionOptions & { margin?: number } = {}): Tensor {
  options ??= {};
  const reduction = checkReduction(options, 'hinge', [...reductionKeys, 'margin']);
  const margin = options.margin ?? 1;
  if (typeof margin !== 'number' || !Number.isFinite(margin))
    throw fail('hinge', 'margin', `'margin' must be a finite number, got ${String(margin)}`);
  const [x, y] = checkSameShape(input, target, 'hinge');
  const bad = firstInvalid(y.value.data, (v) => v === 1 || v === -1);
  if (bad >= 0) throw fail('hinge', 'target', `labels must be −1 or 1, got ${y.value.data[bad]} at flat index ${bad}`);
  return reduce(relu(sub(margin, mul(x, y))), reduction);
}

// Binary cross-entropy on probabilities, with PyTorch's safeguards: each log is clamped at −100
// and the gradient (p − y)/(p(1 − p)) divides by at least 1e-12, so p = 0 or 1 stays finite.
const clampedLog = (x: number) => Math.max(Math.log(x), -100);

/** −[y·log p + (1 − y)·log(1 − p)] on probabilities `a` and targets `b`. */
const probabilityLoss: PointwiseLoss = {
  name: 'binaryCrossEntropy',
  loss: (p, y) => -(y * clampedLog(p) + (1 - y) * clampedLog(1 - p)),
  gradInput: (p, y) => (p - y) / Math.max(p * (1 - p), 1e-12),
  gradTarget: (p) => clampedLog(1 - p) - clampedLog(p),
  code: {
    loss: '-(b * Math.max(Math.log(a), -100) + (1 - b) * Math.max(Math.log(1 - a), -100))',
    gradInput: '(a - b) / Math.max(a * (1 - a), 1e-12)',
    gradTarget: 'Math.max(Math.log(1 - a), -100) - Math.max(Math.log(a), -100)',
  },
  recorded: (p, y) => {
    const logP = p.log().maximum(-100);
    const logQ = p.neg().add(1).log().maximum(-100);
    return [p.sub(y).div(p.mul(p.neg().add(1)).maximum(1e-12)), logQ.sub(logP)];
  },
};

// ℓ(z, y) = (1 − y)·z + c·softplus(−z), c = 1 + (w − 1)·y, with softplus(−z) = log1p(e^(−|z|)) + max(−z, 0)
// so nothing overflows; dℓ/dz = c·σ(z) − w·y, written out so it is exact even at z = 0.
const softplusNeg = (z: number) => Math.log1p(Math.exp(-Math.abs(z))) + Math.max(-z, 0);
const logistic = (z: number) => {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
};
const softplusNegCode = '(Math.log1p(Math.exp(-Math.abs(a))) + Math.max(-a, 0))';
const logisticCode = '(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))';

/** Binary cross-entropy on logits `a`, targets `b`, positive weight `w`, without overflow. */
const logitLoss: PointwiseLoss = {
  name: 'binaryCrossEntropyWithLogits',
  loss: (z, y, w) => (1 - y) * z + (1 + (w - 1) * y) * softplusNeg(z),
  gradInput: (z, y, w) => (1 + (w - 1) * y) * logistic(z) - w * y,
  gradTarget: (z, _y, w) => -z + (w - 1) * softplusNeg(z),
  code: {
    loss: `(1 - b) * a + (1 + (w - 1) * b) * ${softplusNegCode}`,
    gradInput: `(1 + (w - 1) * b) * ${logisticCode} - w * b`,
    gradTarget: `-a + (w - 1) * ${softplusNegCode}`,
  },
  recorded: (z, y, w) => {
    const softplus = z.abs().neg().exp().log1p().add(z.neg().relu());
    const wMinusOne = typeof w === 'number' ? w - 1 : w.sub(1);
    const c = y.mul(wMinusOne).add(1);
    return [c.mul(z.sigmoid()).sub(y.mul(w)), softplus.mul(wMinusOne).sub(z)];
  },
};

const probabilityOps = pointwiseLossOps(probabilityLoss);
const logitOps = pointwiseLossOps(logitLoss);

/** The op of `reduction`, reduced inside the op unless a per-element weight comes between. */
function binaryLoss(
  ops: ReturnType<typeof pointwiseLossOps>,
  input: Tensor,
  target: Tensor,
  posWeight: PositiveWeight,
  reduction: string,
  weight: Tensor | undefined,
  name: string,
): Tensor {
  if (weight === undefined) return ops[reduction as Reduction](input, target, posWeight);
  return reduce(mul(ops.none(input, target, posWeight), checkTensorArg(weight, name, 'weight')), reduction);
}
