import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad, tensor } from '@backprop/engine';
import { expectGradientsMatch } from '@backprop/engine/testing';

test('ESM build: backward and grad', () => {
  const w = tensor([1, 2, 3], { requiresGrad: true });
  w.mul(w).sum().backward();
  assert.deepEqual(w.grad.toArray(), [2, 4, 6]);
  assert.deepEqual(grad((x) => x.sin().sum())(tensor([0])).toArray(), [1]);
  expectGradientsMatch((x) => x.tanh().sum(), [tensor([0.5, -1], { dtype: 'float64' })]);
});
