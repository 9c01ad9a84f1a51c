import { ArgumentError, fromArray, isTensor, NDArray, type Tensor } from '@backprop/engine';

function gradsOf(params: readonly Tensor[], op: string): Tensor[] {
  if (!Array.isArray(params) || params.some((p) => !isTensor(p))) {
    throw new ArgumentError(`${op}: expected an array of parameter tensors`, { where: op, argument: 'params' });
  }
  return params.filter((p) => p.grad !== null);
}

/** Replaces a gradient by a scaled copy (gradients may be shared between tensors, so never in place). */
function scaleGrad(p: Tensor, map: (v: number) => number): void {
  const g = p.grad as Tensor;
  p.grad = fromArray(new NDArray(g.value.data.map(map), g.shape));
}

/**
 * Scales all gradients together so their global norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`: factor maxNorm/(norm + 1e-6) when the norm exceeds it). Returns the norm
 * before clipping. `normType` is a p ≥ 1 or `Infinity`.
 * @example const norm = clipGradNorm(model.parameters(), 1.0);
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number, normType = 2): number {
  const withGrad = gradsOf(params, 'clipGradNorm');
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new ArgumentError(`clipGradNorm: 'maxNorm' must be a non-negative number, got ${String(maxNorm)}`, {
      where: 'clipGradNorm',
      argument: 'maxNorm',
    });
  }
  if (typeof normType !== 'number' || !(normType >= 1)) {
    throw new ArgumentError(`clipGradNorm: 'normType' must be ≥ 1 or Infinity, got ${String(normType)}`, {
      where: 'clipGradNorm',
      argument: 'normType',
    });
  }
  let total = 0;
  for (const p of withGrad) {
    for (const v of (p.grad as Tensor).value.data)
      total = normType === Number.POSITIVE_INFINITY ? Math.max(total, Math.abs(v)) : total + Math.abs(v) ** normType;
  }
  if (normType !== Number.POSITIVE_INFINITY) total **= 1 / normType;
  const coefficient = maxNorm / (total + 1e-6);
  if (coefficient < 1) for (const p of withGrad) scaleGrad(p, (v) => v * coefficient);
  return total;
}

/**
 * Clamps every gradient element to [−clipValue, clipValue].
 * @example clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: readonly Tensor[], clipValue: number): void {
  const withGrad = gradsOf(params, 'clipGradValue');
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    throw new ArgumentError(`clipGradValue: 'clipValue' must be a non-negative number, got ${String(clipValue)}`, {
      where: 'clipGradValue',
      argument: 'clipValue',
    });
  }
  for (const p of withGrad) scaleGrad(p, (v) => Math.min(clipValue, Math.max(-clipValue, v)));
}
