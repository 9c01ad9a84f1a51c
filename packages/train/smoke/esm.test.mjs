import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualSeed } from '@backprop/engine';
import { Dense, Sequential, Sigmoid } from '@backprop/layers';
import { dataset, fit, predict } from '@backprop/train';

test('ESM build: fit and predict', () => {
  manualSeed(1);
  const model = new Sequential(new Dense(2, 1), new Sigmoid());
  const data = dataset(
    [
      [0, 0],
      [1, 1],
    ],
    [[0], [1]],
  );
  const history = fit(model, data, { epochs: 50, loss: 'halfSquaredError', optimizer: { type: 'sgd', lr: 1 } });
  assert.ok(history.epochs[49].loss < history.epochs[0].loss);
  assert.deepEqual(predict(model, data.x).shape, [2, 1]);
});
