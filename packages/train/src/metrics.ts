import { checkOptionKeys, formatShape, type NDArray, optionKeys, ShapeError } from '@backprop/tensor';
import { badOption, checkArrayArg } from './errors.js';
import { moments } from './moments.js';

/** How predictions become classes: argmax over the last axis when it has several entries, else `value > threshold`. */
export interface ClassifyOptions {
  /**
   * Decision threshold for single-output (binary) predictions: 0.5 for probabilities (default), 0 for
   * logits. `fit` and `evaluate` default to 0 when their loss is named `binaryCrossEntropyWithLogits`
   * or `hinge` (see `defaultThreshold`).
   */
  threshold?: number;
}

const classifyKeys = optionKeys({ threshold: true } satisfies Record<keyof ClassifyOptions, true>);
/** Those of the confusion matrix and the scores computed from it. */
const matrixKeys = [...classifyKeys, 'numClasses'];

/** Samples (the first axis; one for a scalar) and values per sample of predictions or targets. */
function rowsOf(a: NDArray): [rows: number, width: number] {
  const rows = a.ndim === 0 ? 1 : a.shape[0];
  return [rows, a.size / Math.max(rows, 1)];
}

/** The predicted class of each sample. */
export function predictedClasses(predictions: NDArray, options: ClassifyOptions = {}): Int32Array {
  options ??= {};
  checkOptionKeys(options, classifyKeys, 'predictedClasses');
  checkArrayArg(predictions, 'predictedClasses', 'predictions');
  const [rows, width] = rowsOf(predictions);
  const out = new Int32Array(rows);
  const d = predictions.data;
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      out[r] = d[r] > (options.threshold ?? 0.5) ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < width; c++) if (d[r * width + c] > d[r * width + best]) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * The true class of each sample: the argmax of one-hot or probability rows `[N, C]`, or from one
 * value per sample (`[N]` or `[N, 1]`): with `classes` ≥ 2 (the width of the predictions they are
 * compared with) a class index 0 … classes − 1, whatever the dtype — labels in a float array are
 * indices too; otherwise (binary) an int32 label as it is, a float one thresholded at 0.5 (a 0/1
 * label or a probability).
 * @throws ArgumentError for a label that is not a class index when `classes` ≥ 2, naming its row.
 */
export function targetClasses(targets: NDArray, classes?: number): Int32Array {
  return classesOf(targets, classes, 'targetClasses');
}

function classesOf(targets: NDArray, classes: number | undefined, where: string): Int32Array {
  checkArrayArg(targets, where, 'targets');
  if (rowsOf(targets)[1] !== 1) return predictedClasses(targets);
  if (classes === undefined || classes < 2) return Int32Array.from(targets.data, (v) => (targets.dtype === 'int32' ? v : v > 0.5 ? 1 : 0));
  return Int32Array.from(targets.data, (v, row) => {
    if (Number.isInteger(v) && v >= 0 && v < classes) return v;
    throw badOption(
      where,
      'targets',
      `target ${v} at row ${row} is not a class index: with ${classes} classes predicted, one target per sample is a class from 0 to ${classes - 1}`,
    );
  });
}

function pair(predictions: NDArray, targets: NDArray, where: string, options: ClassifyOptions): [Int32Array, Int32Array] {
  checkArrayArg(predictions, where, 'predictions');
  checkArrayArg(targets, where, 'targets');
  const p = predictedClasses(predictions, { threshold: options.threshold });
  const t = classesOf(targets, rowsOf(predictions)[1], where);
  if (p.length !== t.length) {
    throw new ShapeError(
      `${where}: ${p.length} predictions for ${t.length} targets (${formatShape(predictions.shape)} vs ${formatShape(targets.shape)})`,
      {
        where,
        shapes: [predictions.shape, targets.shape],
      },
    );
  }
  return [p, t];
}

/**
 * Fraction of samples whose predicted class equals the target class.
 * @example accuracy(model.forward(x).value, y) // 0.97
 */
export function accuracy(predictions: NDArray, targets: NDArray, options: ClassifyOptions = {}): number {
  options ??= {};
  checkOptionKeys(options, classifyKeys, 'accuracy');
  const [p, t] = pair(predictions, targets, 'accuracy', options);
  let hits = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hits++;
  return p.length === 0 ? 0 : hits / p.length;
}

/**
 * Confusion matrix `m[true][predicted]` with `numClasses` rows and columns (default: enough for every class seen).
 * @example confusionMatrix(predictions, labels)[2][1] // samples of class 2 predicted as 1
 */
