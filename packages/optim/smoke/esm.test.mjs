import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '@backprop/engine';
import { Adam, SGD } from '@backprop/optim';

test('ESM build: SGD and Adam update parameters in place', () => {
  const w = tensor([1, -2], { requiresGrad: true });
  const sgd = new SGD([w], { lr: 0.5 });
  w.square().sum().backward();
  sgd.step();
  assert.deepEqual([...w.value.data], [0, 0]);
  assert.equal(new Adam([w]).paramGroups[0].lr, 1e-3);
});
