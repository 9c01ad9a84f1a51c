/**
 * Scalar special functions the kernels need and `Math` lacks, each accurate to a few ulp in
 * float64 (they are the reference for every other backend).
 */

const twoOverSqrtPi = 1.1283791670955126;
const invSqrtPi = 0.5641895835477563;

/**
 * The error function. |x| < 2.5: the series erf(x) = 2/√π·e^(−x²)·Σ (2x²)ⁿ·x / (1·3·…·(2n+1)),
 * whose terms are all positive (no cancellation); beyond, 1 − erfc(x) with erfc from its
 * continued fraction, evaluated bottom-up.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return twoOverSqrtPi * Math.exp(-x2) * sum;
  }
  const value = 1 - erfcLarge(ax);
  return x > 0 ? value : -value;
}

/**
 * The logistic function σ(x) = 1/(1 + e⁻ˣ), stable for large |x| (no exp of a large positive
 * number): the formula of the JS backend's `sigmoid` kernel, which writes it out in its loop.
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** erfc(x) for x ≥ 2.5: e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))). */
function erfcLarge(x: number): number {
  let fraction = x;
  for (let n = 60; n >= 1; n--) fraction = x + n / 2 / fraction;
  return (invSqrtPi * Math.exp(-x * x)) / fraction;
}

/** Rounds half to even, like NumPy and PyTorch (`Math.round` rounds half up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
