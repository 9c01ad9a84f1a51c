import { ArgumentError, checkOptionKeys, type DType, type Generator, optionKeys } from '@backprop/tensor';

/** Options every layer with parameters accepts. */
export interface ParameterOptions {
  /** Element type of the parameters: `'float32'` (default) or `'float64'`. */
  dtype?: 'float32' | 'float64';
  /** Random source for initialisation; default the global generator (`manualSeed`). */
  generator?: Generator;
}

/** The keys of {@link ParameterOptions}, which every layer with parameters takes besides its own. */
export const parameterKeys = optionKeys({ dtype: true, generator: true } satisfies Record<keyof ParameterOptions, true>);

/**
 * Refuses a key of a layer's options that the layer does not take (a misspelt option would be
 * ignored); `own` are its keys besides {@link parameterKeys} (pass `withParameters` false for a
 * layer without parameters).
 */
export function checkLayerOptions(options: unknown, layer: string, own: readonly string[], withParameters = true): void {
  checkOptionKeys(options, withParameters ? [...parameterKeys, ...own] : own, layer);
}

/** Throws unless `value` is an integer ≥ `minimum`; the message names the layer and option. */
export function checkInteger(value: unknown, layer: string, option: string, minimum = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new ArgumentError(`${layer}: '${option}' must be an integer ≥ ${minimum}, got ${describeValue(value)}`, {
      where: layer,
      argument: option,
    });
  }
  return value;
}

/** Throws unless `value` is an integer ≥ `minimum` or a pair of them (`[height, width]`); the message names the layer and option. */
export function checkSize2d(value: unknown, layer: string, option: string, minimum: number): void {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= minimum;
  if (ok(value) || (Array.isArray(value) && value.length === 2 && value.every(ok))) return;
  throw new ArgumentError(
    `${layer}: '${option}' must be an integer ≥ ${minimum} or a pair of them [height, width], got ${describeValue(value)}`,
    {
      where: layer,
      argument: option,
    },
  );
}

/** Throws unless `value` is a finite number in [min, max]. */
export function checkRange(value: unknown, layer: string, option: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ArgumentError(`${layer}: '${option}' must be a number from ${min} to ${max}, got ${describeValue(value)}`, {
      where: layer,
      argument: option,
    });
  }
  return value;
}

/** The parameter dtype of a layer's options, validated. */
export function parameterDType(options: ParameterOptions | undefined, layer: string): DType {
  const dtype = options?.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ArgumentError(`${layer}: 'dtype' must be 'float32' or 'float64', got ${describeValue(dtype)}`, {
      where: layer,
      argument: 'dtype',
    });
  }
  return dtype;
}

/** A short description of any value for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
