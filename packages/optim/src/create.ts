import type { Tensor } from '@backprop/engine';
import { ArgumentError } from '@backprop/engine';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import type { BaseOptions, Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/** Optimizer names accepted by {@link createOptimizer} (case-insensitive). */
export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

const makers: Record<OptimizerName, (params: readonly Tensor[], options: Record<string, unknown>) => Optimizer<BaseOptions>> = {
  sgd: (p, o) => new SGD(p, { lr: 0.01, ...o }) as unknown as Optimizer<BaseOptions>,
  adam: (p, o) => new Adam(p, o) as unknown as Optimizer<BaseOptions>,
  adamw: (p, o) => new AdamW(p, o) as unknown as Optimizer<BaseOptions>,
  rmsprop: (p, o) => new RMSprop(p, o) as unknown as Optimizer<BaseOptions>,
  adagrad: (p, o) => new Adagrad(p, o) as unknown as Optimizer<BaseOptions>,
};

/**
 * An optimizer by name (as in a config file or the CLI's `--optimizer`), e.g. to rebuild one
 * from a saved state's `type`. SGD's default learning rate here is 0.01.
 * @example const opt = createOptimizer('adam', model.parameters(), { lr: 1e-3 });
 */
export function createOptimizer(
  name: OptimizerName | string,
  params: readonly Tensor[],
  options: Record<string, unknown> = {},
): Optimizer<BaseOptions> {
  options ??= {};
  const key = String(name).toLowerCase() as OptimizerName;
  if (!Object.hasOwn(makers, key)) {
    throw new ArgumentError(`createOptimizer: unknown optimizer ${JSON.stringify(name)}; known: ${Object.keys(makers).join(', ')}`, {
      where: 'createOptimizer',
      argument: 'name',
    });
  }
  return makers[key](params, options);
}
