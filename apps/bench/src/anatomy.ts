/**
 * W3's anatomy: where a 10,000-epoch run's time goes. A fresh process starts cold, runs its first
 * epochs in V8's unoptimized tiers while the optimizing compiler (TurboFan) works through the hot
 * functions on the other core, and only then runs at the optimized rate. So per subject the bench
 * measures the two rates and the compile work, each in fresh processes:
 * - unoptimized: µs per epoch of a run under `--no-turbofan`;
 * - optimized: µs per epoch of the 4th of four runs in one process (`w3-warm`);
 * - compile work: the optimizing compiles V8 reports (`--trace-opt`, compiling on the main thread
 *   with `--no-concurrent-recompilation` so each is timed alone) in a 10,000-epoch run, minus those
 *   of a 0-epoch run of the same subject (module loading and set-up);
 * - sharing the CPUs: in a plain cold run, the main thread's wait for a core and the CPU time of
 *   the process's other threads (`w3-sched`, from Linux's schedstat).
 */

/** What one child process printed: its measurement, and everything else (V8's traces). */
export interface ChildOutput<R> {
  result: R;
  rest: string;
}

/**
 * Splits a child's stdout into its measurement (the JSON object `run-one` prints) and the rest.
 * V8 writes its traces to the same stdout through a buffer of its own, so the JSON line can land
 * in the middle of a trace line; cutting it out joins that line again.
 * @throws Error when the output holds no measurement.
 */
export function splitChildOutput<R>(text: string): ChildOutput<R> {
  const matches = [...text.matchAll(/\{"(?:value|unsupported|error)":.*?\}\n/g)];
  const last = matches.at(-1);
  if (last === undefined || last.index === undefined) {
    throw new Error(`bench: a child process printed no measurement; its output began: ${JSON.stringify(text.slice(0, 200))}`);
  }
  return {
    result: JSON.parse(last[0]) as R,
    rest: text.slice(0, last.index) + text.slice(last.index + last[0].length),
  };
}

/** The optimizing compiles in V8's `--trace-opt` output: how many completed, and their total time. */
export function compileWork(trace: string): { functions: number; ms: number } {
  let functions = 0;
  let ms = 0;
  // "[completed compiling 0x… <JSFunction f (sfi = 0x…)> (target TURBOFAN) - took 0.004, 2.437, 0.050 ms]":
  // the three phases (prepare, execute, finalize) of one compile job.
  for (const m of trace.matchAll(/\[completed (?:compiling|optimizing) [^\n]*? took ([\d.]+), ([\d.]+), ([\d.]+) ms\]/g)) {
    functions++;
    ms += Number(m[1]) + Number(m[2]) + Number(m[3]);
  }
  return { functions, ms };
}

/** µs per epoch of a W3 run that took `ms` for `epochs` epochs. */
export const perEpoch = (ms: number, epochs: number): number => (ms * 1000) / epochs;

/** One subject's anatomy, as medians over the repetitions. */
export interface Anatomy {
  /** µs per epoch without the optimizing compiler. */
  unoptimized: number;
  /** µs per epoch once optimized. */
  optimized: number;
  /** Optimizing compiles during the 10,000 epochs. */
  functions: number;
  /** Their total time, ms. */
  compileMs: number;
  /**
   * In a cold run as the table's (no flags): how long the main thread waited for a core, ms, while
   * the process's other threads (V8's optimizing compiles and garbage collection) used
   * `backgroundCpuMs` of CPU time. NaN where the system does not report it (see schedstat.ts).
   */
  mainWaitMs: number;
  backgroundCpuMs: number;
}
