import { CompileError, compileBackward, fromArray, noGrad, type Tensor } from '@backprop/engine';
import type { Module } from '@backprop/layers';
import { type BaseOptions, clipGradNorm, createOptimizer, type Optimizer, ReduceLROnPlateau } from '@backprop/optim';
import { concat, type NDArray, take } from '@backprop/tensor';
import { now } from './clock.js';
import { type ArrayInput, asDataset, type BatchOptions, checkBatchSize, type Dataset, partSizes, split } from './data.js';
import { badOption } from './errors.js';
import { evaluate } from './evaluate.js';
import {
  type Callback,
  checkOptions,
  type EarlyStoppingOptions,
  type EpochLogs,
  type FitOptions,
  History,
  type OptimizerSpec,
  type TrainingContext,
  TrainingError,
} from './fit-options.js';
import { defaultThreshold, type LossFunction, resolveLoss, takesClassLabels } from './loss-names.js';
import { computeMetrics, type MetricName } from './metrics.js';

const higherIsBetter = new Set(['accuracy', 'precision', 'recall', 'f1', 'r2']);

/**
 * The model's parameters and buffers as of the last finished epoch, for restoring after a NaN
 * loss: copied into the same arrays every epoch (a fresh `stateDict()` per epoch would cost more
 * than a small model's training step).
 */
class Checkpoint {
  readonly #tensors: Tensor[] = [];
  readonly #copies: NDArray[] = [];
  /** The copies by dotted path (the model's `stateDict()`), as `loadStateDict` takes them. */
  readonly state: Record<string, NDArray>;
  constructor(model: Module) {
    this.state = model.stateDict();
    for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
      this.#tensors.push(t);
      this.#copies.push(this.state[name]);
    }
  }
  /** Copies the current values in. */
  update(): void {
    for (let i = 0; i < this.#tensors.length; i++) this.#copies[i].data.set(this.#tensors[i].value.data);
  }
}

/** One compiled step (loss and gradients); a model it cannot compile is an error of the `compile` option. */
function compiledStep(step: (x: Tensor, y: Tensor) => Tensor, x: Tensor, y: Tensor): Tensor {
  try {
    return step(x, y);
  } catch (error) {
    if (!CompileError.isInstance(error)) throw error;
    throw new TrainingError(`fit: 'compile: true' cannot compile this model's training step: ${error.message}`, {
      where: 'fit',
      cause: error,
    });
  }
}

/** One call of `fit`: its checked options, and the state of the epoch and of the run. */
export class TrainingRun {
  readonly epochs: number;
  readonly train: Dataset;
  readonly batchSize: number;
  readonly dropLast: boolean;
  readonly history = new History();
  stopRequested: string | undefined;
  // The current epoch's sums, and its outputs and targets for the metrics.
  lossSum = 0;
  count = 0;
  private batchIndex = 0;
  private outputs: NDArray[] = [];
  private targets: NDArray[] = [];
  private lr = 0;
  private epochStart = 0;

  private readonly lossFn: LossFunction;
  private readonly threshold: number | undefined;
  private readonly metrics: MetricName[];
  private readonly optimizer: Optimizer<BaseOptions>;
  private readonly compiled: ((x: Tensor, y: Tensor) => Tensor) | undefined;
  private readonly seed: number;
  private readonly validation: Dataset | undefined;
  private readonly early: EarlyStoppingOptions | undefined;
  private readonly monitor: string;
  private readonly maximize: boolean;
  private readonly patience: number;
  private readonly minDelta: number;
  private readonly context: TrainingContext;
  private readonly callbacks: readonly Callback[];
  private readonly batchesPerEpoch: number;
  private readonly started: number;
  private readonly lastGood: Checkpoint;
  private readonly firstEpoch: number;
  private samplesSeen = 0;
  private best: number;
  private bestState: Record<string, NDArray> | undefined;
  private sinceBest = 0;