export function confusionMatrix(
  predictions: NDArray,
  targets: NDArray,
  options: ClassifyOptions & { numClasses?: number } = {},
): number[][] {
  options ??= {};
  checkOptionKeys(options, matrixKeys, 'confusionMatrix');
  const [p, t] = pair(predictions, targets, 'confusionMatrix', options);
  const width = rowsOf(predictions)[1];
  let k = options.numClasses ?? (width === 1 ? 2 : width);
  for (let i = 0; i < p.length; i++) k = Math.max(k, p[i] + 1, t[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < p.length; i++) m[t[i]][p[i]]++;
  return m;
}

/** Per-class and macro-averaged precision, recall and F1. */
export interface ClassificationReport {
  precision: number;
  recall: number;
  f1: number;
  perClass: { precision: number; recall: number; f1: number; support: number }[];
}

/**
 * Precision, recall and F1 per class and their macro average (unweighted mean over the classes
 * that occur in targets or predictions). A class never predicted has precision 0.
 * @example precisionRecallF1(predictions, labels).f1
 */
export function precisionRecallF1(
  predictions: NDArray,
  targets: NDArray,
  options: ClassifyOptions & { numClasses?: number } = {},
): ClassificationReport {
  options ??= {};
  checkOptionKeys(options, matrixKeys, 'precisionRecallF1');
  const m = confusionMatrix(predictions, targets, options);
  const perClass = m.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, r) => a + r[c], 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support, present: support + predicted > 0 };
  });
  const present = perClass.filter((c) => c.present);
  const mean = (key: 'precision' | 'recall' | 'f1') => (present.length ? present.reduce((a, c) => a + c[key], 0) / present.length : 0);
  return {
    precision: mean('precision'),
    recall: mean('recall'),
    f1: mean('f1'),
    perClass: perClass.map(({ present: _, ...c }) => c),
  };
}

function regressionPair(predictions: NDArray, targets: NDArray, where: string): void {
  checkArrayArg(predictions, where, 'predictions');
  checkArrayArg(targets, where, 'targets');
  if (predictions.size !== targets.size) {
    throw new ShapeError(
      `${where}: predictions ${formatShape(predictions.shape)} and targets ${formatShape(targets.shape)} differ in size`,
      {
        where,
        shapes: [predictions.shape, targets.shape],
      },
    );
  }
}

/** Mean of (prediction − target)² over every element. */
export function meanSquaredError(predictions: NDArray, targets: NDArray): number {
  regressionPair(predictions, targets, 'meanSquaredError');
  let s = 0;
  for (let i = 0; i < predictions.size; i++) s += (predictions.data[i] - targets.data[i]) ** 2;
  return s / predictions.size;
}

/** Mean of |prediction − target| over every element. */
export function meanAbsoluteError(predictions: NDArray, targets: NDArray): number {
  regressionPair(predictions, targets, 'meanAbsoluteError');
  let s = 0;
  for (let i = 0; i < predictions.size; i++) s += Math.abs(predictions.data[i] - targets.data[i]);
  return s / predictions.size;
}

/**
 * Coefficient of determination R² = 1 − SS_res/SS_tot (1 is perfect; 0 is predicting the mean),
 * per output and averaged over the outputs for targets `[N, K]` (scikit-learn's and torchmetrics'
 * default, `uniform_average`): each output is measured against its own mean. An output whose
 * targets are constant scores 1 when predicted exactly, else 0.
 */
export function r2Score(predictions: NDArray, targets: NDArray): number {
  regressionPair(predictions, targets, 'r2Score');
  const outputs = targets.ndim < 2 || targets.size === 0 ? 1 : targets.size / targets.shape[0];
  // SS_tot is exactly 0 for constant targets (their mean's rounding error would make it ~1e-33).
  const tot = moments(targets.data, outputs).squares;
  const res = new Array<number>(outputs).fill(0);
  for (let i = 0; i < targets.size; i++) res[i % outputs] += (targets.data[i] - predictions.data[i]) ** 2;
  let sum = 0;
  for (let j = 0; j < outputs; j++) sum += tot[j] === 0 ? (res[j] === 0 ? 1 : 0) : 1 - res[j] / tot[j];
  return sum / outputs;
}

/** Metric names accepted by `fit` and `evaluate`. */
export type MetricName = 'accuracy' | 'precision' | 'recall' | 'f1' | 'mse' | 'mae' | 'r2';

/** The names of every built-in metric. */
export const metricNames: readonly MetricName[] = ['accuracy', 'precision', 'recall', 'f1', 'mse', 'mae', 'r2'];

/** Computes the named metrics over all predictions of an epoch. */
export function computeMetrics(
  names: readonly MetricName[],
  predictions: NDArray,
  targets: NDArray,
  options: ClassifyOptions = {},
): Record<string, number> {
  options ??= {};
  checkOptionKeys(options, classifyKeys, 'computeMetrics');
  checkMetricNames(names, 'computeMetrics');
  const out: Record<string, number> = {};
  let report: ClassificationReport | undefined;
  for (const name of names) {
    if (name === 'accuracy') out.accuracy = accuracy(predictions, targets, options);
    else if (name === 'precision' || name === 'recall' || name === 'f1') {
      report ??= precisionRecallF1(predictions, targets, options);
      out[name] = report[name];
    } else if (name === 'mse') out.mse = meanSquaredError(predictions, targets);
    else if (name === 'mae') out.mae = meanAbsoluteError(predictions, targets);
    else if (name === 'r2') out.r2 = r2Score(predictions, targets);
  }
  return out;
}

/** @internal Throws unless `names` is a list of known metric names; messages name `where`. */
export function checkMetricNames(names: unknown, where: string): asserts names is readonly MetricName[] {
  if (!Array.isArray(names)) {
    let got: string;
    try {
      got = JSON.stringify(names) ?? String(names);
    } catch {
      got = typeof names;
    }
    throw badOption(where, 'metrics', `'metrics' must be a list of metric names (${metricNames.join(', ')}), got ${got}`);
  }
  for (const name of names)
    if (!metricNames.includes(name as MetricName))
      throw badOption(where, 'metrics', `unknown metric ${JSON.stringify(name)}; known: ${metricNames.join(', ')}`);
}
