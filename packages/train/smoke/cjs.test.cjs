const assert = require('node:assert/strict');
const { test } = require('node:test');
const { accuracy, Standardizer } = require('@backprop/train');
const { array } = require('@backprop/tensor');

test('CJS build: require works', () => {
  assert.equal(accuracy(array([[0.1, 0.9]]), array([1], { dtype: 'int32' })), 1);
  assert.deepEqual(Standardizer.fit(array([[1], [3]])).mean, [2]);
});
