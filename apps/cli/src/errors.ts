import { BackpropError } from '@backprop/engine';

/** Exit codes of the `backprop` command (documented in the README). */
export const exitCodes = { ok: 0, failure: 1, badInput: 2, interrupted: 130 } as const;

/** An error that ends the command with a one-line message and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.badInput,
  ) {
    super(message);
  }
}

/** Bad usage or bad input: exit code 2. */
export const badInput = (message: string): CliError => new CliError(message, exitCodes.badInput);

/** Maps any thrown value to a one-line message and an exit code: library errors about input are 2, training failures 1. */
export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (BackpropError.isInstance(error)) {
    const failure = error.name === 'TrainingError' || error.name === 'GradcheckError';
    return { message: error.message.split('\n')[0], exitCode: failure ? exitCodes.failure : exitCodes.badInput };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `internal error: ${message.split('\n')[0]}`, exitCode: exitCodes.failure };
}
