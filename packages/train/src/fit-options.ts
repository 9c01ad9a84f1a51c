import { BackpropError } from '@backprop/engine';
import type { Module } from '@backprop/layers';
import type { BaseOptions, LRScheduler, Optimizer, OptimizerName, ReduceLROnPlateau } from '@backprop/optim';
import { checkOptionKeys, optionKeys } from '@backprop/tensor';
import type { Dataset } from './data.js';
import { badOption } from './errors.js';
import type { LossFunction, LossName } from './loss-names.js';
import { type ClassifyOptions, checkMetricNames, type MetricName } from './metrics.js';

// What `fit` takes and gives back: its options, the hooks it calls, and the history it returns.

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
  /**
   * Skip each epoch's last batch when it is smaller than `batchSize` (default false): for layers
   * that need several samples per batch in training, such as BatchNorm.
   */
  dropLast?: boolean;
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
  /** A separate validation set, instead of `validationSplit` (giving both is an error). */
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
  /**
   * Run each training step as one generated function (`compileBackward` from `@backprop/engine`:
   * the loss and its backward pass, traced on the first batch of each batch shape) instead of op
   * by op. Default false. About twice as fast for small networks, whose steps are dominated by
   * per-op overhead; slower for large layers, whose matrix products lose the SIMD kernels. A model
   * with dropout or batch normalisation in training mode cannot be compiled (a TrainingError
   * says which layer), nor can a custom op without a compiled form.
   */
  compile?: boolean;
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

/**
 * Checks the options `fit` reads besides the model, data, loss and optimizer (which have checks
 * of their own), each by its name: a config written by hand, or read from a file, must fail here
 * with the option named, not deep inside training.
 */
const fitKeys = optionKeys({
  epochs: true,
  batchSize: true,
  shuffle: true,
  dropLast: true,
  seed: true,
  loss: true,
  optimizer: true,
  metrics: true,
  validationSplit: true,
  validationData: true,
  callbacks: true,
  earlyStopping: true,
  scheduler: true,
  clipGradNorm: true,
  onProgress: true,
  signal: true,
  initialEpoch: true,
  compile: true,
  threshold: true,
} satisfies Record<keyof FitOptions, true>);
const earlyStoppingKeys = optionKeys({
  monitor: true,
  patience: true,
  minDelta: true,
  mode: true,
  restoreBestWeights: true,
} satisfies Record<keyof EarlyStoppingOptions, true>);

export function checkOptions(options: FitOptions): void {
  const show = (got: unknown): string => {
    if (typeof got === 'function') return 'a function';
    try {
      return JSON.stringify(got) ?? String(got);
    } catch {
      return `a circular ${(got as object).constructor?.name ?? 'object'}`;
    }
  };
  const fail = (option: string, expected: string, got: unknown): never => {
    throw badOption('fit', option, `'${option}' must be ${expected}, got ${show(got)}`);
  };
  const counter = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const o = options as unknown as Record<string, unknown>;
  checkOptionKeys(o, fitKeys, 'fit');
  if (!counter(o.epochs)) fail('epochs', 'a non-negative integer', o.epochs);
  for (const key of ['seed', 'initialEpoch'] as const)
    if (o[key] !== undefined && !counter(o[key])) fail(key, 'a non-negative integer', o[key]);
  for (const key of ['shuffle', 'dropLast', 'compile'] as const)
    if (o[key] !== undefined && typeof o[key] !== 'boolean') fail(key, 'true or false', o[key]);
  if (o.threshold !== undefined && !(typeof o.threshold === 'number' && Number.isFinite(o.threshold)))
    fail('threshold', 'a finite number', o.threshold);
  // Both would leave one of them unused: the split took precedence and the given set was dropped without a word.
  if (o.validationSplit !== undefined && o.validationData !== undefined)
    throw badOption('fit', 'validationData', "give 'validationSplit' or 'validationData', not both");
  if (o.clipGradNorm !== undefined && !(typeof o.clipGradNorm === 'number' && o.clipGradNorm > 0 && Number.isFinite(o.clipGradNorm)))
    fail('clipGradNorm', 'a positive number', o.clipGradNorm);
  if (o.metrics !== undefined) checkMetricNames(o.metrics, 'fit');
  if (o.callbacks !== undefined && !(Array.isArray(o.callbacks) && o.callbacks.every((c) => typeof c === 'object' && c !== null)))
    fail('callbacks', 'a list of callback objects', o.callbacks);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') fail('onProgress', 'a function', o.onProgress);
  if (o.signal !== undefined && (typeof o.signal !== 'object' || o.signal === null)) fail('signal', 'an AbortSignal', o.signal);
  const scheduler = o.scheduler as { step?: unknown } | undefined;
  if (scheduler !== undefined && typeof scheduler?.step !== 'function') fail('scheduler', 'a learning-rate scheduler', scheduler);
  const early = o.earlyStopping;
  if (early !== undefined && typeof early !== 'boolean') {
    if (typeof early !== 'object' || early === null || Array.isArray(early))
      fail('earlyStopping', 'true, false or { monitor, patience, … }', early);
    const e = early as Record<string, unknown>;
    checkOptionKeys(e, earlyStoppingKeys, 'fit (earlyStopping)');
    if (e.monitor !== undefined && (typeof e.monitor !== 'string' || e.monitor === ''))
      fail('earlyStopping.monitor', 'the name of a logged value', e.monitor);
    if (e.patience !== undefined && !counter(e.patience)) fail('earlyStopping.patience', 'a non-negative integer', e.patience);
    if (e.minDelta !== undefined && !(typeof e.minDelta === 'number' && e.minDelta >= 0 && Number.isFinite(e.minDelta)))
      fail('earlyStopping.minDelta', 'a non-negative number', e.minDelta);
    if (e.mode !== undefined && e.mode !== 'min' && e.mode !== 'max') fail('earlyStopping.mode', "'min' or 'max'", e.mode);
    if (e.restoreBestWeights !== undefined && typeof e.restoreBestWeights !== 'boolean')
      fail('earlyStopping.restoreBestWeights', 'true or false', e.restoreBestWeights);
  }
}
