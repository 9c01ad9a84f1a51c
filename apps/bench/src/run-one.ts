#!/usr/bin/env node
/**
 * Runs one workload of one subject in this (fresh) process and prints its measurement as JSON:
 * `node dist/run-one.js <backprop|backprop-1t|backprop-compiled|tfjs-cpu|tfjs-wasm|pytorch|scalar|eager-floor> <w1|…|w6|w3-warm|w3-sched> [n]`
 * (`n`: W1's size, W3's number of epochs).
 */
import { schedDelta, threadTimes } from './schedstat.js';
import type { Measurement, Subject } from './subjects/types.js';

const [subjectName, workload, param] = process.argv.slice(2);
// Each subject is imported only in its own process, so no subject pays for loading another.
const subjects: Record<string, () => Promise<Subject>> = {
  backprop: async () => (await import('./subjects/backprop.js')).backprop,
  // The same, with matrix products kept on one thread (read when the first large product runs).
  'backprop-1t': async () => {
    process.env.BACKPROP_THREADS = '1';
    return (await import('./subjects/backprop.js')).backprop;
  },
  // W3 with compileBackward.
  'backprop-compiled': async () => (await import('./subjects/backprop.js')).backpropCompiled,
  scalar: async () => (await import('./subjects/scalar.js')).scalar,
  'eager-floor': async () => (await import('./subjects/eager-floor.js')).eagerFloor,
  'tfjs-cpu': async () => (await import('./subjects/tfjs.js')).tfjs('cpu'),
  'tfjs-wasm': async () => (await import('./subjects/tfjs.js')).tfjs('wasm'),
  // PyTorch on one thread, in a Python process of its own (where python3-torch is installed).
  pytorch: async () => (await import('./subjects/pytorch.js')).pytorch,
};
try {
  const subject = await subjects[subjectName]?.();
  // `w3-warm`: W3 four times in this process; the last run shows what the epochs cost once V8 has
  // optimized everything.
  const warm = workload === 'w3-warm';
  // `w3-sched`: W3 once, with how the threads shared the CPUs meanwhile (schedstat.ts).
  const sched = workload === 'w3-sched';
  const run = subject?.[(warm || sched ? 'w3' : workload) as keyof Subject] as
    | ((n?: number) => Measurement | Promise<Measurement>)
    | undefined;
  if (!run) {
    console.log(JSON.stringify({ unsupported: `${subjectName} has no ${workload}` }));
  } else if (sched) {
    const before = threadTimes();
    const result = await run.call(subject);
    const after = threadTimes();
    console.log(JSON.stringify({ value: result.value, extra: schedDelta(before, after, process.pid) }));
  } else if (warm) {
    let last = await run.call(subject);
    for (let i = 1; i < 4; i++) last = await run.call(subject);
    console.log(JSON.stringify(last));
  } else {
    const result = await run.call(subject, param === undefined ? undefined : Number(param));
    console.log(JSON.stringify(result));
  }
} catch (error) {
  const message = (error as Error).message.split('\n')[0];
  console.log(JSON.stringify(message.startsWith('unsupported: ') ? { unsupported: message.slice(13) } : { error: message }));
}