  constructor(
    private readonly model: Module,
    data: Dataset | readonly [ArrayInput, ArrayInput],
    private readonly options: FitOptions,
  ) {
    if (typeof model?.forward !== 'function' || typeof model.parameters !== 'function')
      throw badOption('fit', 'model', 'model must be a Module');
    if (typeof options !== 'object' || options === null)
      throw badOption('fit', 'options', 'options must be an object with epochs, loss and optimizer');
    checkOptions(options);
    const epochs = options.epochs;
    this.epochs = epochs;
    this.batchSize = checkBatchSize(options.batchSize ?? 32, 'fit');
    const lossFn = resolveLoss(options.loss);
    this.lossFn = lossFn;
    this.threshold = options.threshold ?? defaultThreshold(options.loss);
    this.metrics = [...(options.metrics ?? [])];
    const regression = this.metrics.filter((m) => m === 'mse' || m === 'mae' || m === 'r2');
    if (regression.length > 0 && takesClassLabels(options.loss)) {
      throw badOption(
        'fit',
        'metrics',
        `'${regression[0]}' compares outputs with targets of their shape, but ${String(options.loss)} takes class labels; use accuracy, precision, recall or f1`,
      );
    }
    this.optimizer = isOptimizer(options.optimizer) ? options.optimizer : createFromSpec(model, options.optimizer);
    // A schedule built on another optimizer (one cannot be built on the one a spec makes here) would change nothing.
    const scheduled = (options.scheduler as { optimizer?: unknown } | undefined)?.optimizer;
    if (options.scheduler !== undefined && scheduled !== this.optimizer) {
      throw badOption(
        'fit',
        'scheduler',
        isOptimizer(options.optimizer)
          ? "the scheduler adjusts another optimizer than 'optimizer'; build it on the optimizer passed to fit"
          : "the scheduler adjusts another optimizer than the one fit makes from the spec in 'optimizer'; pass the optimizer itself and build the scheduler on it",
      );
    }
    const compile = options.compile ?? false;
    // The loss and its backward pass as one generated function (traced on the first batch).
    this.compiled = compile ? compileBackward((x: Tensor, y: Tensor) => lossFn(model.forward(x), y)) : undefined;
    this.seed = options.seed ?? 0;
    let train = asDataset(data, 'fit');
    if (train.length === 0) throw badOption('fit', 'data', 'the training data has no samples');
    let validation = options.validationData;
    if (options.validationSplit !== undefined) {
      const f = options.validationSplit;
      if (!(typeof f === 'number' && f > 0 && f < 1))
        throw badOption('fit', 'validationSplit', `'validationSplit' must be between 0 and 1, got ${String(f)}`);
      const [kept, held] = partSizes(train.length, [1 - f, f]);
      if (kept === 0 || held === 0) {
        throw badOption(
          'fit',
          'validationSplit',
          `'validationSplit' ${f} of ${train.length} samples leaves ${kept} for training and ${held} for validation; both need at least one`,
        );
      }
      [train, validation] = split(train, [1 - f, f], { seed: this.seed });
    }
    this.train = train;
    this.validation = validation;
    this.dropLast = options.dropLast === true;
    if (this.dropLast && train.length < this.batchSize) {
      throw badOption(
        'fit',
        'dropLast',
        `dropLast with batchSize ${this.batchSize} leaves no batch of the ${train.length} training samples; use a smaller batchSize`,
      );
    }
    checkClassLabels(model, train, options.loss, 'training');
    if (validation) checkClassLabels(model, validation, options.loss, 'validation');
    const early = options.earlyStopping ? (options.earlyStopping === true ? {} : options.earlyStopping) : undefined;
    this.early = early;
    this.monitor = early?.monitor ?? (validation ? 'valLoss' : 'loss');
    this.maximize = early?.mode
      ? early.mode === 'max'
      : higherIsBetter.has(this.monitor.replace(/^val/, '').replace(/^./, (c) => c.toLowerCase()));
    if (early) {
      // Known before training: what each epoch's logs will hold.
      const logged = ['epoch', 'loss', 'lr', 'ms', ...this.metrics];
      if (validation) logged.push('valLoss', ...this.metrics.map((m) => `val${m[0].toUpperCase()}${m.slice(1)}`));
      if (!logged.includes(this.monitor)) {
        const hint = validation || !this.monitor.startsWith('val') ? '' : ' (validation values need validationSplit or validationData)';
        throw badOption('fit', 'earlyStopping', `cannot monitor '${this.monitor}': the logs will have ${logged.join(', ')}${hint}`);
      }
    }
    this.patience = early?.patience ?? 5;
    this.minDelta = early?.minDelta ?? 0;
    this.best = this.maximize ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;

    this.context = { model, optimizer: this.optimizer, stop: (reason = 'callback') => void (this.stopRequested ??= reason) };
    this.callbacks = options.callbacks ?? [];
    this.batchesPerEpoch = Math.ceil(train.length / this.batchSize);
    this.started = now();
    this.lastGood = new Checkpoint(model);
    this.firstEpoch = options.initialEpoch ?? 0;
    for (const cb of this.callbacks) cb.onTrainBegin?.(this.context);
  }

