// Imports the built package the way a user does (no source condition): dist/ through `exports`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { array, matmul, randn, ShapeError, softmax } from '@backprop/tensor';
import { backendConformanceCases } from '@backprop/tensor/testing';

test('ESM build: matmul, softmax, errors', () => {
  const c = matmul(
    array([
      [1, 2],
      [3, 4],
    ]),
    array([[1], [1]]),
  );
  assert.deepEqual(c.toArray(), [[3], [7]]);
  const p = softmax(randn([2, 3], { seed: 1 }));
  assert.equal(p.shape.join(), '2,3');
  assert.throws(
    () => matmul(array([[1, 2]]), array([[1, 2]])),
    (e) => ShapeError.isInstance(e),
  );
  assert.ok(backendConformanceCases().length > 10);
});
