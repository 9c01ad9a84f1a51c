import type { Tensor } from '@backprop/engine';
import { ArgumentError, getBackend, type TypedArray } from '@backprop/tensor';
import { type BaseOptions, type Group, Optimizer, type ParamState, type ParamsInput, type StateLayout } from './optimizer.js';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions extends BaseOptions {
  /** Decay rates (β₁, β₂) of the moment estimates (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay θ ← θ(1 − lr·λ). Default 0 (Adam), 0.01 (AdamW). */
  weightDecay: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad: boolean;
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected override validate(group: Group<AdamOptions>, index: number): void {
    super.validate(group, index);
    const betas = group.betas;
    if (!Array.isArray(betas) || betas.length !== 2 || betas.some((b) => typeof b !== 'number' || !(b >= 0 && b < 1))) {
      throw new ArgumentError(`${this.type}: 'betas' must be two numbers in [0, 1), got ${JSON.stringify(betas)}`, {
        where: this.type,
        argument: 'betas',
      });
    }
    this.checkNonNegative(group.eps, 'eps', index);
    this.checkNonNegative(group.weightDecay, 'weightDecay', index);
  }

  protected override stateLayout(group: Group<AdamOptions>): StateLayout {
    return { counters: ['step'], buffers: group.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'] };
  }

  protected update(param: TypedArray, grad: TypedArray, state: ParamState, group: Group<AdamOptions>): void {
    const { lr, eps, weightDecay, amsgrad } = group;
    const [beta1, beta2] = group.betas;
    if (state.step === undefined) {
      state.step = 0;
      state.expAvg = this.buffer(param);
      state.expAvgSq = this.buffer(param);
      if (amsgrad) state.maxExpAvgSq = this.buffer(param);
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const m = state.expAvg as TypedArray;
    const v = state.expAvgSq as TypedArray;
    const vMax = state.maxExpAvgSq as TypedArray | undefined;
    // The backend runs the step (a SIMD kernel for large float32 arrays); √v/√(1 − β₂ᵗ) is taken
    // as a product with the reciprocal, one division per element (results within an ulp of PyTorch's).
    getBackend().adam(param, grad, m, v, amsgrad && vMax ? vMax : null, {
      stepSize: lr / (1 - beta1 ** step),
      beta1,
      beta2,
      inverseSqrtCorrection2: 1 / Math.sqrt(1 - beta2 ** step),
      eps,
      l2: this.decoupled ? 0 : weightDecay,
      shrink: this.decoupled ? 1 - lr * weightDecay : 1,
    });
  }
}

/**
 * Adam, PyTorch's update rule: g ← ∇ + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * θ ← θ − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε) (v replaced by its running maximum with `amsgrad`).
 * @example new Adam(model.parameters(), { lr: 1e-3 })
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsInput<AdamOptions> | readonly Tensor[], options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false }, options);
  }
}

/**
 * AdamW: Adam with decoupled weight decay θ ← θ(1 − lr·λ) before the Adam step (default λ = 0.01),
 * as PyTorch.
 * @example new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 })
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsInput<AdamOptions> | readonly Tensor[], options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false }, options);
  }
}
