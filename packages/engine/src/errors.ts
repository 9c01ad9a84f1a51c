import { BackpropError } from '@backprop/tensor';

/** A NaN or ±Infinity was produced while anomaly mode was on; names the op, the pass and the shapes. */
export class AnomalyError extends BackpropError {
  override readonly name = 'AnomalyError';
  /** The op that produced the value, e.g. `'log'`. */
  readonly op: string;
  /** `'forward'` or `'backward'`. */
  readonly pass: 'forward' | 'backward';
  constructor(message: string, options: { op: string; pass: 'forward' | 'backward' }) {
    super(message, { where: options.op });
    this.op = options.op;
    this.pass = options.pass;
  }
  static override isInstance(error: unknown): error is AnomalyError {
    return BackpropError.isInstance(error) && error.name === 'AnomalyError';
  }
}

/** The graph cannot be used as asked: a second backward through freed nodes, a gradient of a non-scalar without a seed, … */
export class GraphError extends BackpropError {
  override readonly name = 'GraphError';
  static override isInstance(error: unknown): error is GraphError {
    return BackpropError.isInstance(error) && error.name === 'GraphError';
  }
}

/**
 * `compileBackward` cannot compile the traced function: an op without a compiled form, a hook on
 * an intermediate tensor, a loss that is not a scalar, … `op` names the op where there is one.
 */
export class CompileError extends BackpropError {
  override readonly name = 'CompileError';
  /** The recorded op that cannot be compiled, if the problem is one op. */
  readonly op: string | undefined;
  constructor(message: string, options: { op?: string } = {}) {
    super(message, { where: options.op ?? 'compileBackward' });
    this.op = options.op;
  }
  static override isInstance(error: unknown): error is CompileError {
    return BackpropError.isInstance(error) && error.name === 'CompileError';
  }
}
