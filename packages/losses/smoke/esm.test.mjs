import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '@backprop/engine';
import { crossEntropy, mse } from '@backprop/losses';

test('ESM build: losses compute and backpropagate', () => {
  assert.equal(mse(tensor([1, 2]), tensor([1, 4])).item(), 2);
  const z = tensor([[0, 0]], { requiresGrad: true });
  crossEntropy(z, tensor([1], { dtype: 'int32' })).backward();
  assert.deepEqual([...z.grad.value.data], [0.5, -0.5]);
});
