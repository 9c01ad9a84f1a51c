import { BackpropError, fromArray, noGrad, type Tensor } from '@backprop/engine';
import type { Module } from '@backprop/layers';
import {
  type BaseOptions,
  clipGradNorm,
  createOptimizer,
  type LRScheduler,
  type Optimizer,
  type OptimizerName,
  ReduceLROnPlateau,
} from '@backprop/optim';
import { concat, type NDArray, take } from '@backprop/tensor';
import { type ArrayInput, batches, checkBatchSize, type Dataset, dataset, split } from './data.js';
import { badOption } from './errors.js';
import { type LossFunction, type LossName, resolveLoss } from './loss-names.js';
import { type ClassifyOptions, computeMetrics, type MetricName, metricNames } from './metrics.js';

/** An error during training (e.g. the loss became NaN); the model keeps its last good weights. */
export class TrainingError extends BackpropError {
  override readonly name = 'TrainingError';
  static override isInstance(error: unknown): error is TrainingError {
    return BackpropError.isInstance(error) && error.name === 'TrainingError';
  }
}

/** The values logged for one epoch: `loss`, the metrics, and `valLoss`, `valAccuracy`, … with validation. */
export interface EpochLogs {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  /** Learning rate of the first parameter group during the epoch. */
  lr: number;
  /** Wall time of the epoch in milliseconds. */
  ms: number;
  [metric: string]: number;
}

/** What a progress hook receives after every batch (and once per validation pass). */
export interface Progress {
  phase: 'train' | 'validate';
  /** 1-based epoch and its total. */
  epoch: number;
  epochs: number;
  /** 1-based batch within the epoch and the number of batches. */
  batch: number;
  batches: number;
  /** Mean loss of the epoch so far. */
  loss: number;
  /** Training throughput over the run so far. */
  samplesPerSecond: number;
  /** Elapsed and estimated remaining time of the whole run. */
  elapsedMs: number;
  etaMs: number;
  /** The finished epoch's logs (on the last batch of an epoch, after validation). */
  logs?: EpochLogs;
}

/** Hands a callback the running state and a way to stop. */
export interface TrainingContext {
  readonly model: Module;
  readonly optimizer: Optimizer<BaseOptions>;
  /** Stops training after the current batch. */
  stop(reason?: string): void;
}

/** Hooks called during {@link fit}. */
export interface Callback {
  onTrainBegin?(context: TrainingContext): void;
  onEpochBegin?(epoch: number, context: TrainingContext): void;
  onBatchEnd?(batch: { epoch: number; batch: number; loss: number; size: number }, context: TrainingContext): void;
  onEpochEnd?(logs: EpochLogs, context: TrainingContext): void;
  onTrainEnd?(history: History, context: TrainingContext): void;
}

/** Options of early stopping. */
export interface EarlyStoppingOptions {
  /** The logged value to watch (default `'valLoss'` with validation data, else `'loss'`). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** `'min'` or `'max'`; default `'max'` for accuracy/precision/recall/f1/r2, else `'min'`. */
  mode?: 'min' | 'max';
  /** Put back the weights of the best epoch when stopping or at the end (default true). */
  restoreBestWeights?: boolean;
}

/** An optimizer given by name, for configs and the CLI. */
export type OptimizerSpec = { type: OptimizerName | string; lr?: number } & Record<string, unknown>;

/** Options of {@link fit}. */
export interface FitOptions extends ClassifyOptions {
  /** Number of passes over the training data. */
  epochs: number;
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Reshuffle the training data every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling and the validation split (default 0): same seed, same run. */
  seed?: number;
  /** A loss function or name (`'crossEntropy'`, `'mse'`, …). */
  loss: LossName | string | LossFunction;
  /** An optimizer over the model's parameters, or a spec to create one (`{ type: 'adam', lr: 1e-3 }`). */
  optimizer: Optimizer<BaseOptions> | OptimizerSpec;
  /** Metrics computed on each epoch's predictions (and on validation). */
  metrics?: readonly MetricName[];
  /** Fraction of the data (after a seeded shuffle) held out for validation. */
  validationSplit?: number;
  /** A separate validation set (instead of `validationSplit`). */
  validationData?: Dataset;
  /** Callbacks, called in order. */
  callbacks?: readonly Callback[];
  /** Stop when the monitored value stops improving. */
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** Stepped after every epoch (ReduceLROnPlateau gets the early-stopping monitor, or the loss). */
  scheduler?: LRScheduler | ReduceLROnPlateau;
  /** Clip the global gradient norm to this before each step. */
  clipGradNorm?: number;
  /** Called after every batch: draw a progress bar from it. */
  onProgress?: (progress: Progress) => void;
  /** Abort (e.g. on Ctrl-C): training stops cleanly after the current batch. */
  signal?: { readonly aborted: boolean };
  /** Epoch number to start counting from, when resuming (default 0). */
  initialEpoch?: number;
}

