import type { Tensor } from '@backprop/engine';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  halfSquaredError,
  hinge,
  huber,
  mae,
  mse,
  nllLoss,
  smoothL1,
} from '@backprop/losses';
import { badOption } from './errors.js';

/** A loss: prediction and target in, scalar tensor out. */
export type LossFunction = (prediction: Tensor, target: Tensor) => Tensor;

/** Built-in loss names (camelCase, or kebab-case as on the command line). */
export type LossName =
  | 'mse'
  | 'halfSquaredError'
  | 'mae'
  | 'huber'
  | 'smoothL1'
  | 'crossEntropy'
  | 'nllLoss'
  | 'binaryCrossEntropy'
  | 'binaryCrossEntropyWithLogits'
  | 'hinge';

const byName: Record<LossName, LossFunction> = {
  mse: (p, t) => mse(p, t),
  halfSquaredError: (p, t) => halfSquaredError(p, t),
  mae: (p, t) => mae(p, t),
  huber: (p, t) => huber(p, t),
  smoothL1: (p, t) => smoothL1(p, t),
  crossEntropy: (p, t) => crossEntropy(p, t),
  nllLoss: (p, t) => nllLoss(p, t),
  binaryCrossEntropy: (p, t) => binaryCrossEntropy(p, t),
  binaryCrossEntropyWithLogits: (p, t) => binaryCrossEntropyWithLogits(p, t),
  hinge: (p, t) => hinge(p, t),
};

const aliases: Record<string, LossName> = {
  'half-squared-error': 'halfSquaredError',
  'cross-entropy': 'crossEntropy',
  'nll-loss': 'nllLoss',
  'smooth-l1': 'smoothL1',
  bce: 'binaryCrossEntropy',
  'binary-cross-entropy': 'binaryCrossEntropy',
  'bce-with-logits': 'binaryCrossEntropyWithLogits',
  l1: 'mae',
};

/** The canonical names of the built-in losses. */
export const lossNames = Object.keys(byName) as LossName[];

/**
 * A loss function from a name or a function (returned as is). Unknown names list the known ones.
 * @example resolveLoss('cross-entropy')
 */
export function resolveLoss(spec: LossName | string | LossFunction): LossFunction {
  if (typeof spec === 'function') return spec;
  const name = (Object.hasOwn(aliases, spec) ? aliases[spec] : spec) as LossName;
  if (typeof spec !== 'string' || !Object.hasOwn(byName, name)) {
    throw badOption('fit', 'loss', `unknown loss ${JSON.stringify(spec)}; known: ${[...lossNames, ...Object.keys(aliases)].join(', ')}`);
  }
  return byName[name];
}
