import { concat, enableGrad, gradients, randn, type Tensor } from '@backprop/engine';
import { checkedInputs } from '@backprop/engine/testing';
import { ArgumentError } from '@backprop/tensor';
import { checkSettings, type GradcheckOptions, type GradcheckReport, gradcheck, gradcheckKeys } from './gradcheck.js';

/**
 * Second-order check: verifies the gradient of the first-order gradient. With a fixed random
 * vector v of the output's shape, it gradchecks x ↦ ∂(v·fn(x))/∂x (computed with
 * `createGraph`), so the backward pass of every op is itself differentiated and compared
 * with finite differences.
 * @example gradgradcheck((x) => x.sigmoid().sum(), [randn([4], { dtype: 'float64' })]);
 */
export function gradgradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  if (typeof fn !== 'function')
    throw new ArgumentError('gradgradcheck: fn must be a function of tensors', { where: 'gradgradcheck', argument: 'fn' });
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new ArgumentError('gradgradcheck: inputs must be a non-empty array of tensors', { where: 'gradgradcheck', argument: 'inputs' });
  }
  checkSettings(options, gradcheckKeys, 'gradgradcheck');
  const checked = options.inputs ?? checkedInputs(inputs);
  let weights: Tensor | undefined;
  // The finite differences evaluate this with recording off; the first-order gradient needs it on.
  const firstOrder = (...xs: Tensor[]): Tensor =>
    enableGrad(() => {
      const out = fn(...xs);
      weights ??= randn(out.shape, { dtype: 'float64', seed: options.seed ?? 1 });
      const scalar = out.mul(weights).sum();
      const grads = gradients(
        scalar,
        checked.map((i) => xs[i]),
        { createGraph: true },
      );
      return concat(grads.map((g) => g.reshape([-1])));
    });
  return gradcheck(firstOrder, inputs, { ...options, inputs: checked });
}
