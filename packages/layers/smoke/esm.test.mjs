import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '@backprop/engine';
import { Dense, Sequential, Sigmoid } from '@backprop/layers';

test('ESM build: a Sequential model runs forward and backward', () => {
  const model = new Sequential(new Dense(2, 3), new Sigmoid(), new Dense(3, 1));
  const y = model.forward(tensor([[1, 0]]));
  assert.deepEqual(y.shape, [1, 1]);
  y.sum().backward();
  assert.equal(
    model.parameters().every((p) => p.grad !== null),
    true,
  );
});