  /** Starts epoch `e` (counted from 0 in this call); returns its number as logged. */
  beginEpoch(e: number): number {
    const epoch = this.firstEpoch + e + 1;
    this.epochStart = now();
    this.model.train();
    for (const cb of this.callbacks) cb.onEpochBegin?.(epoch, this.context);
    this.lossSum = 0;
    this.count = 0;
    this.batchIndex = 0;
    this.outputs = [];
    this.targets = [];
    this.lr = this.optimizer.paramGroups[0].lr;
    return epoch;
  }

  /** How this epoch's batches are drawn (its own shuffle seed). */
  batchOptions(epoch: number): BatchOptions {
    return { batchSize: this.batchSize, shuffle: this.options.shuffle ?? true, seed: this.seed * 100_003 + epoch, dropLast: this.dropLast };
  }

  /** One training step on a batch. */
  step(xb: NDArray, yb: NDArray, e: number, epoch: number): void {
    const { optimizer, options, metrics } = this;
    const batchIndex = ++this.batchIndex;
    optimizer.zeroGrad();
    const input = fromArray(xb);
    const target = fromArray(yb);
    let output: Tensor | undefined;
    let loss: Tensor;
    if (this.compiled === undefined) {
      output = this.model.forward(input);
      loss = this.lossFn(output, target);
    } else {
      loss = compiledStep(this.compiled, input, target);
      // The metrics' predictions: the same forward pass again (a compiled model has no dropout).
      if (metrics.length) output = noGrad(() => this.model.forward(input));
    }
    const value = loss.item();
    if (!Number.isFinite(value)) this.diverged(value, epoch, batchIndex);
    if (this.compiled === undefined) loss.backward();
    if (options.clipGradNorm !== undefined) clipGradNorm(this.model.parameters(), options.clipGradNorm);
    optimizer.step();
    const size = xb.shape[0];
    this.lossSum += value * size;
    this.count += size;
    this.samplesSeen += size;
    if (metrics.length && output !== undefined) {
      this.outputs.push(output.value);
      this.targets.push(yb);
    }
    for (const cb of this.callbacks) cb.onBatchEnd?.({ epoch, batch: batchIndex, loss: value, size }, this.context);
    if (options.onProgress) {
      const elapsed = now() - this.started;
      const done = e * this.batchesPerEpoch + batchIndex;
      options.onProgress({
        phase: 'train',
        epoch,
        epochs: this.firstEpoch + this.epochs,
        batch: batchIndex,
        batches: this.batchesPerEpoch,
        loss: this.lossSum / this.count,
        samplesPerSecond: this.samplesSeen / Math.max(elapsed / 1000, 1e-9),
        elapsedMs: elapsed,
        etaMs: (elapsed / done) * (this.epochs * this.batchesPerEpoch - done),
      });
    }
  }

