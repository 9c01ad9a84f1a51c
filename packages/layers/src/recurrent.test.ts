import { compileBackward, NDArray, randn, sum, type Tensor, tensor } from '@backprop/engine';
import { gradcheckModule } from '@backprop/gradcheck';
import { describe, expect, it } from 'vitest';
import reference from '../fixtures/layers-reference.json' with { type: 'json' };
import { LSTM } from './recurrent.js';
import { layerFromConfig } from './registry.js';

const close = (actual: ArrayLike<number>, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(1e-12 * (1 + Math.abs(expected[i])));
};

describe('LSTM', () => {
  it('matches PyTorch (batch first): outputs, final state and gradients', () => {
    const ref = reference.lstm;
    const lstm = new LSTM(3, 4, { dtype: 'float64' });
    const nd = (data: number[], shape: number[]) => new NDArray(Float64Array.from(data), shape);
    lstm.loadStateDict({
      weightIh: nd(ref.weightIh, [3, 16]),
      weightHh: nd(ref.weightHh, [4, 16]),
      biasIh: nd(ref.biasIh, [16]),
      biasHh: nd(ref.biasHh, [16]),
    });
    const x = tensor(ref.x, { dtype: 'float64' }).reshape([2, 5, 3]).detach().setRequiresGrad();
    const { output, state } = lstm.run(x);
    close(output.value.data, ref.y);
    close(state.h.value.data, ref.h);
    close(state.c.value.data, ref.c);
    output
      .mul(tensor(ref.seed, { dtype: 'float64' }).reshape([2, 5, 4]))
      .sum()
      .add(state.h.mul(0.5).sum())
      .backward();
    close((x.grad as Tensor).value.data, ref.dx);
    close((lstm.weightIh.grad as Tensor).value.data, ref.dWeightIh);
    close((lstm.weightHh.grad as Tensor).value.data, ref.dWeightHh);
    close((lstm.biasIh.grad as Tensor).value.data, ref.dBiasIh);
  });

  it('passes gradcheck through time (inputs and every parameter), and carries state across chunks', () => {
    const lstm = new LSTM(2, 3, { dtype: 'float64' });
    expect(gradcheckModule(lstm, [randn([2, 4, 2], { dtype: 'float64', seed: 1 })], { output: (y) => y.square().sum() }).passed).toBe(true);
    const x = randn([1, 6, 2], { dtype: 'float64', seed: 2 });
    const whole = lstm.run(x).output;
    const first = lstm.run(x.slice([null, { stop: 3 }]));
    const second = lstm.run(x.slice([null, { start: 3 }]), first.state);
    close(second.output.value.data, [...whole.value.data].slice(9));
  });

  it('compiles (compileBackward): the same loss and gradients as the eager backward, for new inputs too', () => {
    const lstm = new LSTM(3, 4, { dtype: 'float64' });
    const loss = (x: Tensor) => sum(lstm.forward(x).tanh().mul(lstm.forward(x).square()));
    const step = compileBackward(loss);
    for (const seed of [1, 2]) {
      const x = randn([2, 5, 3], { dtype: 'float64', seed }).detach().setRequiresGrad();
      const params = [x, ...lstm.parameters()];
      for (const p of params) p.grad = null;
      const got = step(x).item();
      const grads = params.map((p) => [...(p.grad?.data ?? [])]);
      for (const p of params) p.grad = null;
      const want = loss(x);
      want.backward();
      expect(got).toBeCloseTo(want.item(), 12);
      params.forEach((p, k) => close(grads[k], [...(p.grad?.data ?? [])]));
    }
  });

  it('round-trips through its config and names bad input', () => {
    const lstm = new LSTM(3, 5);
    const again = layerFromConfig(lstm.getConfig());
    again.loadStateDict(lstm.stateDict());
    const x = randn([2, 4, 3], { seed: 3 });
    expect([...again.forward(x).value.data]).toEqual([...lstm.forward(x).value.data]);
    expect(() => lstm.forward(randn([2, 4, 2]))).toThrow('LSTM expected input [batch, steps, 3], got [2, 4, 2]');
  });
});
