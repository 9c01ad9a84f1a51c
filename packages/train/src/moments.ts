/**
 * Each feature's mean and sum of squared deviations from it, in float64, for `data` laid out as
 * samples of `features` values. The corrected two-pass algorithm: the mean, then the deviations
 * from it with the mean's own rounding error taken out, so a one-pass formula's cancellation
 * (10⁹ + 0…999) cannot happen. A feature whose values are all equal gets exactly that value and 0:
 * summing and dividing does not give it back (0.1 six times averages to 0.09999999999999999).
 */
export function moments(data: ArrayLike<number>, features: number): { mean: number[]; squares: number[] } {
  const rows = data.length / features;
  const mean = new Array<number>(features).fill(0);
  const constant = new Array<boolean>(features).fill(true);
  for (let i = 0; i < data.length; i++) {
    const j = i % features;
    mean[j] += data[i];
    if (data[i] !== data[j]) constant[j] = false;
  }
  for (let j = 0; j < features; j++) mean[j] /= rows;
  const deviation = new Array<number>(features).fill(0);
  const squares = new Array<number>(features).fill(0);
  for (let i = 0; i < data.length; i++) {
    const j = i % features;
    const d = data[i] - mean[j];
    deviation[j] += d;
    squares[j] += d * d;
  }
  for (let j = 0; j < features; j++) {
    if (constant[j]) {
      mean[j] = data[j];
      squares[j] = 0;
      continue;
    }
    const correction = deviation[j] / rows;
    mean[j] += correction;
    squares[j] = Math.max(squares[j] - correction * deviation[j], 0);
  }
  return { mean, squares };
}
