const assert = require('node:assert/strict');
const { test } = require('node:test');
const { tensor } = require('@backprop/engine');
const { halfSquaredError } = require('@backprop/losses');

test('CJS build: require works', () => {
  assert.equal(halfSquaredError(tensor([3]), tensor([1])).item(), 2);
});
