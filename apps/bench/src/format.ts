/** A figure for the table: three significant digits or so. */
export const fmt = (v: number): string =>
  v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.1 || v === 0 ? v.toFixed(2) : v.toPrecision(2);

/**
 * W4 against PyTorch on one thread: the figure measured in this run where PyTorch is installed,
 * else the (≈ 290 steps/s on its machine). The absolute 145 steps/s is quoted either way.
 */
export function w4VersusPytorch(ours: number | undefined, measured: number | undefined): { ratio: number; text: string } | undefined {
  if (ours === undefined) return undefined;
  const reference = measured ?? 290;
  const source = measured === undefined ? "the issue's ≈ 290 (PyTorch not installed here)" : `${fmt(measured)} steps/s in this run`;
  return {
    ratio: ours / reference,
    text: `${(ours / reference).toFixed(2)}× PyTorch (${fmt(ours)} vs ${source}); against the issue's fixed ≈ 145 steps/s (half its machine's PyTorch) ${(ours / 145).toFixed(2)}×; tfjs-wasm cannot train it`,
  };
}
