import type { Tensor } from '@backprop/engine';
import type { TypedArray } from '@backprop/tensor';
import { type BaseOptions, type Group, Optimizer, type ParamState, type ParamsInput, type StateLayout } from './optimizer.js';

/** Options of {@link RMSprop}. */
export interface RMSpropOptions extends BaseOptions {
  /** Smoothing constant α of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalise by the estimated variance instead of the raw second moment (default false). */
  centered: boolean;
}

/**
 * RMSprop, PyTorch's update rule: s ← αs + (1 − α)g²; with `centered` ḡ ← αḡ + (1 − α)g and
 * d = √(s − ḡ²) + ε, else d = √s + ε; with momentum b ← μb + g/d, θ ← θ − lr·b; else θ ← θ − lr·g/d.
 * @example new RMSprop(model.parameters(), { lr: 0.01, centered: true })
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions> | readonly Tensor[], options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false }, options);
  }

  protected override validate(group: Group<RMSpropOptions>, index: number): void {
    super.validate(group, index);
    this.checkNonNegative(group.alpha, 'alpha', index, 1);
    this.checkNonNegative(group.eps, 'eps', index);
    this.checkNonNegative(group.weightDecay, 'weightDecay', index);
    this.checkNonNegative(group.momentum, 'momentum', index);
  }

  protected override stateLayout(group: Group<RMSpropOptions>): StateLayout {
    const buffers = ['squareAvg'];
    if (group.momentum > 0) buffers.push('momentumBuffer');
    if (group.centered) buffers.push('gradAvg');
    return { counters: ['step'], buffers };
  }

  protected update(param: TypedArray, grad: TypedArray, state: ParamState, group: Group<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group;
    if (state.step === undefined) {
      state.step = 0;
      state.squareAvg = this.buffer(param);
      if (momentum > 0) state.momentumBuffer = this.buffer(param);
      if (centered) state.gradAvg = this.buffer(param);
    }
    state.step = (state.step as number) + 1;
    const s = state.squareAvg as TypedArray;
    const b = state.momentumBuffer as TypedArray | undefined;
    const mean = state.gradAvg as TypedArray | undefined;
    for (let i = 0; i < param.length; i++) {
      const g = grad[i] + weightDecay * param[i];
      s[i] = alpha * s[i] + (1 - alpha) * g * g;
      let denominator: number;
      if (centered && mean) {
        mean[i] = alpha * mean[i] + (1 - alpha) * g;
        denominator = Math.sqrt(s[i] - mean[i] * mean[i]) + eps;
      } else denominator = Math.sqrt(s[i]) + eps;
      if (momentum > 0 && b) {
        b[i] = momentum * b[i] + g / denominator;
        param[i] -= lr * b[i];
      } else param[i] -= (lr * g) / denominator;
    }
  }
}
