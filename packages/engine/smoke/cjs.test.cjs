const assert = require('node:assert/strict');
const { test } = require('node:test');
const { tensor } = require('@backprop/engine');
const { jacobians } = require('@backprop/engine/testing');

test('CJS build: require works', () => {
  const x = tensor([2], { requiresGrad: true });
  x.square().sum().backward();
  assert.equal(x.grad.item(), 4);
  assert.equal(jacobians((t) => t.square(), [tensor([1], { dtype: 'float64' })]).length, 1);
});
