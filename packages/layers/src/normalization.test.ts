import { NDArray, tensor } from '@backprop/engine';
import { describe, expect, it } from 'vitest';
import reference from '../fixtures/layers-reference.json' with { type: 'json' };
import { BatchNorm1d, BatchNorm2d, LayerNorm } from './normalization.js';

const close = (actual: ArrayLike<number>, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(1e-12 * (1 + Math.abs(expected[i])));
};

describe('normalisation layers match PyTorch', () => {
  for (const [name, make] of [
    ['batchNorm1d', (c: number) => new BatchNorm1d(c, { dtype: 'float64' })],
    ['batchNorm1dSeq', (c: number) => new BatchNorm1d(c, { dtype: 'float64' })],
    ['batchNorm2d', (c: number) => new BatchNorm2d(c, { dtype: 'float64' })],
  ] as const) {
    it(`${name}: two training steps then eval, running statistics included`, () => {
      const ref = reference[name];
      const bn = make(ref.shape[1]);
      bn.loadStateDict(
        {
          weight: new NDArray(Float64Array.from(ref.weight), [ref.shape[1]]),
          bias: new NDArray(Float64Array.from(ref.bias), [ref.shape[1]]),
        },
        { strict: false },
      );
      const run = (i: number) => bn.forward(tensor(ref.inputs[i], { dtype: 'float64' }).reshape(ref.shape)).value.data;
      close(run(0), ref.outputs[0]);
      close(run(1), ref.outputs[1]);
      bn.eval();
      close(run(2), ref.outputs[2]);
      close(bn.runningMean.value.data, ref.runningMean);
      close(bn.runningVar.value.data, ref.runningVar);
    });
  }
  it('layerNorm', () => {
    const ref = reference.layerNorm;
    const ln = new LayerNorm([3, 4], { dtype: 'float64' });
    ln.loadStateDict({
      weight: new NDArray(Float64Array.from(ref.weight), [3, 4]),
      bias: new NDArray(Float64Array.from(ref.bias), [3, 4]),
    });
    close(ln.forward(tensor(ref.x, { dtype: 'float64' }).reshape([2, 3, 4])).value.data, ref.y);
  });
});

describe('batch normalisation of a single value per channel', () => {
  it('is refused in training mode (as PyTorch), leaving the running statistics alone; eval mode takes it', () => {
    const bn = new BatchNorm1d(3);
    expect(() => bn.forward(tensor([[1, 2, 3]]))).toThrow(
      "BatchNorm1d needs more than one value per channel in training mode, got input [1, 3] (train with batches of 2 or more — fit's dropLast skips a last batch of one — or call eval() first)",
    );
    expect([...bn.runningVar.value.data]).toEqual([1, 1, 1]);
    expect(() => new BatchNorm2d(2).forward(tensor([[[[1]], [[2]]]]))).toThrow(
      /BatchNorm2d needs more than one value per channel .* \[1, 2, 1, 1\]/,
    );
    // One sample with two positions, or two samples: enough.
    expect(
      bn.forward(
        tensor([
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
        ]),
      ).shape,
    ).toEqual([1, 3, 2]);
    bn.eval();
    expect(bn.forward(tensor([[1, 2, 3]])).shape).toEqual([1, 3]);
  });
});
