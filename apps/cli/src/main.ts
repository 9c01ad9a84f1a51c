#!/usr/bin/env node
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
const code = await run(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  signal: controller.signal,
});
process.exitCode = code;
