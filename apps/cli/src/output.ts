import type { Progress } from '@backprop/train';
import * as asciichart from 'asciichart';
import cliProgress from 'cli-progress';

/** Where a command writes: human text, or one JSON document with `--json`. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is an interactive terminal (draw a live progress bar). */
  interactive: boolean;
  /** Ctrl-C: commands that run long stop cleanly when it fires. */
  signal?: AbortSignal;
}

/** A line chart of a series for the terminal (e.g. the loss per epoch). */
export function chart(values: readonly number[], height = 8): string {
  if (values.length < 2) return '';
  const step = Math.max(1, Math.ceil(values.length / 60));
  const sampled = values.filter((_, i) => i % step === 0 || i === values.length - 1);
  return asciichart.plot(sampled as number[], { height, format: (v: number) => v.toPrecision(3).padStart(9) });
}

/** A live progress bar (epoch, batch, loss, metric, throughput, ETA) on an interactive terminal, one line per epoch otherwise. */
export function progressReporter(io: Io, metric: string | undefined): { update: (p: Progress) => void; stop: () => void } {
  if (!io.interactive) {
    return {
      update: (p) => {
        if (p.logs) {
          const extra = metric && p.logs[metric] !== undefined ? `  ${metric} ${p.logs[metric].toFixed(3)}` : '';
          const val = p.logs.valLoss !== undefined ? `  val loss ${p.logs.valLoss.toFixed(4)}` : '';
          io.stderr(`epoch ${p.epoch}/${p.epochs}  loss ${p.logs.loss.toFixed(4)}${extra}${val}  ${formatRate(p.samplesPerSecond)}\n`);
        }
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {epoch}/{epochs} {bar} batch {batch}/{batches}  loss {loss}  {metric}  {rate}  ETA {eta_text}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 20,
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let lastMetric = '';
  return {
    update: (p) => {
      if (p.logs && metric && p.logs[metric] !== undefined) lastMetric = `${metric} ${p.logs[metric].toFixed(3)}`;
      const payload = {
        epoch: p.epoch,
        epochs: p.epochs,
        batch: p.batch,
        batches: p.batches,
        loss: p.loss.toFixed(4),
        metric: lastMetric,
        rate: formatRate(p.samplesPerSecond),
        eta_text: `${Math.ceil(p.etaMs / 1000)}s`,
      };
      if (!started) {
        bar.start(p.batches, p.batch, payload);
        started = true;
      } else bar.update(p.batch, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function formatRate(samplesPerSecond: number): string {
  return samplesPerSecond >= 1000 ? `${(samplesPerSecond / 1000).toFixed(1)}k samples/s` : `${Math.round(samplesPerSecond)} samples/s`;
}

/** A plain text table with aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
