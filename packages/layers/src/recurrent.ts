import { add, isTensor, matmul, mul, sigmoid, slice, split, stack, type Tensor, tanh, zeros } from '@backprop/engine';
import { formatShape } from '@backprop/tensor';
import { resolveInitializer } from './init.js';
import { type LayerConfig, Module, moduleShapeError } from './module.js';
import { checkInteger, checkLayerOptions, type ParameterOptions, parameterDType } from './options.js';

/** The state of an {@link LSTM}: hidden and cell, each `[batch, hiddenSize]`. */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/**
 * Long short-term memory over a sequence, input `[batch, steps, inputSize]` (batch first), output
 * every step's hidden state `[batch, steps, hiddenSize]`. PyTorch's equations and gate order
 * (i, f, g, o): i = σ(xWᵢ + hUᵢ + b), f = σ(…), g = tanh(…), o = σ(…), c' = f·c + i·g,
 * h' = o·tanh(c'). Weights are stored `[in, 4·hidden]` and `[hidden, 4·hidden]` — the transposes
 * of PyTorch's `weight_ih_l0` and `weight_hh_l0` — with both biases; all start U(±1/√hidden), as
 * PyTorch. Gradients flow through time by the engine (backpropagation through time).
 * @example
 * const lstm = new LSTM(8, 32);
 * const out = lstm.forward(x); // x: [batch, steps, 8] → [batch, steps, 32]
 */
export class LSTM extends Module {
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor;
  readonly biasHh: Tensor;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: ParameterOptions = {},
  ) {
    super();
    options ??= {};
    checkLayerOptions(options, 'LSTM', []);
    checkInteger(inputSize, 'LSTM', 'inputSize');
    checkInteger(hiddenSize, 'LSTM', 'hiddenSize');
    const dtype = parameterDType(options, 'LSTM');
    const init = resolveInitializer({ type: 'uniform', low: -1 / Math.sqrt(hiddenSize), high: 1 / Math.sqrt(hiddenSize) }, 'LSTM');
    const make = (shape: number[]) => init({ shape, fanIn: hiddenSize, fanOut: 4 * hiddenSize, dtype, generator: options.generator });
    this.weightIh = this.parameter('weightIh', make([inputSize, 4 * hiddenSize]));
    this.weightHh = this.parameter('weightHh', make([hiddenSize, 4 * hiddenSize]));
    this.biasIh = this.parameter('biasIh', make([4 * hiddenSize]));
    this.biasHh = this.parameter('biasHh', make([4 * hiddenSize]));
  }

  override get typeName(): string {
    return 'LSTM';
  }

  /** Every step's hidden state, `[batch, steps, hiddenSize]`, starting from zero state. */
  forward(x: Tensor): Tensor {
    return this.run(x).output;
  }

  /** The outputs and the final state, optionally starting from `state` (to carry state across chunks). */
  run(x: Tensor, state?: LSTMState): { output: Tensor; state: LSTMState } {
    if (!isTensor(x) || x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      throw moduleShapeError(
        this,
        `expected input [batch, steps, ${this.inputSize}], got ${isTensor(x) ? formatShape(x.shape) : String(x)}`,
        isTensor(x) ? [x.shape] : [],
      );
    }
    const [batch, steps] = x.shape;
    const H = this.hiddenSize;
    let h = state?.h ?? zeros([batch, H], { dtype: this.weightIh.dtype });
    let c = state?.c ?? zeros([batch, H], { dtype: this.weightIh.dtype });
    for (const [name, t] of [
      ['h', h],
      ['c', c],
    ] as const) {
      if (!isTensor(t) || t.ndim !== 2 || t.shape[0] !== batch || t.shape[1] !== H) {
        throw moduleShapeError(this, `state '${name}' must be [${batch}, ${H}], got ${isTensor(t) ? formatShape(t.shape) : String(t)}`, []);
      }
    }
    // The input projection of every step at once: one matrix product instead of `steps`.
    const projected = add(matmul(x, this.weightIh), add(this.biasIh, this.biasHh));
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const gates = add(slice(projected, [null, t]), matmul(h, this.weightHh));
      const [i, f, g, o] = split(gates, [H, H, H, H], 1);
      c = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
      h = mul(sigmoid(o), tanh(c));
      outputs.push(h);
    }
    return { output: stack(outputs, 1), state: { h, c } };
  }

  override getConfig(): LayerConfig {
    return { type: 'LSTM', inputSize: this.inputSize, hiddenSize: this.hiddenSize, dtype: this.weightIh.dtype };
  }
}
