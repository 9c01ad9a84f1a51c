import * as T from '@backprop/tensor';
import { ArgumentError, formatShape, zeros } from '@backprop/tensor';
import { propagate } from './backward.js';
import { GraphError } from './errors.js';
import { enableGrad } from './mode.js';
import { isTensor, Tensor } from './tensor.js';

/** Options of {@link gradients}. */
export interface GradientsOptions {
  /** The seed: the gradient of `output` (needed when it is not a scalar). */
  gradOutput?: Tensor;
  /** Keep the graph for another backward pass. */
  retainGraph?: boolean;
  /** Record the backward pass, so the returned gradients can be differentiated again. */
  createGraph?: boolean;
}

/**
 * The gradients of `output` with respect to `inputs`, returned instead of accumulated into
 * `.grad` (like `torch.autograd.grad`). An input that `output` does not depend on gets zeros.
 * @example const [dw] = gradients(loss, [w], { createGraph: true });
 */
export function gradients(output: Tensor, inputs: readonly Tensor[], options?: GradientsOptions): Tensor[] {
  if (!isTensor(output)) throw new ArgumentError('gradients: output must be a Tensor', { where: 'gradients', argument: 'output' });
  if (!Array.isArray(inputs))
    throw new ArgumentError('gradients: inputs must be an array of Tensors', { where: 'gradients', argument: 'inputs' });
  T.checkOptionKeys(options, gradientsKeys, 'gradients');
  options ??= {};
  inputs.forEach((t, i) => {
    if (!isTensor(t) || !t.requiresGrad) {
      throw new GraphError(`gradients: input #${i} does not require a gradient; set requiresGrad on it before computing the output`, {
        where: 'gradients',
      });
    }
  });
  const found = propagate(output, options.gradOutput, options, inputs);
  return found.map((g, i) => g ?? new Tensor(zeros(inputs[i].shape, { dtype: inputs[i].dtype })));
}

const gradientsKeys = T.optionKeys({ gradOutput: true, retainGraph: true, createGraph: true } satisfies Record<
  keyof GradientsOptions,
  true
>);

/** Options of {@link grad} and {@link valueAndGrad}. */
export interface GradOptions {
  /** Which arguments to differentiate: an index (the default is 0) or a list of indices. */
  argnums?: number | readonly number[];
  /** Record the backward pass so the gradient can itself be differentiated. */
  createGraph?: boolean;
}

const gradKeys = T.optionKeys({ argnums: true, createGraph: true } satisfies Record<keyof GradOptions, true>);

type GradResult<O extends GradOptions> = O extends { argnums: readonly number[] } ? Tensor[] : Tensor;

function prepare(args: readonly Tensor[], argnums: readonly number[], op: string): Tensor[] {
  const prepared = [...args];
  for (const i of argnums) {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) {
      throw new ArgumentError(`${op}: argnums names argument ${i}, but the function got ${args.length} arguments`, {
        where: op,
        argument: 'argnums',
      });
    }
    const arg = args[i];
    if (!isTensor(arg))
      throw new ArgumentError(`${op}: argument ${i} must be a Tensor to be differentiated`, { where: op, argument: 'argnums' });
    prepared[i] = arg.requiresGrad ? arg : arg.detach().setRequiresGrad();
  }
  return prepared;
}

/**
 * `valueAndGrad(fn)` returns a function computing `[fn(...args), gradients]`; `fn` must return a
 * scalar tensor. The arguments' `.grad` are left untouched.
 * @example const [loss, dw] = valueAndGrad((w) => w.mul(w).sum())(tensor([1, 2, 3]));
 */
export function valueAndGrad<O extends GradOptions = GradOptions>(
  fn: (...args: Tensor[]) => Tensor,
  options?: O,
): (...args: Tensor[]) => [Tensor, GradResult<O>] {
  T.checkOptionKeys(options, gradKeys, 'grad');
  const argnums = options?.argnums ?? 0;
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  return (...args: Tensor[]) => {
    const prepared = prepare(args, list, 'grad');
    const value = enableGrad(() => fn(...prepared));
    if (!isTensor(value) || value.size !== 1) {
      throw new GraphError(
        `grad: the function must return a scalar tensor, got ${isTensor(value) ? `shape ${formatShape(value.shape)}` : typeof value}`,
        { where: 'grad' },
      );
    }
    const targets = list.map((i) => prepared[i]);
    const grads = value.requiresGrad
      ? gradients(value, targets, { createGraph: options?.createGraph === true })
      : targets.map((t) => new Tensor(zeros(t.shape, { dtype: t.dtype })));
    const result = (typeof argnums === 'number' ? grads[0] : grads) as GradResult<O>;
    return [options?.createGraph ? value : value.detach(), result];
  };
}

/**
 * `grad(fn)` returns a function computing the gradient of the scalar `fn` with respect to its
 * first argument (or those named by `argnums`).
 * @example
 * const f = (w: Tensor) => w.mul(w).sum();
 * grad(f)(tensor([1, 2, 3]));                                         // [2, 4, 6]
 * grad((w: Tensor) => grad(f, { createGraph: true })(w).sum())(w);    // second order: [2, 2, 2]
 */
export function grad<O extends GradOptions = GradOptions>(
  fn: (...args: Tensor[]) => Tensor,
  options?: O,
): (...args: Tensor[]) => GradResult<O> {
  const both = valueAndGrad(fn, options);
  return (...args: Tensor[]) => both(...args)[1];
}
