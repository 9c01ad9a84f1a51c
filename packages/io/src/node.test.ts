import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, ones, randn, type Tensor } from '@backprop/engine';
import { BatchNorm1d, Conv2d, Dense, Flatten, type LayerConfig, MaxPool2d, Module, ReLU, Sequential, Sigmoid } from '@backprop/layers';
import { FileFormatError } from '@backprop/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from './node.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'backprop-io-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const bits = (t: { data: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } }) => [
  ...new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
];

function cnn(): Sequential {
  manualSeed(3);
  const model = new Sequential(
    new Conv2d(1, 2, 3),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dense(8, 4),
    new BatchNorm1d(4),
    new Dense(4, 1),
    new Sigmoid(),
  );
  model.forward(randn([5, 1, 6, 6])); // moves BatchNorm's running statistics off their defaults
  return model;
}

async function expectFormatError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(FileFormatError.isInstance(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('saveModel / loadModel', () => {
  it('round-trips a model bit-exactly, with input shape, preprocessing, metadata and optimizer state', async () => {
    const model = cnn();
    const optimizer = {
      type: 'Adam',
      paramGroups: [{ params: [0, 1], lr: 0.001 }],
      state: { 0: { step: 3, expAvg: model.parameters()[0].value } },
    };
    await saveModel(model, folder, {
      inputShape: [1, 6, 6],
      preprocessing: { type: 'standardize', mean: [0.5], std: [2] },
      metadata: { classes: ['no', 'yes'] },
      optimizer,
    });
    const loaded = await loadModel(folder);
    const original = model.stateDict();
    const again = loaded.model.stateDict();
    expect(Object.keys(again)).toEqual(Object.keys(original));
    for (const name of Object.keys(original)) expect(bits(again[name])).toEqual(bits(original[name]));
    model.eval();
    loaded.model.eval();
    const x = randn([2, 1, 6, 6], { seed: 9 });
    expect(bits(loaded.model.forward(x).value)).toEqual(bits(model.forward(x).value));
    expect(loaded.inputShape).toEqual([1, 6, 6]);
    expect(loaded.preprocessing).toEqual({ type: 'standardize', mean: [0.5], std: [2] });
    expect(loaded.metadata).toEqual({ classes: ['no', 'yes'] });
    expect(loaded.optimizer?.state[0].step).toBe(3);
    expect(bits(loaded.optimizer?.state[0].expAvg as never)).toEqual(bits(model.parameters()[0].value));
    const files = await readdir(folder);
    expect(files.sort()).toEqual(['model.json', expect.stringMatching(/^model-[0-9a-f]{16}\.safetensors$/)].sort());
  });

  it('saving again replaces the model and removes the old weights; a failed save changes nothing', async () => {
    const a = cnn();
    await saveModel(a, folder);
    const before = await readFile(join(folder, 'model.json'), 'utf8');
    class NoConfig extends Module {
      forward(x: Tensor) {
        return x;
      }
    }
    await expect(saveModel(new Sequential(new Dense(2, 2), new NoConfig()), folder)).rejects.toThrow(/cannot be described as JSON/);
    expect(await readFile(join(folder, 'model.json'), 'utf8')).toBe(before);
    const b = new Sequential(new Dense(3, 1));
    await saveModel(b, folder);
    expect((await readdir(folder)).length).toBe(2);
    expect(bits((await loadModel(folder)).model.stateDict()['0.weight'])).toEqual(bits(b.stateDict()['0.weight']));
  });

  it('refuses a folder it could not load back or create, before writing anything', async () => {
    const model = new Sequential(new Dense(2, 1));
    const json = join(folder, 'iris.json');
    await expect(saveModel(model, json)).rejects.toThrow(
      `saveModel: ${JSON.stringify(json)} is not a folder name; a model is saved as a folder (model.json and its weights), e.g. 'models/iris'`,
    );
    const file = join(folder, 'a-file');
    await writeFile(file, 'x');
    await expect(saveModel(model, join(file, 'model'))).rejects.toThrow(
      `${join(file, 'model')}: cannot create the model folder (it, or a folder above it, is a file); nothing was written`,
    );
    await expect(saveModel(model, file)).rejects.toThrow(/cannot create the model folder \(it, or a folder above it, is a file\)/);
    expect(await readFile(file, 'utf8')).toBe('x');
  });

  it('a crash after writing new weights but before committing model.json leaves the old model loadable', async () => {
    const a = cnn();
    await saveModel(a, folder);
    // What a crash mid-save leaves behind: a new weights file and a temporary description.
    await writeFile(join(folder, 'model-0123456789abcdef.safetensors'), new Uint8Array([1, 2, 3]));
    await writeFile(join(folder, '.model.json.tmp-1-abcd'), '{"half": ');
    const loaded = await loadModel(folder);
    expect(bits(loaded.model.stateDict()['0.weight'])).toEqual(bits(a.stateDict()['0.weight']));
  });

  it('custom layers load when registered for the call', async () => {
    class Scale extends Module {
      readonly gain = this.parameter('gain', ones([2]));
      forward(x: Tensor) {
        return x.mul(this.gain);
      }
      override getConfig(): LayerConfig {
        return { type: 'Scale' };
      }
    }
    const model = new Sequential(new Dense(2, 2), new Scale());
    await saveModel(model, folder);
    await expectFormatError(loadModel(folder), /unknown layer type 'Scale'/);
    const loaded = await loadModel(folder, { layers: { Scale: () => new Scale() } });
    expect(loaded.model.parameterCount()).toBe(8);
  });

  it('rejects corrupt, truncated, mismatched and hostile files, naming the file', async () => {
    await saveModel(cnn(), folder);
    const descriptionPath = join(folder, 'model.json');
    const description = JSON.parse(await readFile(descriptionPath, 'utf8'));
    const weightsPath = join(folder, description.weights.file);
    const weights = await readFile(weightsPath);
    const write = (json: unknown) => writeFile(descriptionPath, JSON.stringify(json));

    await writeFile(weightsPath, weights.subarray(0, weights.length - 10));
    await expectFormatError(loadModel(folder), /model-[0-9a-f]+\.safetensors: the weights are corrupt \(SHA-256 differs/);
    await writeFile(weightsPath, weights);

    await writeFile(descriptionPath, '{"format": "backprop.model",\n  "formatVersion": 1,\n  oops }');
    await expectFormatError(loadModel(folder), /model\.json: invalid JSON: .* at line 3, column 3/);
    await write({ ...description, formatVersion: 7 });
    await expectFormatError(loadModel(folder), /format version 7, newer than this library reads \(1\)/);
    await write({ ...description, weights: { ...description.weights, file: '../../etc/passwd' } });
    await expectFormatError(loadModel(folder), /'weights.file' must be a plain file name/);

    const { sha256: _, ...unchecked } = description.weights;
    const tensors = { ...description.weights.tensors };
    delete tensors['4.bias'];
    await write({ ...description, weights: { ...unchecked, tensors } });
    await expectFormatError(loadModel(folder), /does not match .*model\.json: unexpected tensors 4\.bias/);

    const model = structuredClone(description.model);
    model.layers[4].outFeatures = 5;
    await write({ ...description, model });
    await expectFormatError(
      loadModel(folder),
      /does not fit the model described in .*: '4\.weight' is \[8, 4\] in the file, \[8, 5\] in the model; '4\.bias' is \[4\] in the file, \[5\] in the model/,
    );

    model.layers.splice(6, 2); // drop the last Dense and its Sigmoid
    model.layers[4].outFeatures = 4;
    await write({ ...description, model });
    await expectFormatError(loadModel(folder), /does not fit the model described in .*: unexpected tensors 6\.weight, 6\.bias/);

    await expectFormatError(loadModel(join(folder, 'nothing-here')), /no such model folder/);
  });
});
