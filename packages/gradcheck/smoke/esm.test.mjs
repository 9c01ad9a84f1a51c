import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randn } from '@backprop/engine';
import { GradcheckError, gradcheck } from '@backprop/gradcheck';

test('ESM build: gradcheck passes a correct op', () => {
  assert.equal(gradcheck((x) => x.sigmoid().sum(), [randn([3], { dtype: 'float64', seed: 1 })]).passed, true);
  assert.equal(typeof GradcheckError.isInstance, 'function');
});
