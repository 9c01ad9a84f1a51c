/** A figure for the table: three significant digits or so. */
export const fmt = (v: number): string =>
  v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.1 || v === 0 ? v.toFixed(2) : v.toPrecision(2);

/** PyTorch's one-thread W4 on the issue's machine (steps/s); the issue's target there is half of it. */
const issuePytorchW4 = 290;

/**
 * W4 against PyTorch on one thread: the figure measured in this run where PyTorch is installed,
 * else the issue's (≈ 290 steps/s on its machine). The absolute 145 steps/s is quoted either way.
 */
export function w4VersusPytorch(ours: number | undefined, measured: number | undefined): { ratio: number; text: string } | undefined {
  if (ours === undefined) return undefined;
  const reference = measured ?? issuePytorchW4;
  const source =
    measured === undefined ? `the issue's ≈ ${issuePytorchW4} (PyTorch not installed here)` : `${fmt(measured)} steps/s in this run`;
  return {
    ratio: ours / reference,
    text: `${(ours / reference).toFixed(2)}× PyTorch (${fmt(ours)} vs ${source}); against the issue's fixed ≈ ${issuePytorchW4 / 2} steps/s (half its machine's PyTorch) ${(ours / (issuePytorchW4 / 2)).toFixed(2)}×; tfjs-wasm cannot train it`,
  };
}
