import { CompileError, compileBackward, fromArray, noGrad, type Tensor } from '@backprop/engine';
import type { Module } from '@backprop/layers';
import { type BaseOptions, clipGradNorm, createOptimizer, type Optimizer, ReduceLROnPlateau } from '@backprop/optim';
import { concat, type NDArray, take } from '@backprop/tensor';
import { now, yieldToEventLoop } from './clock.js';
import { type ArrayInput, asDataset, batches, checkBatchSize, type Dataset, partSizes, split } from './data.js';
import { badOption } from './errors.js';
import { evaluate } from './evaluate.js';
import { type EpochLogs, type FitOptions, History, type OptimizerSpec, type TrainingContext, TrainingError } from './fit-options.js';
import { defaultThreshold, resolveLoss } from './loss-names.js';
import { computeMetrics, metricNames } from './metrics.js';

const higherIsBetter = new Set(['accuracy', 'precision', 'recall', 'f1', 'r2']);

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
  const threshold = options.threshold ?? defaultThreshold(options.loss);
  const metrics = [...(options.metrics ?? [])];
  for (const m of metrics)
    if (!metricNames.includes(m))
      throw badOption('fit', 'metrics', `unknown metric ${JSON.stringify(m)}; known: ${metricNames.join(', ')}`);
  const optimizer = isOptimizer(options.optimizer) ? options.optimizer : createFromSpec(model, options.optimizer);
  const compile = options.compile ?? false;
  if (typeof compile !== 'boolean') throw badOption('fit', 'compile', `'compile' must be true or false, got ${String(compile)}`);
  // The loss and its backward pass as one generated function (traced on the first batch).
  const compiled = compile ? compileBackward((x: Tensor, y: Tensor) => lossFn(model.forward(x), y)) : undefined;
  const seed = options.seed ?? 0;
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
    [train, validation] = split(train, [1 - f, f], { seed });
  }
  const dropLast = options.dropLast === true;
  if (dropLast && train.length < batchSize) {
    throw badOption(
      'fit',
      'dropLast',
      `dropLast with batchSize ${batchSize} leaves no batch of the ${train.length} training samples; use a smaller batchSize`,
    );
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
  const lastGood = new Checkpoint(model);
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
    for (const [xb, yb] of batches(train, { batchSize, shuffle: options.shuffle ?? true, seed: seed * 100_003 + epoch, dropLast })) {
      if (options.signal?.aborted) {
        stopRequested = 'aborted';
        break;
      }
      batchIndex++;
      optimizer.zeroGrad();
      const input = fromArray(xb);
      const target = fromArray(yb);
      let output: Tensor | undefined;
      let loss: Tensor;
      if (compiled === undefined) {
        output = model.forward(input);
        loss = lossFn(output, target);
      } else {
        loss = compiledStep(compiled, input, target);
        // The metrics' predictions: the same forward pass again (a compiled model has no dropout).
        if (metrics.length) output = noGrad(() => model.forward(input));
      }
      const value = loss.item();
      if (!Number.isFinite(value)) {
        model.loadStateDict(lastGood.state);
        throw new TrainingError(
          `fit: the loss became ${value} at epoch ${epoch}, batch ${batchIndex}; the weights of the last finished epoch were restored. Lower the learning rate, scale the inputs, or check the data`,
          { where: 'fit' },
        );
      }
      if (compiled === undefined) loss.backward();
      if (options.clipGradNorm !== undefined) clipGradNorm(model.parameters(), options.clipGradNorm);
      optimizer.step();
      const size = xb.shape[0];
      lossSum += value * size;
      count += size;
      samplesSeen += size;
      if (metrics.length && output !== undefined) {
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
    if (metrics.length) Object.assign(logs, computeMetrics(metrics, concat(outputs, 0), concat(targets, 0), { threshold }));
    if (validation) {
      const result = evaluate(model, validation, { loss: lossFn, metrics, batchSize, threshold });
      for (const [k, v] of Object.entries(result)) logs[`val${k[0].toUpperCase()}${k.slice(1)}`] = v;
    }
    logs.ms = now() - epochStart;
    lastGood.update();
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
