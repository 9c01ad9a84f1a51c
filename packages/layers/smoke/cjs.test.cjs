const assert = require('node:assert/strict');
const { test } = require('node:test');
const { tensor } = require('@backprop/engine');
const { Dense } = require('@backprop/layers');

test('CJS build: require works', () => {
  assert.deepEqual(new Dense(2, 5).forward(tensor([[1, 2]])).shape, [1, 5]);
});
