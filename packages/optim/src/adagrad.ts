import type { Tensor } from '@backprop/engine';
import type { TypedArray } from '@backprop/tensor';
import { type BaseOptions, type Group, Optimizer, type ParamState, type ParamsInput, type StateLayout } from './optimizer.js';

/** Options of {@link Adagrad}. */
export interface AdagradOptions extends BaseOptions {
  /** Learning-rate decay: step t uses lr/(1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the squared-gradient sum (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator (default 1e-10). */
  eps: number;
}

/**
 * Adagrad, PyTorch's update rule: g ← ∇ + λθ; S ← S + g²; θ ← θ − lr_t·g/(√S + ε).
 * @example new Adagrad(model.parameters(), { lr: 0.1 })
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions> | readonly Tensor[], options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 }, options);
  }

  protected override validate(group: Group<AdagradOptions>, index: number): void {
    super.validate(group, index);
    this.checkNonNegative(group.lrDecay, 'lrDecay', index);
    this.checkNonNegative(group.weightDecay, 'weightDecay', index);
    this.checkNonNegative(group.initialAccumulatorValue, 'initialAccumulatorValue', index);
    this.checkNonNegative(group.eps, 'eps', index);
  }

  protected override stateLayout(_group: Group<AdagradOptions>): StateLayout {
    return { counters: ['step'], buffers: ['sum'] };
  }

  protected update(param: TypedArray, grad: TypedArray, state: ParamState, group: Group<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps } = group;
    if (state.step === undefined) {
      state.step = 0;
      state.sum = this.buffer(param).fill(group.initialAccumulatorValue);
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const sum = state.sum as TypedArray;
    const rate = lr / (1 + (step - 1) * lrDecay);
    for (let i = 0; i < param.length; i++) {
      const g = grad[i] + weightDecay * param[i];
      sum[i] += g * g;
      param[i] -= (rate * g) / (Math.sqrt(sum[i]) + eps);
    }
  }
}
