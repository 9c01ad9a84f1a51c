import { ArgumentError, formatShape, ShapeError, sameShape } from '@backprop/tensor';
import type { CompiledOp } from './compile/emit.js';
import { setGradEnabled } from './mode.js';
import { astype } from './ops/shape.js';
import { record } from './record.js';
import { isTensor, type Tensor } from './tensor.js';

/** What a custom op is made of: a name, a forward and its vector-Jacobian product. */
export interface CustomOpDefinition {
  /** Shown in errors, anomaly reports and `toString()` (`gradFn=name`). */
  name: string;
  /** Computes the output from the inputs. Runs with recording off, so any engine op may be used. */
  forward: (inputs: readonly Tensor[]) => Tensor;
  /**
   * Given the inputs, the output's gradient `dy` and the output, returns one gradient per input
   * (each of that input's shape; `null` for none). Write it with engine ops and second-order
   * gradients work too.
   */
  backward: (inputs: readonly Tensor[], dy: Tensor, output: Tensor) => readonly (Tensor | null | undefined)[];
  /**
   * The op as generated code for {@link compileBackward} (optional: without it, a function using
   * this op cannot be compiled, and says so).
   * @experimental
   */
  compiled?: CompiledOp;
}

/**
 * Turns a forward and a hand-written backward into a differentiable op: the way to add a fused
 * or hand-optimised kernel. Built-in ops use the same recording mechanism.
 *
 * @example
 * const softsign = customOp({
 *   name: 'softsign',
 *   forward: ([x]) => x.div(x.abs().add(1)),
 *   backward: ([x], dy) => [dy.div(x.abs().add(1).square())],
 * });
 * const y = softsign(tensor([1, -2], { requiresGrad: true }));
 */
export function customOp(definition: CustomOpDefinition): (...inputs: Tensor[]) => Tensor {
  const { name, forward, backward, compiled } = definition ?? ({} as CustomOpDefinition);
  const spec = compiled === undefined ? undefined : { compiled };
  if (typeof name !== 'string' || typeof forward !== 'function' || typeof backward !== 'function') {
    throw new ArgumentError('customOp: needs { name: string, forward: function, backward: function }', {
      where: 'customOp',
      argument: 'definition',
    });
  }
  return (...inputs: Tensor[]): Tensor => {
    for (let i = 0; i < inputs.length; i++) {
      if (!isTensor(inputs[i])) throw new ArgumentError(`${name}: input #${i} must be a Tensor`, { where: name, argument: `inputs[${i}]` });
    }
    // noGrad without its closure: this runs for every call of every custom op.
    const previous = setGradEnabled(false);
    let output: Tensor;
    try {
      output = forward(inputs);
    } finally {
      setGradEnabled(previous);
    }
    if (!isTensor(output)) throw new ArgumentError(`${name}: forward must return a Tensor`, { where: name });
    return record(name, inputs, output.value, (dy, y) => checkedGradients(name, inputs, backward(inputs, dy, y)), spec);
  };
}

/**
 * A custom op's gradients, checked: one per input, each null or a tensor of its input's shape
 * (cast to the input's dtype). Built with push, not map: the engine's backward pass then sees one
 * kind of array from every op (map makes holey arrays, which cost V8 a deoptimization of the
 * backward loop).
 */
function checkedGradients(name: string, inputs: readonly Tensor[], grads: readonly (Tensor | null | undefined)[]): (Tensor | null)[] {
  if (!Array.isArray(grads) || grads.length !== inputs.length) {
    throw new ArgumentError(
      `${name}: backward returned ${Array.isArray(grads) ? grads.length : typeof grads} gradients for ${inputs.length} inputs`,
      { where: name },
    );
  }
  const checked: (Tensor | null)[] = [];
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g === null || g === undefined) {
      checked.push(null);
      continue;
    }
    if (!isTensor(g)) throw new ArgumentError(`${name}: backward's gradient #${i} is not a Tensor`, { where: name });
    if (!sameShape(g.shape, inputs[i].shape)) {
      throw new ShapeError(
        `${name}: backward returned a gradient of shape ${formatShape(g.shape)} for input #${i} of shape ${formatShape(inputs[i].shape)}`,
        { where: name, shapes: [g.shape, inputs[i].shape] },
      );
    }
    checked.push(g.dtype === inputs[i].dtype ? g : astype(g, inputs[i].dtype));
  }
  return checked;
}
