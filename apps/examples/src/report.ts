import type { Progress } from '@backprop/train';

/** A one-line progress display for the examples (the CLI has the full progress bar). */
export function progressLine(p: Progress): void {
  if (!process.stdout.isTTY && p.batch !== p.batches) return;
  const line = `epoch ${p.epoch}/${p.epochs}  batch ${String(p.batch).padStart(4)}/${p.batches}  loss ${p.loss.toFixed(4)}  ${Math.round(p.samplesPerSecond)} samples/s`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}${p.batch === p.batches ? '\n' : ''}`);
  else console.log(line);
}
