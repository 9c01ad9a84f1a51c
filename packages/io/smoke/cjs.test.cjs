const assert = require('node:assert/strict');
const { test } = require('node:test');
const { NDArray } = require('@backprop/tensor');
const { decodeSafetensors, encodeSafetensors } = require('@backprop/io');
const { saveModel } = require('@backprop/io/node');

test('CJS build: require works for both entries', () => {
  const bytes = encodeSafetensors({ w: new NDArray(new Float32Array([1, 2]), [2]) });
  assert.deepEqual([...decodeSafetensors(bytes).tensors.w.data], [1, 2]);
  assert.equal(typeof saveModel, 'function');
});
