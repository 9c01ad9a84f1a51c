const assert = require('node:assert/strict');
const { test } = require('node:test');
const { array, sum } = require('@backprop/tensor');
const { backendConformanceCases } = require('@backprop/tensor/testing');

test('CJS build: require works', () => {
  assert.equal(sum(array([1, 2, 3])).item(), 6);
  assert.ok(Array.isArray(backendConformanceCases()));
});
