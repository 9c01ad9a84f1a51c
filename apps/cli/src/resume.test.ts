import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzSettings } from '@backprop/engine/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './test-util.js';

// `train --resume` continues a run exactly: for random data, layers, losses, optimizers, batch sizes,
// splits and seeds, eager or compiled, training a + b epochs in one run and training a epochs, then
// resuming for b more, must give the same history and the same weights, bit for bit.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backprop-cli-resume-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CSV of `rows` rows: two numbers, a category and a target the loss can take. */
function dataFile(name: string, rows: number, target: 'classes' | 'two' | 'number', seed: number): string {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const lines = ['a,b,colour,y'];
  for (let i = 0; i < rows; i++) {
    const [a, b] = [next() * 4 - 2, next() * 2];
    const colour = ['red', 'blue', 'green'][i % 3];
    const y = target === 'number' ? (a - b + (i % 3)).toFixed(3) : target === 'two' ? ['no', 'yes'][+(a > 0)] : ['p', 'q', 'r'][i % 3];
    lines.push(`${a.toFixed(3)},${b.toFixed(3)},${colour},${y}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const losses = { classes: ['cross-entropy'], two: ['bce-with-logits', 'hinge'], number: ['mse', 'mae', 'huber', 'smooth-l1'] } as const;

const runArb = fc
  .record({
    target: fc.constantFrom('classes', 'two', 'number') as fc.Arbitrary<keyof typeof losses>,
    lossPick: fc.nat(3),
    rows: fc.integer({ min: 8, max: 40 }),
    layers: fc.constantFrom('', '3', '4,3'),
    activation: fc.constantFrom('relu', 'tanh', 'sigmoid', 'gelu'),
    optimizer: fc.constantFrom('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'),
    batchSize: fc.integer({ min: 1, max: 16 }),
    validationSplit: fc.constantFrom('0', '0.25'),
    seed: fc.nat(50),
    scale: fc.constantFrom('standardize', 'minmax', 'none'),
    compile: fc.boolean(),
    first: fc.integer({ min: 1, max: 3 }),
    more: fc.integer({ min: 1, max: 3 }),
  })
  .map((r) => ({ ...r, loss: losses[r.target][r.lossPick % losses[r.target].length] }));

describe('train --resume', () => {
  it('continues a run bit for bit: a + b epochs equal a epochs, then b more resumed', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(runArb, async (r) => {
        n++;
        const data = dataFile(`data-${n}.csv`, r.rows, r.target, r.seed + 1);
        const flags = [
          ...['--data', data, '--layers', r.layers, '--activation', r.activation, '--loss', r.loss, '--optimizer', r.optimizer],
          ...['--batch-size', String(r.batchSize), '--validation-split', r.validationSplit, '--seed', String(r.seed), '--scale', r.scale],
          ...(r.compile ? ['--compile'] : []),
          '--json',
        ];
        const [whole, part] = [join(dir, `whole-${n}`), join(dir, `part-${n}`)];
        const context = JSON.stringify(r);
        const full = await cli(['train', ...flags, '--epochs', String(r.first + r.more), '--out', whole]);
        if (full.code !== 0) {
          // A split that leaves no row to train on, say: refused the same way both times.
          expect(full.err.trim().split('\n').length, context).toBe(1);
          expect((await cli(['train', ...flags, '--epochs', String(r.first), '--out', part])).err, context).toBe(full.err);
          return;
        }
        const first = await cli(['train', ...flags, '--epochs', String(r.first), '--out', part]);
        const rest = await cli([
          'train',
          '--data',
          data,
          '--resume',
          part,
          '--epochs',
          String(r.more),
          '--json',
          ...(r.compile ? ['--compile'] : []),
        ]);
        expect([first.code, rest.code, rest.err], context).toEqual([0, 0, '']);
        // Every epoch's figures but its duration.
        const timeless = (epochs: Record<string, unknown>[]) => epochs.map(({ ms: _, ...figures }) => figures);
        const history = (out: string) => timeless(JSON.parse(out).history);
        expect([...history(first.out), ...history(rest.out)], context).toEqual(history(full.out));
        const weights = (model: string) => readFileSync(join(model, readdirSync(model).find((f) => f.endsWith('.safetensors')) as string));
        expect(weights(part).equals(weights(whole)), context).toBe(true);
        const meta = (model: string) => {
          const { history: epochs, ...rest } = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).metadata;
          return { ...rest, history: timeless(epochs) };
        };
        expect(meta(part), context).toEqual(meta(whole));
      }),
      fuzzSettings(8),
    );
  }, 120_000);
});
