/**
 * The error classes of backprop. Each has a stable `name`, structured data fields and an
 * `isInstance` check that works across two installed copies of the package (it looks at a
 * `Symbol.for` marker, not at the class identity).
 */

const marker = Symbol.for('backprop.error');

/** Base class of every error thrown on purpose by a backprop package. */
export class BackpropError extends Error {
  readonly [marker] = true;
  /** Stable machine-readable name, e.g. `'ShapeError'`. */
  override readonly name: string = 'BackpropError';
  /** Where it happened, e.g. the op (`'matmul'`) or a module path (`'encoder.fc2'`). */
  readonly where: string | undefined;

  constructor(message: string, options: { where?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.where = options.where;
  }

  /** True for any backprop error, even one thrown by another installed copy of the package. */
  static isInstance(error: unknown): error is BackpropError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

function isNamed(error: unknown, name: string): boolean {
  return BackpropError.isInstance(error) && error.name === name;
}

/**
 * Operand shapes do not fit the operation.
 * @example
 * try { matmul(a, b); } catch (e) { if (ShapeError.isInstance(e)) console.log(e.shapes); }
 */
export class ShapeError extends BackpropError {
  override readonly name = 'ShapeError';
  /** The shapes of every operand involved, in argument order. */
  readonly shapes: readonly (readonly number[])[];
  constructor(message: string, options: { where?: string; shapes?: readonly (readonly number[])[]; cause?: unknown } = {}) {
    super(message, options);
    this.shapes = options.shapes ?? [];
  }
  static override isInstance(error: unknown): error is ShapeError {
    return isNamed(error, 'ShapeError');
  }
}

/** A dtype is unknown or not allowed for this operation (e.g. a gradient of an int32 tensor). */
export class DTypeError extends BackpropError {
  override readonly name = 'DTypeError';
  static override isInstance(error: unknown): error is DTypeError {
    return isNamed(error, 'DTypeError');
  }
}

/** An argument is out of range or of the wrong kind: an axis, an index, a dimension, an option. */
export class ArgumentError extends BackpropError {
  override readonly name = 'ArgumentError';
  /** The name of the offending argument, e.g. `'axis'` or `'lr'`. */
  readonly argument: string | undefined;
  constructor(message: string, options: { where?: string; argument?: string; cause?: unknown } = {}) {
    super(message, options);
    this.argument = options.argument;
  }
  static override isInstance(error: unknown): error is ArgumentError {
    return isNamed(error, 'ArgumentError');
  }
}

/** A file (model, weights, data) is malformed, truncated, or does not match what it declares. */
export class FileFormatError extends BackpropError {
  override readonly name = 'FileFormatError';
  /** The file's path or name, when known. */
  readonly file: string | undefined;
  constructor(message: string, options: { where?: string; file?: string; cause?: unknown } = {}) {
    super(message, options);
    this.file = options.file;
  }
  static override isInstance(error: unknown): error is FileFormatError {
    return isNamed(error, 'FileFormatError');
  }
}

/** Formats a shape the way every message shows it: `[32, 64]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
