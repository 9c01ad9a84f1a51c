import type { TypedArray } from '../../dtype.js';
import type { AdamHyper } from '../backend.js';

/**
 * One Adam step, the reference loop: float64 arithmetic, each stored value rounded to the
 * array's type, and the stored moments read back (as PyTorch does in the arrays' own precision).
 * √v is multiplied by the reciprocal of √(1 − β₂ᵗ), leaving one division per element.
 */
export function adam(param: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, h: AdamHyper): void {
  const { stepSize, beta1, beta2, inverseSqrtCorrection2, eps, l2, shrink } = h;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] + l2 * param[i];
    m[i] = beta1 * m[i] + keep1 * g;
    v[i] = beta2 * v[i] + keep2 * g * g;
    let second = v[i];
    if (vMax) {
      vMax[i] = Math.max(vMax[i], v[i]);
      second = vMax[i];
    }
    param[i] = param[i] * shrink - (stepSize * m[i]) / (Math.sqrt(second) * inverseSqrtCorrection2 + eps);
  }
}
