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

/** The canonical name of a loss name or alias (`'bce'` → `'binaryCrossEntropy'`); other strings are returned as they are. */
const canonical = (name: string): string => (Object.hasOwn(aliases, name) ? aliases[name] : name);

/**
 * A loss function from a name or a function (returned as is). Unknown names list the known ones.
 * @example resolveLoss('cross-entropy')
 */
export function resolveLoss(spec: LossName | string | LossFunction): LossFunction {
  if (typeof spec === 'function') return spec;
  const name = canonical(spec) as LossName;
  if (typeof spec !== 'string' || !Object.hasOwn(byName, name)) {
    throw badOption('fit', 'loss', `unknown loss ${JSON.stringify(spec)}; known: ${[...lossNames, ...Object.keys(aliases)].join(', ')}`);
  }
  return byName[name];
}

/** The losses whose model outputs a score with its decision boundary at 0 (a logit, or a margin for hinge). */
const boundaryAtZero = new Set<LossName>(['binaryCrossEntropyWithLogits', 'hinge']);

/**
 * The threshold that turns single-output predictions into classes for metrics, when none is given:
 * 0 for a loss named as taking logits or margins (`binaryCrossEntropyWithLogits`, `hinge`), else
 * `undefined` (the metrics' default 0.5, for probabilities). A loss passed as a function is not
 * recognised: give `threshold` yourself.
 */
export function defaultThreshold(loss: LossName | string | LossFunction | undefined): number | undefined {
  if (typeof loss !== 'string') return undefined;
  return boundaryAtZero.has(canonical(loss) as LossName) ? 0 : undefined;
}

/** The losses whose target is a class index per sample. */
const classIndexLosses = new Set<LossName>(['crossEntropy', 'nllLoss']);

/** Whether a loss, given by name or alias, takes class indices as targets (`crossEntropy`, `nllLoss`); false for a function. */
export function takesClassLabels(loss: LossName | string | LossFunction | undefined): boolean {
  return typeof loss === 'string' && classIndexLosses.has(canonical(loss) as LossName);
}
