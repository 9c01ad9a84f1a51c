import { fromArray, noGrad } from '@backprop/engine';
import type { Module } from '@backprop/layers';
import { checkOptionKeys, concat, type NDArray, optionKeys, slice } from '@backprop/tensor';
import { type ArrayInput, asDataset, checkBatchSize, dataset } from './data.js';
import { badOption } from './errors.js';
import { defaultThreshold, type LossFunction, type LossName, resolveLoss } from './loss-names.js';
import { type ClassifyOptions, checkMetricNames, computeMetrics, type MetricName } from './metrics.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions extends ClassifyOptions {
  /** Loss to report (omit for metrics only). */
  loss?: LossName | string | LossFunction;
  metrics?: readonly MetricName[];
  batchSize?: number;
}

const evaluateKeys = optionKeys({ threshold: true, loss: true, metrics: true, batchSize: true } satisfies Record<
  keyof EvaluateOptions,
  true
>);

/**
 * Runs the model over the rows of `x` in order, `batchSize` at a time, in evaluation mode without
 * recording gradients (the model's mode is restored), handing each batch's output and row range
 * to `each`; returns all outputs. Internal: `x` is already validated.
 */
function forwardInBatches(
  model: Module,
  x: NDArray,
  batchSize: number,
  each?: (output: NDArray, start: number, stop: number) => void,
): NDArray {
  const wasTraining = model.training;
  model.eval();
  try {
    const parts: NDArray[] = [];
    noGrad(() => {
      // At least one batch: no rows still go through the model once, so the outputs of an empty
      // input have the model's output shape ([0, outputs]) and a wrong width is still reported.
      let start = 0;
      do {
        const stop = Math.min(start + batchSize, x.shape[0]);
        const output = model.forward(fromArray(slice(x, [{ start, stop }]))).value;
        each?.(output, start, stop);
        parts.push(output);
        start = stop;
      } while (start < x.shape[0]);
    });
    return concat(parts, 0);
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Loss and metrics of `model` on `data`, in batches, in evaluation mode without recording
 * gradients (the model's mode is restored afterwards).
 * @example evaluate(model, test, { loss: 'crossEntropy', metrics: ['accuracy'] }) // { loss: 0.21, accuracy: 0.95 }
 */
export function evaluate(model: Module, data: Parameters<typeof asDataset>[0], options: EvaluateOptions = {}): Record<string, number> {
  options ??= {};
  checkOptionKeys(options, evaluateKeys, 'evaluate');
  if (typeof model?.forward !== 'function') throw badOption('evaluate', 'model', 'model must be a Module');
  if (options.metrics !== undefined) checkMetricNames(options.metrics, 'evaluate');
  const d = asDataset(data, 'evaluate');
  if (d.length === 0) throw badOption('evaluate', 'data', 'the data has no samples; a loss or metric needs at least one');
  const lossFn = options.loss === undefined ? undefined : resolveLoss(options.loss);
  const batchSize = checkBatchSize(options.batchSize ?? 256, 'evaluate');
  // Mean over batches weighted by size equals the mean over the set for mean-reduced losses;
  // each batch's loss is taken from the same forward pass that gives the predictions.
  let sum = 0;
  const predictions = forwardInBatches(
    model,
    d.x,
    batchSize,
    lossFn &&
      ((output, start, stop) => void (sum += lossFn(fromArray(output), fromArray(slice(d.y, [{ start, stop }]))).item() * (stop - start))),
  );
  const out: Record<string, number> = {};
  if (lossFn) out.loss = sum / d.length;
  const threshold = options.threshold ?? defaultThreshold(options.loss);
  Object.assign(out, computeMetrics(options.metrics ?? [], predictions, d.y, { threshold }));
  return out;
}

/**
 * The model's outputs for `x`, computed in batches in evaluation mode without gradients.
 * @example const probabilities = predict(model, testX).data;
 */
export function predict(model: Module, x: ArrayInput, options: { batchSize?: number } = {}): NDArray {
  options ??= {};
  checkOptionKeys(options, ['batchSize'], 'predict');
  if (typeof model?.forward !== 'function') throw badOption('predict', 'model', 'model must be a Module');
  const rows = Array.isArray(x) ? x.length : rowsOf(x);
  const d = dataset(x, new Array<number>(rows).fill(0));
  return forwardInBatches(model, d.x, checkBatchSize(options.batchSize ?? 256, 'predict'));
}

function rowsOf(x: ArrayInput): number {
  const shape = (x as { shape?: readonly number[] } | null)?.shape;
  if (!shape || shape.length === 0) throw badOption('predict', 'x', 'x must have a batch axis');
  return shape[0];
}