  /** A non-finite loss: restores the last finished epoch's weights and stops with a TrainingError. */
  private diverged(value: number, epoch: number, batchIndex: number): never {
    this.model.loadStateDict(this.lastGood.state);
    throw new TrainingError(
      `fit: the loss became ${value} at epoch ${epoch}, batch ${batchIndex}; the weights of the last finished epoch were restored. Lower the learning rate, scale the inputs, or check the data`,
      { where: 'fit' },
    );
  }

  /** Ends epoch `e`: its logs (metrics, validation), callbacks, progress, the schedule and early stopping. */
  endEpoch(e: number, epoch: number): void {
    const { options, metrics, validation, history } = this;
    const logs: EpochLogs = { epoch, loss: this.lossSum / this.count, lr: this.lr, ms: 0 };
    if (metrics.length)
      Object.assign(logs, computeMetrics(metrics, concat(this.outputs, 0), concat(this.targets, 0), { threshold: this.threshold }));
    if (validation) {
      const result = evaluate(this.model, validation, { loss: this.lossFn, metrics, batchSize: this.batchSize, threshold: this.threshold });
      for (const [k, v] of Object.entries(result)) logs[`val${k[0].toUpperCase()}${k.slice(1)}`] = v;
    }
    logs.ms = now() - this.epochStart;
    this.lastGood.update();
    history.epochs.push(logs);
    for (const cb of this.callbacks) cb.onEpochEnd?.(logs, this.context);
    if (options.onProgress) {
      const elapsed = now() - this.started;
      options.onProgress({
        phase: validation ? 'validate' : 'train',
        epoch,
        epochs: this.firstEpoch + this.epochs,
        batch: this.batchesPerEpoch,
        batches: this.batchesPerEpoch,
        loss: logs.loss,
        samplesPerSecond: this.samplesSeen / Math.max(elapsed / 1000, 1e-9),
        elapsedMs: elapsed,
        etaMs: (elapsed / (e + 1)) * (this.epochs - e - 1),
        logs,
      });
    }
    const watched = logs[this.monitor];
    if (options.scheduler instanceof ReduceLROnPlateau) options.scheduler.step(watched ?? logs.loss);
    else options.scheduler?.step();
    if (this.early) this.checkEarlyStopping(watched, logs, epoch);
  }

  private checkEarlyStopping(watched: number | undefined, logs: EpochLogs, epoch: number): void {
    if (watched === undefined)
      throw badOption('fit', 'earlyStopping', `cannot monitor '${this.monitor}': the logs have ${Object.keys(logs).join(', ')}`);
    const improved = this.maximize ? watched > this.best + this.minDelta : watched < this.best - this.minDelta;
    if (improved) {
      this.best = watched;
      this.history.bestEpoch = epoch;
      this.sinceBest = 0;
      if (this.early?.restoreBestWeights !== false) this.bestState = this.model.stateDict();
    } else if (++this.sinceBest >= this.patience) {
      this.stopRequested = 'earlyStopping';
    }
  }

  /** After the last epoch: the stop reason, the best weights back (early stopping), the callbacks' end. */
  finish(): History {
    const { history } = this;
    if (this.stopRequested) history.stopReason = this.stopRequested;
    if (this.bestState) this.model.loadStateDict(this.bestState);
    for (const cb of this.callbacks) cb.onTrainEnd?.(history, this.context);
    return history;
  }
}

/** For class-label losses, checks every label against the model's number of outputs before training starts, naming the row. */
function checkClassLabels(model: Module, data: Dataset, loss: FitOptions['loss'], which: string): void {
  if (!takesClassLabels(loss) || data.y.ndim !== 1 || data.length === 0) return;
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
