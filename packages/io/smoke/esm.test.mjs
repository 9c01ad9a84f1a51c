import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tensor } from '@backprop/engine';
import { decodeSafetensors, serializeModel } from '@backprop/io';
import { loadModel, saveModel } from '@backprop/io/node';
import { Dense, Sequential } from '@backprop/layers';

test('ESM build: serialize in memory and save/load on disk', async () => {
  const model = new Sequential(new Dense(2, 3));
  const { weights } = serializeModel(model);
  assert.deepEqual(Object.keys(decodeSafetensors(weights).tensors), ['0.weight', '0.bias']);
  const folder = await mkdtemp(join(tmpdir(), 'io-smoke-'));
  try {
    await saveModel(model, folder);
    const { model: again } = await loadModel(folder);
    const x = tensor([[1, 2]]);
    assert.deepEqual([...again.forward(x).value.data], [...model.forward(x).value.data]);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
