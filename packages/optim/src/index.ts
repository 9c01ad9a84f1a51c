/**
 * @backprop/optim — optimizers with PyTorch's update rules (SGD, Adam, AdamW, RMSprop, Adagrad),
 * parameter groups, state save/load, learning-rate schedules and gradient clipping.
 * @packageDocumentation
 */

export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, type AdamOptions, AdamW } from './adam.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { createOptimizer, type OptimizerName } from './create.js';
export {
  type BaseOptions,
  type Group,
  Optimizer,
  type OptimizerState,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  type StateLayout,
} from './optimizer.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  LRScheduler,
  MultiStepLR,
  type PlateauOptions,
  ReduceLROnPlateau,
  type SchedulerState,
  StepLR,
} from './schedulers.js';
export { SGD, type SGDOptions } from './sgd.js';
