import { run } from './program.js';

/** Runs the command line in this process with `args`; returns the exit code and what it wrote (for the tests). */
export async function cli(args: string[], signal?: AbortSignal): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), interactive: false, signal });
  return { code, out, err };
}
