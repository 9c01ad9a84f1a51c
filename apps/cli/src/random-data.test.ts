import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzSettings } from '@backprop/engine/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './test-util.js';

// Random CSV files — ragged rows, empty cells, quoted fields with commas and quotes, NaN and
// Infinity, words in number columns, a byte-order mark, CRLF line ends — and random flags: every
// `backprop train` run either trains (exit 0, a model that `evaluate` reads back) or refuses with
// exit 2 and a one-line message, with no stack trace and no model folder left behind.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backprop-cli-fuzz-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A cell of a column of its kind: integers, decimals or words. */
const cellOf = (kind: number) =>
  [
    fc.integer({ min: -20, max: 20 }).map(String),
    fc.double({ min: -100, max: 100, noNaN: true }).map((v) => v.toPrecision(4)),
    fc.constantFrom('red', 'blue', 'green', 'yes', 'no', '"dark, red"', '"say ""hi"""', 'é'),
  ][kind % 3];
/** What a hand-made or exported file gets wrong. */
const badCell = fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e3', ' 3 ', '"a,b"', 'abc', '0x10', '1,5', '"', 'a"b');

const csvArb = fc
  .record({
    columns: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'y', 'label', 'colour', '"x, y"'), { minLength: 1, maxLength: 4 }),
    kinds: fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }),
    rows: fc.nat(25),
    // At most one thing wrong in a file: a bad cell, a ragged row, an empty or duplicate column name.
    flaw: fc.option(fc.tuple(fc.nat(2), fc.nat(1000), badCell), { nil: undefined, freq: 2 }),
    bom: fc.boolean(),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
  })
  .chain(({ columns, kinds, rows, flaw, ...format }) =>
    fc.array(fc.tuple(...columns.map((_, c) => cellOf(kinds[c]))), { minLength: rows, maxLength: rows }).map((body) => {
      const lines: string[][] = [[...columns], ...body.map((r) => [...r])];
      if (flaw !== undefined) {
        const [what, where, bad] = flaw;
        const row = lines[1 + (where % Math.max(lines.length - 1, 1))];
        if (what === 0 && row !== undefined) row[where % row.length] = bad;
        else if (what === 1 && row !== undefined) row.push(bad);
        else lines[0][where % lines[0].length] = ['', lines[0][0]][where % 2];
      }
      const eol = format.crlf ? '\r\n' : '\n';
      return `${format.bom ? '\uFEFF' : ''}${lines.map((r) => r.join(',')).join(eol)}${format.finalNewline ? eol : ''}`;
    }),
  );

/** A JSON array of records of the same columns; at most one flaw (a strange value, a missing or extra field, not an array of objects). */
const jsonArb = fc
  .record({
    columns: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'y', 'label', 'colour', 'x, y'), { minLength: 1, maxLength: 4 }),
    kinds: fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }),
    rows: fc.nat(25),
    flaw: fc.option(fc.tuple(fc.nat(3), fc.nat(1000), fc.constantFrom<unknown>(null, true, {}, [1], 'NaN', '', 1e308, -0)), {
      nil: undefined,
      freq: 2,
    }),
  })
  .chain(({ columns, kinds, rows, flaw }) =>
    fc.array(fc.tuple(...columns.map((_, c) => cellOf(kinds[c]))), { minLength: rows, maxLength: rows }).map((body) => {
      const records: unknown[] = body.map((r) =>
        Object.fromEntries(r.map((v, c) => [columns[c], kinds[c] % 3 === 2 ? v.replace(/^"|"$/g, '') : Number(v)])),
      );
      if (flaw !== undefined) {
        const [what, where, value] = flaw;
        const record = records[where % Math.max(records.length, 1)] as Record<string, unknown> | undefined;
        if (what === 0 && record) record[columns[where % columns.length]] = value;
        else if (what === 1 && record) delete record[columns[where % columns.length]];
        else if (what === 2 && record) record.extra = value;
        else return JSON.stringify(where % 2 === 0 ? { records } : [...records, value]);
      }
      return JSON.stringify(records, null, indentation(body.length));
    }),
  );
