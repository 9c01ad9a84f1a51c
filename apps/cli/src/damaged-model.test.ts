import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { damageJson, damagingValues, fuzzSettings } from '@backprop/engine/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './test-util.js';

// A saved model folder whose model.json was edited by hand (or by a broken tool): a value
// replaced, a key deleted, the text cut short. Every command that reads it must either work or
// end with a one-line message (exit 2, or 1 for a training failure) — never an internal error
// or a stack trace — and a failed `train --resume` must leave the folder as it was.

let dir: string;
/** Trained models to damage: a regression on XOR (Adam) and a classifier of iris (SGD, min-max scaling). */
const bases = [
  { data: 'builtin:xor', input: '1,0', target: '1', flags: ['--layers', '3', '--batch-size', '2'] },
  { data: 'builtin:iris', input: '5.1,3.5,1.4,0.2', target: 'setosa', flags: ['--layers', '4', '--optimizer', 'sgd', '--scale', 'minmax'] },
];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backprop-cli-damaged-'));
  for (const [i, base] of bases.entries()) {
    const trained = await cli(['train', '--data', base.data, ...base.flags, '--epochs', '2', '--out', join(dir, `base-${i}`)]);
    expect(trained.code, trained.err).toBe(0);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const commands = (model: string, base: (typeof bases)[number]): string[][] => [
  ['summary', '--model', model],
  ['evaluate', '--model', model, '--data', base.data],
  ['predict', '--model', model, '--data', base.data],
  ['explain', '--model', model, '--input', base.input, '--target', base.target],
  ['gradcheck', '--model', model, '--data', base.data, '--samples', '2'],
  ['train', '--data', base.data, '--resume', model, '--epochs', '1'],
];

const snapshot = (folder: string) =>
  readdirSync(folder)
    .sort()
    .map((name) => [name, readFileSync(join(folder, name)).toString('base64')]);

describe('a damaged model.json', () => {
  it('every command works or ends with a one-line message; a failed resume changes nothing', async () => {
    let attempt = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, 'relu', undefined)), { minLength: 1, maxLength: 3 }),
        fc.option(fc.nat(10_000), { nil: undefined, freq: 8 }),
        fc.nat(bases.length - 1),
        async (edits, cut, which) => {
          attempt++;
          const model = join(dir, `model-${attempt}`);
          cpSync(join(dir, `base-${which}`), model, { recursive: true });
          const file = join(model, 'model.json');
          const { value: json, changed } = damageJson(JSON.parse(readFileSync(file, 'utf8')), edits);
          const text = JSON.stringify(json, null, 2);
          writeFileSync(file, cut === undefined ? text : text.slice(0, cut % text.length));
          for (const args of commands(model, bases[which])) {
            const before = snapshot(model);
            const result = await cli(args);
            const context = `${args[0]} after ${changed.join(', ')}${cut === undefined ? '' : ` cut at ${cut}`} (exit ${result.code}): ${result.err}`;
            expect(result.err, context).not.toMatch(/internal error|\n\s+at /);
            expect([0, 1, 2], context).toContain(result.code);
            if (result.code !== 0) {
              expect(result.err.trim().split('\n').length, context).toBeLessThanOrEqual(2);
              if (args[0] === 'train') expect(snapshot(model), context).toEqual(before);
            }
          }
        },
      ),
      fuzzSettings(60),
    );
  }, 120_000);
});

/** The parts of a model.json the examples change. */
interface Description {
  metadata: { schema: { features: { kind: unknown }[] }; history: unknown };
  preprocessing: { mean: number[]; std: number[] };
  optimizer: { scalars: Record<string, Record<string, unknown>> };
}

describe('a damaged model.json, by example', () => {
  let examples = 0;
  const damage = (edit: (json: Description) => void) => {
    const model = join(dir, `example-${++examples}`);
    cpSync(join(dir, 'base-0'), model, { recursive: true });
    const file = join(model, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    edit(json);
    writeFileSync(file, JSON.stringify(json));
    return model;
  };

  it('names the metadata entry that is wrong', async () => {
    const model = damage((json) => (json.metadata.schema.features[0].kind = null));
    const result = await cli(['evaluate', '--model', model, '--data', 'builtin:xor']);
    expect(result.code).toBe(2);
    expect(result.err.trim()).toBe(
      `backprop: ${join(model, 'model.json')}: 'metadata.schema.features[0].kind' must be 'numeric' or 'categorical', got null`,
    );
    const history = damage((json) => (json.metadata.history = 2));
    const resumed = await cli(['train', '--data', 'builtin:xor', '--resume', history, '--epochs', '1']);
    expect(resumed.code).toBe(2);
    expect(resumed.err.trim()).toBe(`backprop: ${join(history, 'model.json')}: 'metadata.history' must be a list of epochs, got 2`);
    const narrow = damage((json) => {
      json.preprocessing.mean.pop();
      json.preprocessing.std.pop();
    });
    const predicted = await cli(['predict', '--model', narrow, '--data', 'builtin:xor']);
    expect(predicted.code).toBe(2);
    expect(predicted.err.trim()).toBe(
      `backprop: ${join(narrow, 'model.json')}: 'preprocessing' scales 1 feature, but 'metadata.schema' encodes 2`,
    );
  });

  it('refuses to resume from an optimizer state that does not fit, before training', async () => {
    const model = damage((json) => delete json.optimizer.scalars[0].step);
    const before = snapshot(model);
    const result = await cli(['train', '--data', 'builtin:xor', '--resume', model, '--epochs', '1']);
    expect(result.code).toBe(2);
    expect(result.err.trim()).toBe(
      `backprop: --resume ${model}: the optimizer state in model.json does not fit the model: Adam.loadStateDict: the state of parameter 0 lacks 'step'`,
    );
    expect(snapshot(model)).toEqual(before);
  });
});
