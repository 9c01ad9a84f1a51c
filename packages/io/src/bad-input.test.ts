import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackpropError } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { Dense, ReLU, Sequential } from '@backprop/layers';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import * as node from './node.js';

describe('io: bad input never escapes as a bare TypeError', () => {
  it('every in-memory function, called with garbage', () => {
    expect(garbageCalls(api, { leads: [new Dense(2, 2), new Uint8Array(16)] })).toEqual([]);
  });
});

describe('io/node: bad arguments are refused with a backprop error, not a bare TypeError', () => {
  it('saveModel, loadModel and writeFileAtomic, called with garbage (awaited)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'backprop-io-garbage-'));
    try {
      const garbage: unknown[] = [undefined, null, Number.NaN, -1, 'x.json', '', {}, [], true, () => 0];
      const calls: [string, () => Promise<unknown>][] = [];
      for (const a of garbage) {
        calls.push([`saveModel(${String(a)})`, () => node.saveModel(a as never, join(folder, 'm'))]);
        calls.push([`saveModel(model, ${String(a)})`, () => node.saveModel(new Dense(2, 2), a as never)]);
        calls.push([`saveModel(model, folder, ${String(a)})`, () => node.saveModel(new Dense(2, 2), join(folder, 'n'), a as never)]);
        calls.push([`loadModel(${String(a)})`, () => node.loadModel(a as never)]);
        // (A string is a path: written relative to the working folder, so only the non-strings here.)
        if (typeof a !== 'string') calls.push([`writeFileAtomic(${String(a)})`, () => node.writeFileAtomic(a as never, 'text')]);
        calls.push([`writeFileAtomic(path, ${String(a)})`, () => node.writeFileAtomic(join(folder, 'f.txt'), a as never)]);
      }
      // The empty path is refused before anything is written (it wrote a temporary file into the working folder).
      calls.push(["writeFileAtomic('')", () => node.writeFileAtomic('', 'text')]);
      const escaped: string[] = [];
      for (const [name, call] of calls) {
        try {
          await call();
        } catch (error) {
          if (!BackpropError.isInstance(error)) escaped.push(`${name}: ${error}`);
        }
      }
      expect(escaped).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('misspelt save and load options', () => {
  it('are refused by name, before anything is written', async () => {
    const model = new Dense(2, 1);
    expect(() => api.serializeModel(model, { input_shape: [2] } as never)).toThrow(
      "serializeModel: unknown option 'input_shape' (did you mean 'inputShape'?)",
    );
    const { description, weights } = api.serializeModel(model, { inputShape: [2] });
    expect(() => api.deserializeModel(description, weights, { fil: 'x.json' } as never)).toThrow(
      "deserializeModel: unknown option 'fil' (did you mean 'file'?)",
    );
    const dir = await mkdtemp(join(tmpdir(), 'backprop-io-options-'));
    try {
      const folder = join(dir, 'model');
      await expect(node.saveModel(model, folder, { metdata: {} } as never)).rejects.toThrow(
        "saveModel: unknown option 'metdata' (did you mean 'metadata'?)",
      );
      await expect(node.loadModel(folder)).rejects.toThrow(BackpropError);
      await node.saveModel(model, folder, { metadata: { note: 1 } });
      await expect(node.loadModel(folder, { layer: {} } as never)).rejects.toThrow(
        "loadModel: unknown option 'layer' (did you mean 'layers'?)",
      );
      expect((await node.loadModel(folder)).metadata).toEqual({ note: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a model whose layers share weights', () => {
  it('is refused before anything is written, naming both paths (its file could not be loaded back)', async () => {
    const shared = new Dense(3, 3);
    const model = new Sequential(shared, new ReLU(), shared);
    expect(() => api.serializeModel(model)).toThrow(
      "serializeModel: '2.weight' is the same tensor as '0.weight' (a layer used twice, or tied weights); a model file describes each layer with weights of its own, so it could not be loaded back",
    );
    const dir = await mkdtemp(join(tmpdir(), 'backprop-io-shared-'));
    try {
      await expect(node.saveModel(model, join(dir, 'model'))).rejects.toThrow("'2.weight' is the same tensor as '0.weight'");
      expect(await readdir(dir)).toEqual([]);
      // The same layers, each used once, save.
      expect(() => api.serializeModel(new Sequential(new Dense(3, 3), new ReLU(), new Dense(3, 3)))).not.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
