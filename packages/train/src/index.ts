/**
 * @backprop/train — `fit`, `evaluate` and `predict` for `@backprop/layers` models, with seeded
 * shuffling, validation, metrics, callbacks, early stopping and a progress hook; plus datasets,
 * splits, scalers and label encoding.
 * @packageDocumentation
 */

export { type ArrayInput, type BatchOptions, batches, type Dataset, dataset, split, subset, trainTestSplit } from './data.js';
export { type EvaluateOptions, evaluate, predict } from './evaluate.js';
export {
  type BackpropTrace,
  checkTrace,
  formatTrace,
  type TraceDifference,
  type TracedLayer,
  type TraceStep,
  traceBackprop,
  tracedLayers,
  traceSteps,
} from './explain.js';
export { fit, fitAsync } from './fit.js';
export {
  type Callback,
  type EarlyStoppingOptions,
  type EpochLogs,
  type FitOptions,
  History,
  type OptimizerSpec,
  type Progress,
  type TrainingContext,
  TrainingError,
} from './fit-options.js';
export { defaultThreshold, type LossFunction, type LossName, lossNames, resolveLoss } from './loss-names.js';
export {
  accuracy,
  type ClassificationReport,
  type ClassifyOptions,
  computeMetrics,
  confusionMatrix,
  type MetricName,
  meanAbsoluteError,
  meanSquaredError,
  metricNames,
  precisionRecallF1,
  predictedClasses,
  r2Score,
  targetClasses,
} from './metrics.js';
export { LabelEncoder, MinMaxScaler, oneHotLabels, type Scaler, type ScalerJSON, Standardizer, scalerFromJSON } from './preprocess.js';
