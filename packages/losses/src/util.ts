import { ArgumentError, type BackpropError, fromArray, isTensor, mean, NDArray, ShapeError, sum, type Tensor } from '@backprop/engine';
import { checkOptionKeys, formatShape, optionKeys, sameShape, type TypedArray } from '@backprop/tensor';

/** How per-element losses are combined: their mean (default), their sum, or none (same shape as the input). */
export type Reduction = 'mean' | 'sum' | 'none';

/** The option every loss takes. */
export interface ReductionOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

const reductions: readonly string[] = ['mean', 'sum', 'none'];

/** The keys of {@link ReductionOptions}, which every loss takes besides its own. */
export const reductionKeys = optionKeys({ reduction: true } satisfies Record<keyof ReductionOptions, true>);

/**
 * Checks the reduction option and returns it (default `'mean'`); with `known` (a loss's public
 * entry passes its option keys), also refuses a key it does not take.
 */
export function checkReduction(
  options: ReductionOptions | undefined,
  loss: string,
  known?: readonly string[],
  allowed: readonly string[] = reductions,
): string {
  if (options !== undefined) {
    if (typeof options !== 'object' || options === null) {
      throw new ArgumentError(`${loss}: options must be an object, got ${String(options)}`, { where: loss, argument: 'options' });
    }
    if (known !== undefined) checkOptionKeys(options, known, loss);
  }
  const reduction = options?.reduction ?? 'mean';
  if (!allowed.includes(reduction)) {
    throw new ArgumentError(`${loss}: 'reduction' must be ${allowed.map((r) => `'${r}'`).join(', ')}, got ${JSON.stringify(reduction)}`, {
      where: loss,
      argument: 'reduction',
    });
  }
  return reduction;
}

/** Applies a mean/sum/none reduction to per-element losses. */
export function reduce(losses: Tensor, reduction: string): Tensor {
  if (reduction === 'sum') return sum(losses);
  if (reduction === 'mean') return mean(losses);
  return losses;
}

/** Throws unless `value` is a tensor; names the loss and argument. */
export function checkTensorArg(value: unknown, loss: string, name: string): Tensor {
  if (!isTensor(value)) {
    throw new ArgumentError(`${loss}: '${name}' must be a Tensor, got ${value === null ? 'null' : typeof value}`, {
      where: loss,
      argument: name,
    });
  }
  return value;
}

/** Input and target must have exactly the same shape (no silent broadcasting: `[n, 1]` vs `[n]` is a classic bug). */
export function checkSameShape(input: unknown, target: unknown, loss: string): [Tensor, Tensor] {
  const x = checkTensorArg(input, loss, 'input');
  const y = checkTensorArg(target, loss, 'target');
  if (!sameShape(x.shape, y.shape)) {
    throw new ShapeError(`${loss}: input ${formatShape(x.shape)} and target ${formatShape(y.shape)} must have the same shape`, {
      where: loss,
      shapes: [x.shape, y.shape],
    });
  }
  return [x, y.dtype === x.dtype ? y : y.astype(x.dtype)];
}

/** The float dtype a loss computes in for `t`: float64 stays, float32 and int32 give float32. */
export const floatDType = (t: Tensor): 'float32' | 'float64' => (t.dtype === 'float64' ? 'float64' : 'float32');

/** A constant tensor of float64 `values` stored in `dtype` (rounded once for float32). */
export const constant = (values: Float64Array, shape: readonly number[], dtype: 'float32' | 'float64'): Tensor =>
  fromArray(new NDArray(dtype === 'float64' ? values : new Float32Array(values), shape));

/** Throws an ArgumentError naming the loss. */
export function fail(loss: string, argument: string, message: string): BackpropError {
  return new ArgumentError(`${loss}: ${message}`, { where: loss, argument });
}

/** Checks an option that must be a positive finite number (a threshold such as Huber's delta). */
export function positiveOption(value: unknown, loss: string, option: string): number {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
    throw fail(loss, option, `'${option}' must be a positive number, got ${String(value)}`);
  return value;
}

/**
 * The flat index of the first element of `data` for which `valid` is false, or −1. Validation
 * loops over a whole input go through here, a function whose loop is all it does: V8 optimizes
 * a long loop while it runs (on-stack replacement), and code after the loop in the same function
 * that had not run by then would leave that optimized code on every later call.
 */
export function firstInvalid(data: TypedArray, valid: (v: number) => boolean): number {
  for (let i = 0; i < data.length; i++) if (!valid(data[i])) return i;
  return -1;
}
