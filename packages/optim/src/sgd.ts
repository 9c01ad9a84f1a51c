import type { Tensor } from '@backprop/engine';
import { ArgumentError, type TypedArray } from '@backprop/tensor';
import { type BaseOptions, type Group, Optimizer, type ParamState, type ParamsInput, type StateLayout } from './optimizer.js';

/** Options of {@link SGD}. */
export interface SGDOptions extends BaseOptions {
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Dampening τ of the momentum (default 0). */
  dampening: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
}

/**
 * Stochastic gradient descent, PyTorch's update rule:
 * g ← ∇ + λθ; with momentum b ← μb + (1 − τ)g (b = g at the first step) and g ← g + μb (Nesterov)
 * or g ← b; then θ ← θ − lr·g.
 * @example const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions> | readonly Tensor[], options: Partial<SGDOptions> & { lr: number }) {
    // No default rate: a missing one is reported by `validate`.
    super('SGD', params, { lr: undefined as unknown as number, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }, options);
  }

  protected override validate(group: Group<SGDOptions>, index: number): void {
    super.validate(group, index);
    this.checkNonNegative(group.momentum, 'momentum', index);
    this.checkNonNegative(group.dampening, 'dampening', index, 1);
    this.checkNonNegative(group.weightDecay, 'weightDecay', index);
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new ArgumentError(
        `SGD: 'nesterov' needs momentum > 0 and dampening 0${index > 0 ? ` (group ${index})` : ''}, got momentum ${group.momentum} and dampening ${group.dampening}`,
        { where: 'SGD', argument: 'nesterov' },
      );
    }
  }

  protected override stateLayout(group: Group<SGDOptions>): StateLayout {
    return { counters: [], buffers: group.momentum !== 0 ? ['momentumBuffer'] : [] };
  }

  protected update(param: TypedArray, grad: TypedArray, state: ParamState, group: Group<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = group;
    let buf = state.momentumBuffer as TypedArray | undefined;
    const first = buf === undefined;
    if (momentum !== 0 && first) {
      buf = this.buffer(param);
      state.momentumBuffer = buf;
    }
    for (let i = 0; i < param.length; i++) {
      let g = grad[i] + weightDecay * param[i];
      if (buf) {
        buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g;
        g = nesterov ? g + momentum * buf[i] : buf[i];
      }
      param[i] -= lr * g;
    }
  }
}
