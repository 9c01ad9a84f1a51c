/** Runs `fn` until at least `minMs` have passed (after `warmup` calls) and returns ms per call, median of `rounds`. */
export function timePerCall(
  fn: () => void,
  options: { warmup?: number; minMs?: number; rounds?: number } = {},
): { median: number; min: number; max: number } {
  const warmup = options.warmup ?? 3;
  const minMs = options.minMs ?? 300;
  const rounds = options.rounds ?? 5;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      fn();
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < minMs / rounds);
    samples.push(elapsed / calls);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples[samples.length - 1] };
}