/** What {@link fit} returns: per-epoch logs and why it stopped. */
export class History {
  readonly epochs: EpochLogs[] = [];
  /** `'completed'`, `'earlyStopping'`, `'aborted'` or a callback's reason. */
  stopReason = 'completed';
  /** Epoch with the best monitored value (with early stopping). */
  bestEpoch: number | undefined;
  /** The series of one logged value, e.g. `history.series('valLoss')`. */
  series(name: string): number[] {
    return this.epochs.map((e) => e[name]);
  }
}

/** Milliseconds from a monotonic clock where there is one (browsers and Node), else the wall clock. */
const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

const higherIsBetter = new Set(['accuracy', 'precision', 'recall', 'f1', 'r2']);

function toDataset(data: Dataset | readonly [ArrayInput, ArrayInput]): Dataset {
  if (Array.isArray(data) && data.length === 2) return dataset(data[0], data[1]);
  const d = data as Dataset;
  if (!d || typeof d !== 'object' || !('x' in d) || !('y' in d))
    throw badOption('fit', 'data', 'data must be a dataset (from dataset()) or an [x, y] pair');
  return d;
}

function runningTensor(a: NDArray): Tensor {
  return fromArray(a);
}

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

/** Lets the event loop run: timers, I/O, signals (Ctrl-C), and a browser's rendering and input. */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => void immediate(resolve));
  const Channel = (
    globalThis as unknown as {
      MessageChannel?: new () => {
        port1: { onmessage: (() => void) | null; close(): void };
        port2: { postMessage(v: unknown): void; close(): void };
      };
    }
  ).MessageChannel;
  if (Channel) {
    return new Promise((resolve) => {
      const channel = new Channel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        channel.port2.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  const later = (globalThis as unknown as { setTimeout: (cb: () => void, ms: number) => unknown }).setTimeout;
  return new Promise((resolve) => void later(resolve, 0));
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
  const steps = trainingSteps(model, data, options);
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

/** The training loop as a generator that pauses after every batch; `fit` and `fitAsync` drive it. */
function* trainingSteps(
  model: Module,
  data: Dataset | readonly [ArrayInput, ArrayInput],
  options: FitOptions,
): Generator<void, History, undefined> {
  if (typeof model?.forward !== 'function' || typeof model.parameters !== 'function')
    throw badOption('fit', 'model', 'model must be a Module');
  if (typeof options !== 'object' || options === null)
    throw badOption('fit', 'options', 'options must be an object with epochs, loss and optimizer');
  const epochs = options.epochs;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw badOption('fit', 'epochs', `'epochs' must be a non-negative integer, got ${String(epochs)}`);
  const batchSize = checkBatchSize(options.batchSize ?? 32, 'fit');
  const lossFn = resolveLoss(options.loss);
  const metrics = [...(options.metrics ?? [])];
  for (const m of metrics)
    if (!metricNames.includes(m))
      throw badOption('fit', 'metrics', `unknown metric ${JSON.stringify(m)}; known: ${metricNames.join(', ')}`);
  const optimizer = isOptimizer(options.optimizer) ? options.optimizer : createFromSpec(model, options.optimizer);
  const seed = options.seed ?? 0;
  let train = toDataset(data);
  let validation = options.validationData;
  if (options.validationSplit !== undefined) {
    const f = options.validationSplit;
    if (!(typeof f === 'number' && f > 0 && f < 1))
      throw badOption('fit', 'validationSplit', `'validationSplit' must be between 0 and 1, got ${String(f)}`);
    [train, validation] = split(train, [1 - f, f], { seed });
  }
  checkClassLabels(model, train, options.loss, 'training');
  if (validation) checkClassLabels(model, validation, options.loss, 'validation');
  const early = options.earlyStopping ? (options.earlyStopping === true ? {} : options.earlyStopping) : undefined;
  const monitor = early?.monitor ?? (validation ? 'valLoss' : 'loss');
  const maximize = early?.mode
    ? early.mode === 'max'
    : higherIsBetter.has(monitor.replace(/^val/, '').replace(/^./, (c) => c.toLowerCase()));
  const patience = early?.patience ?? 5;
  const minDelta = early?.minDelta ?? 0;

  const history = new History();
  let stopRequested: string | undefined;
  const context: TrainingContext = { model, optimizer, stop: (reason = 'callback') => void (stopRequested ??= reason) };
  const callbacks = options.callbacks ?? [];
  const batchesPerEpoch = Math.ceil(train.length / batchSize);
  const started = now();
  let samplesSeen = 0;
  let best = maximize ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  let bestState: Record<string, NDArray> | undefined;
  let sinceBest = 0;
  let lastGood = model.stateDict();
  const firstEpoch = options.initialEpoch ?? 0;
  for (const cb of callbacks) cb.onTrainBegin?.(context);

  for (let e = 0; e < epochs && !stopRequested; e++) {
    const epoch = firstEpoch + e + 1;
    const epochStart = now();
    model.train();
    for (const cb of callbacks) cb.onEpochBegin?.(epoch, context);
    let lossSum = 0;
    let count = 0;
    let batchIndex = 0;
    const outputs: NDArray[] = [];
    const targets: NDArray[] = [];
    const lr = optimizer.paramGroups[0].lr;
    for (const [xb, yb] of batches(train, { batchSize, shuffle: options.shuffle ?? true, seed: seed * 100_003 + epoch })) {
      if (options.signal?.aborted) {
        stopRequested = 'aborted';
        break;
      }
      batchIndex++;
      optimizer.zeroGrad();
      const output = model.forward(runningTensor(xb));
      const target = runningTensor(yb);
      const loss = lossFn(output, target);
      const value = loss.item();
      if (!Number.isFinite(value)) {
        model.loadStateDict(lastGood);
        throw new TrainingError(
          `fit: the loss became ${value} at epoch ${epoch}, batch ${batchIndex}; the weights of the last finished epoch were restored. Lower the learning rate, scale the inputs, or check the data`,
          { where: 'fit' },
        );
      }
      loss.backward();
      if (options.clipGradNorm !== undefined) clipGradNorm(model.parameters(), options.clipGradNorm);
      optimizer.step();
      const size = xb.shape[0];
      lossSum += value * size;
      count += size;
      samplesSeen += size;
      if (metrics.length) {
        outputs.push(output.value);
        targets.push(yb);
      }
      for (const cb of callbacks) cb.onBatchEnd?.({ epoch, batch: batchIndex, loss: value, size }, context);
      if (options.onProgress) {
        const elapsed = now() - started;
        const done = e * batchesPerEpoch + batchIndex;
        options.onProgress({
          phase: 'train',
          epoch,
          epochs: firstEpoch + epochs,
          batch: batchIndex,
          batches: batchesPerEpoch,
          loss: lossSum / count,
          samplesPerSecond: samplesSeen / Math.max(elapsed / 1000, 1e-9),
          elapsedMs: elapsed,
          etaMs: (elapsed / done) * (epochs * batchesPerEpoch - done),
        });
      }
      if (stopRequested) break;
      yield;
    }
    if (count === 0) break;
    const logs: EpochLogs = { epoch, loss: lossSum / count, lr, ms: 0 };
    if (metrics.length) Object.assign(logs, computeMetrics(metrics, concat(outputs, 0), concat(targets, 0), options));
    if (validation) {
      const result = evaluate(model, validation, { loss: lossFn, metrics, batchSize, threshold: options.threshold });
      for (const [k, v] of Object.entries(result)) logs[`val${k[0].toUpperCase()}${k.slice(1)}`] = v;
    }
    logs.ms = now() - epochStart;
    lastGood = model.stateDict();
    history.epochs.push(logs);
    for (const cb of callbacks) cb.onEpochEnd?.(logs, context);
    if (options.onProgress) {
      const elapsed = now() - started;
      options.onProgress({
        phase: validation ? 'validate' : 'train',
        epoch,
        epochs: firstEpoch + epochs,
        batch: batchesPerEpoch,
        batches: batchesPerEpoch,
        loss: logs.loss,
        samplesPerSecond: samplesSeen / Math.max(elapsed / 1000, 1e-9),
        elapsedMs: elapsed,
        etaMs: (elapsed / (e + 1)) * (epochs - e - 1),
        logs,
      });
    }
    const watched = logs[monitor];
    if (options.scheduler instanceof ReduceLROnPlateau) options.scheduler.step(watched ?? logs.loss);
    else options.scheduler?.step();
    if (early) {
      if (watched === undefined)
        throw badOption('fit', 'earlyStopping', `cannot monitor '${monitor}': the logs have ${Object.keys(logs).join(', ')}`);
      const improved = maximize ? watched > best + minDelta : watched < best - minDelta;
      if (improved) {
        best = watched;
        history.bestEpoch = epoch;
        sinceBest = 0;
        if (early.restoreBestWeights !== false) bestState = model.stateDict();
      } else if (++sinceBest >= patience) {
        stopRequested = 'earlyStopping';
      }
    }
  }
  if (stopRequested) history.stopReason = stopRequested;
  if (bestState) model.loadStateDict(bestState);
  for (const cb of callbacks) cb.onTrainEnd?.(history, context);
  return history;
}

/** For class-label losses, checks every label against the model's number of outputs before training starts, naming the row. */
function checkClassLabels(model: Module, data: Dataset, loss: FitOptions['loss'], which: string): void {
  if (
    (loss !== 'crossEntropy' && loss !== 'cross-entropy' && loss !== 'nllLoss' && loss !== 'nll-loss') ||
    data.y.ndim !== 1 ||
    data.length === 0
  )
    return;
  const wasTraining = model.training;
  model.eval();
  let classes: number;
  try {
    classes = noGrad(() => model.forward(fromArray(take(data.x, [0], 0))).shape[1]);
  } finally {
    model.train(wasTraining);
  }
  if (classes === undefined) return;
  const labels = data.y.data;
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= classes) {
      throw badOption(
        'fit',
        'data',
        `label ${labels[i]} at row ${i} of the ${which} targets is out of range for a model with ${classes} outputs (classes 0 to ${classes - 1})`,
      );
    }
  }
}

function isOptimizer(value: unknown): value is Optimizer<BaseOptions> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Optimizer<BaseOptions>).step === 'function' &&
    Array.isArray((value as Optimizer<BaseOptions>).paramGroups)
  );
}

