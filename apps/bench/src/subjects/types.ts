/** One measurement of one workload in one process. */
export interface Measurement {
  /** The headline figure (GFLOP/s, samples/s, ms, steps/s, MB). */
  value: number;
  /** Extra figures shown in the table's notes (e.g. peak RSS). */
  extra?: Record<string, number>;
}

/** A subject implements the workloads it can run; a missing one is reported as unsupported. */
export interface Subject {
  w1?(n: number): Promise<Measurement> | Measurement;
  w2?(): Promise<Measurement> | Measurement;
  w3?(): Promise<Measurement> | Measurement;
  w4?(): Promise<Measurement> | Measurement;
  w5?(): Promise<Measurement> | Measurement;
}

/** Fixed-seed synthetic data shared by all subjects (a tiny LCG, so every subject sees the same numbers). */
export function synthetic(rows: number, cols: number, seed: number): Float32Array {
  const out = new Float32Array(rows * cols);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Labels 0..classes−1 from the same generator. */
export function syntheticLabels(rows: number, classes: number, seed: number): Int32Array {
  const u = synthetic(rows, 1, seed);
  return Int32Array.from(u, (v) => Math.min(classes - 1, Math.floor((v + 0.5) * classes)));
}

export const rssMB = (): number => process.memoryUsage().rss / 2 ** 20;

/** W2's measurement for any subject's training step: 20 warm-up steps, then 200 timed ones of batch 128, with peak RSS. */
export function mlpThroughput(step: () => void): Measurement {
  for (let i = 0; i < 20; i++) step();
  let peak = rssMB();
  const start = performance.now();
  for (let i = 0; i < 200; i++) {
    step();
    if (i % 20 === 0) peak = Math.max(peak, rssMB());
  }
  const seconds = (performance.now() - start) / 1000;
  return { value: (200 * 128) / seconds, extra: { peakRssMB: Math.max(peak, rssMB()) } };
}

/** W4's measurement: steps per second over at least 5 s and `minSteps` steps. */
export function stepsPerSecond(step: () => void, minSteps: number): Measurement {
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < 5000 || steps < minSteps) {
    step();
    steps++;
  }
  return { value: steps / ((performance.now() - start) / 1000) };
}
