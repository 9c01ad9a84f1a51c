import type { Module } from '@backprop/layers';
import { now, yieldToEventLoop } from './clock.js';
import { type ArrayInput, batchAt, type Dataset, sampleOrder } from './data.js';
import { badOption } from './errors.js';
import { type FitOptions, type History, TrainingError } from './fit-options.js';
import { TrainingRun } from './training-run.js';

/**
 * Trains `model` on `data`: mini-batches with seeded shuffling, the loss and optimizer given,
 * optional validation, metrics, callbacks, early stopping (restoring the best weights), a
 * learning-rate schedule, gradient clipping and a progress hook. If the loss becomes NaN or
 * infinite, the weights of the last finished epoch are restored and a {@link TrainingError}
 * says where.
 * @example
 * const history = fit(model, dataset(x, y), { epochs: 20, loss: 'crossEntropy', optimizer: { type: 'adam', lr: 1e-3 }, metrics: ['accuracy'], validationSplit: 0.2 });
 */
export function fit(model: Module, data: Dataset | readonly [ArrayInput, ArrayInput], options: FitOptions): History {
  const steps = trainingSteps(model, data, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * {@link fit} that hands control back to the event loop at least every `yieldEveryMs` (default
 * 16 ms, between batches), so a page stays responsive, progress can be drawn and an abort signal
 * (e.g. Ctrl-C) is noticed while training runs. Same options, same results as `fit`.
 * @example const history = await fitAsync(model, data, { epochs: 20, loss: 'mse', optimizer: { type: 'sgd', lr: 0.1 } });
 */
export function fitAsync(
  model: Module,
  data: Dataset | readonly [ArrayInput, ArrayInput],
  options: FitOptions & { yieldEveryMs?: number },
): Promise<History> {
  const budget = options?.yieldEveryMs ?? 16;
  if (typeof budget !== 'number' || !(budget >= 0) || !Number.isFinite(budget))
    throw badOption(
      'fitAsync',
      'yieldEveryMs',
      `'yieldEveryMs' must be a non-negative number of milliseconds, got ${JSON.stringify(budget)}`,
    );
  // The rest are fit's options.
  let fitOptions = options;
  if (typeof options === 'object' && options !== null && 'yieldEveryMs' in options) {
    const { yieldEveryMs: _, ...rest } = options;
    fitOptions = rest;
  }
  const steps = trainingSteps(model, data, fitOptions);
  // The first step runs now, so bad arguments throw here rather than in a rejected promise.
  const first = steps.next();
  if (first.done) return Promise.resolve(first.value);
  return (async () => {
    let since = now();
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (now() - since >= budget) {
        await yieldToEventLoop();
        since = now();
      }
    }
  })();
}

/**
 * The training loop as a generator that pauses after every batch; `fit` and `fitAsync` drive it.
 * It only sequences epochs and batches: the work is in {@link TrainingRun}'s small methods, which
 * V8 optimizes one by one early in a run (one large generator body took it ~0.2 s to optimize,
 * and ran unoptimized meanwhile: most of a 10,000-epoch run on a tiny network).
 */
function* trainingSteps(
  model: Module,
  data: Dataset | readonly [ArrayInput, ArrayInput],
  options: FitOptions,
): Generator<void, History, undefined> {
  const run = new TrainingRun(model, data, options);
  const { train, batchSize } = run;
  const n = train.length;
  for (let e = 0; e < run.epochs && run.stopRequested === undefined; e++) {
    const epoch = run.beginEpoch(e);
    const order = sampleOrder(n, run.batchOptions(epoch));
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      if (run.dropLast && end - start < batchSize) break;
      if (options.signal?.aborted) {
        run.stopRequested = 'aborted';
        break;
      }
      // One batch of the whole set in stored order: the dataset's own arrays (nothing here writes
      // to a batch), not a copy per epoch.
      if (start === 0 && end === n && order === null) run.step(train.x, train.y, e, epoch);
      else {
        const [xb, yb] = batchAt(train, order, start, end);
        run.step(xb, yb, e, epoch);
      }
      if (run.stopRequested !== undefined) break;
      yield;
    }
    if (run.count === 0) break;
    run.endEpoch(e, epoch);
  }
  return run.finish();
}