/** Indentation: compact or pretty (so that errors' line numbers are exercised both ways). */
const indentation = (n: number) => (n % 2 === 0 ? undefined : 2);

const flagsArb = fc.record({
  target: fc.option(fc.constantFrom('a', 'y', 'label', 'colour', 'zzz'), { nil: undefined }),
  loss: fc.option(fc.constantFrom('cross-entropy', 'mse', 'bce-with-logits', 'hinge', 'huber', 'mae', 'smooth-l1', 'half-squared-error'), {
    nil: undefined,
  }),
  layers: fc.option(fc.constantFrom('3', '2,2'), { nil: undefined }),
  batchSize: fc.integer({ min: 1, max: 8 }),
  validationSplit: fc.option(fc.constantFrom('0.2', '0.5'), { nil: undefined }),
});

describe('backprop train on random CSV and JSON files', () => {
  it('trains or refuses with exit 2 and a one-line message; nothing half-written', async () => {
    let attempt = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csvArb.map((text) => ['csv', text] as const),
          jsonArb.map((text) => ['json', text] as const),
        ),
        flagsArb,
        fc.oneof(
          csvArb.map((text) => ['csv', text] as const),
          jsonArb.map((text) => ['json', text] as const),
        ),
        async ([format, csv], flags, [otherFormat, other]) => {
          attempt++;
          const data = join(dir, `data-${attempt}.${format}`);
          const out = join(dir, `model-${attempt}`);
          writeFileSync(data, csv);
          const args = ['train', '--data', data, '--out', out, '--epochs', '1', '--batch-size', String(flags.batchSize)];
          if (flags.target !== undefined) args.push('--target', flags.target);
          if (flags.loss !== undefined) args.push('--loss', flags.loss);
          if (flags.layers !== undefined) args.push('--layers', flags.layers);
          if (flags.validationSplit !== undefined) args.push('--validation-split', flags.validationSplit);
          const result = await cli(args);
          const context = `${JSON.stringify(csv)} ${args.slice(4).join(' ')}\n${result.err}`;
          expect(result.err, context).not.toMatch(/\n\s+at /);
          if (result.code === 0) {
            expect(existsSync(join(out, 'model.json')), context).toBe(true);
            const again = await cli(['evaluate', '--model', out, '--data', data]);
            expect(again.code, `${context}\nevaluate: ${again.err}`).toBe(0);
            // The gradient check on made-up inputs and on the training file: it runs (0, or 1 if a kink of
            // ReLU or of the loss lies within a finite-difference step), whatever the loss and target.
            for (const extra of [[], ['--data', data]]) {
              const checked = await cli(['gradcheck', '--model', out, ...extra]);
              const where = `${context}\ngradcheck ${extra.join(' ')}: ${checked.err}`;
              expect([0, 1], where).toContain(checked.code);
              expect(checked.err, where).toBe('');
            }
            // Another file for the same model: its columns or categories may not fit; never an internal error.
            const otherData = join(dir, `other-${attempt}.${otherFormat}`);
            writeFileSync(otherData, other);
            for (const command of ['evaluate', 'predict']) {
              const r = await cli([command, '--model', out, '--data', otherData]);
              const where = `${context}\n${command} on ${JSON.stringify(other)}: ${r.err}`;
              expect([0, 2], where).toContain(r.code);
              expect(r.err, where).not.toMatch(/internal error|\n\s+at /);
            }
          } else {
            // 2: bad input; 1: training failed (a loss that overflowed on extreme values).
            expect(result.code === 2 || (result.code === 1 && /the loss became/.test(result.err)), context).toBe(true);
            expect(result.err.trim().split('\n').length, context).toBeLessThanOrEqual(2);
            expect(result.err, context).toMatch(/^backprop: /);
            expect(existsSync(out), context).toBe(false);
          }
        },
      ),
      fuzzSettings(150),
    );
  }, 120_000);
});
