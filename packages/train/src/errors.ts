import { ArgumentError } from '@backprop/tensor';

/** An ArgumentError naming the function and the option. */
export function badOption(where: string, argument: string, message: string): ArgumentError {
  return new ArgumentError(`${where}: ${message}`, { where, argument });
}
