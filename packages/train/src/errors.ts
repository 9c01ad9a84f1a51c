import { ArgumentError, isNDArray, type NDArray } from '@backprop/tensor';

/** An ArgumentError naming the function and the option. */
export function badOption(where: string, argument: string, message: string): ArgumentError {
  return new ArgumentError(`${where}: ${message}`, { where, argument });
}

/** Throws unless `value` is an NDArray (names the function and argument). */
export function checkArrayArg(value: unknown, where: string, argument: string): NDArray {
  if (!isNDArray(value))
    throw badOption(where, argument, `'${argument}' must be an NDArray, got ${value === null ? 'null' : typeof value}`);
  return value;
}

/** Throws unless `value` looks like a dataset ({ x, y, length }). */
export function checkDatasetArg(value: unknown, where: string): { x: NDArray; y: NDArray; length: number } {
  const d = value as { x?: unknown; y?: unknown; length?: unknown };
  if (typeof d !== 'object' || d === null || !isNDArray(d.x) || !isNDArray(d.y) || typeof d.length !== 'number') {
    throw badOption(where, 'data', "'data' must be a dataset made by dataset(x, y)");
  }
  return d as { x: NDArray; y: NDArray; length: number };
}
