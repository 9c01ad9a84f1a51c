import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Measurement, Subject } from './types.js';

/**
 * The Python that runs PyTorch: `BACKPROP_BENCH_PYTHON`, else Debian's `/usr/bin/python3` (where
 * `apt-get install python3-torch` puts it), else `python3` on the PATH.
 */
function pythonPath(): string {
  if (process.env.BACKPROP_BENCH_PYTHON) return process.env.BACKPROP_BENCH_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** pytorch/subject.py, from the built bundle (dist/) or the sources (src/subjects/, under vitest). */
function scriptPath(): string {
  const candidates = ['../pytorch/subject.py', '../../pytorch/subject.py'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/**
 * Runs one workload of pytorch/subject.py in a fresh Python process and returns its measurement.
 * Throws `unsupported: …` (shown as "cannot run" in the table) when Python or PyTorch is missing.
 */
export function runPytorch(workload: string, param?: number, python = pythonPath()): Measurement {
  let text: string;
  try {
    text = execFileSync(python, [scriptPath(), workload, ...(param === undefined ? [] : [String(param)])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error(`unsupported: no Python at ${python} (apt-get install python3-torch)`);
    const lastLine = String(stderr ?? (error as Error).message)
      .trim()
      .split('\n')
      .at(-1);
    throw new Error(`pytorch ${workload} failed: ${lastLine}`);
  }
  const result = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Measurement & { unsupported?: string };
  if (result.unsupported) throw new Error(`unsupported: ${result.unsupported}`);
  if (typeof result.value !== 'number') throw new Error(`pytorch ${workload}: no measurement in ${JSON.stringify(text)}`);
  return result;
}

/** PyTorch on one thread (the figures issue #5 quotes for scale, and W4's target is half of). */
export const pytorch: Subject = {
  w1: (n) => runPytorch('w1', n),
  w2: () => runPytorch('w2'),
  w3: (epochs) => runPytorch('w3', epochs),
  w4: () => runPytorch('w4'),
};
