const assert = require('node:assert/strict');
const { test } = require('node:test');
const { tensor } = require('@backprop/engine');
const { clipGradNorm } = require('@backprop/optim');

test('CJS build: require works', () => {
  const w = tensor([0, 0], { requiresGrad: true });
  w.grad = tensor([3, 4]);
  assert.equal(clipGradNorm([w], 1), 5);
});
