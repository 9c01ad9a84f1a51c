#!/usr/bin/env node
import { exitCodes } from './errors.js';
import { run } from './program.js';

// The `backprop` command: one line per error, never a stack trace; Ctrl-C stops training cleanly.
const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\nstopping after the current batch (Ctrl-C again to quit at once)…\n');
  controller.abort();
});
// A reader that stops early (`backprop predict … | head`) closes the pipe: stop quietly, as other
// command-line tools do, instead of dying with an unhandled EPIPE and a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});
const code = await run(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  signal: controller.signal,
});
process.exitCode = code;