function createFromSpec(model: Module, spec: OptimizerSpec): Optimizer<BaseOptions> {
  if (typeof spec !== 'object' || spec === null || typeof spec.type !== 'string') {
    throw badOption('fit', 'optimizer', "'optimizer' must be an Optimizer or a spec like { type: 'adam', lr: 0.001 }");
  }
  const { type, ...options } = spec;
  return createOptimizer(type, model.parameters(), options);
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions extends ClassifyOptions {
  /** Loss to report (omit for metrics only). */
  loss?: LossName | string | LossFunction;
  metrics?: readonly MetricName[];
  batchSize?: number;
}

/**
 * Loss and metrics of `model` on `data`, in batches, in evaluation mode without recording
 * gradients (the model's mode is restored afterwards).
 * @example evaluate(model, test, { loss: 'crossEntropy', metrics: ['accuracy'] }) // { loss: 0.21, accuracy: 0.95 }
 */
export function evaluate(
  model: Module,
  data: Dataset | readonly [ArrayInput, ArrayInput],
  options: EvaluateOptions = {},
): Record<string, number> {
  options ??= {};
  const d = toDataset(data);
  const lossFn = options.loss === undefined ? undefined : resolveLoss(options.loss);
  const predictions = predict(model, d.x, { batchSize: options.batchSize });
  const out: Record<string, number> = {};
  if (lossFn) {
    // Mean over batches weighted by size equals the mean over the set for mean-reduced losses.
    let sum = 0;
    noGrad(() => {
      for (const [pb, yb] of batches({ x: predictions, y: d.y, length: d.length }, { batchSize: options.batchSize ?? 256 })) {
        sum += lossFn(fromArray(pb), fromArray(yb)).item() * pb.shape[0];
      }
    });
    out.loss = sum / d.length;
  }
  Object.assign(out, computeMetrics(options.metrics ?? [], predictions, d.y, options));
  return out;
}

/**
 * The model's outputs for `x`, computed in batches in evaluation mode without gradients.
 * @example const probabilities = predict(model, testX).data;
 */
export function predict(model: Module, x: ArrayInput, options: { batchSize?: number } = {}): NDArray {
  options ??= {};
  if (typeof model?.forward !== 'function') throw badOption('predict', 'model', 'model must be a Module');
  const rows = Array.isArray(x) ? x.length : rowsOf(x);
  const d = dataset(x, new Array<number>(rows).fill(0));
  const batchSize = checkBatchSize(options.batchSize ?? 256, 'predict');
  const wasTraining = model.training;
  model.eval();
  try {
    const parts: NDArray[] = [];
    noGrad(() => {
      for (const [xb] of batches(d, { batchSize })) parts.push(model.forward(fromArray(xb)).value);
    });
    return concat(parts, 0);
  } finally {
    model.train(wasTraining);
  }
}

function rowsOf(x: ArrayInput): number {
  const shape = (x as { shape?: readonly number[] } | null)?.shape;
  if (!shape || shape.length === 0) throw badOption('predict', 'x', 'x must have a batch axis');
  return shape[0];
}
