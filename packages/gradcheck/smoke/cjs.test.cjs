const assert = require('node:assert/strict');
const { test } = require('node:test');
const { randn } = require('@backprop/engine');
const { gradcheck } = require('@backprop/gradcheck');

test('CJS build: require works', () => {
  assert.equal(gradcheck((x) => x.exp().sum(), [randn([2], { dtype: 'float64', seed: 2 })]).passed, true);
});
