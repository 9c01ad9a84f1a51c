import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './test-util.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backprop-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const flowers = () =>
  file(
    'flowers.csv',
    [
      'petal,"colour, main",size,kind',
      ...Array.from({ length: 60 }, (_, i) => {
        const kind = i % 3;
        return `${(kind * 2 + (i % 7) / 10).toFixed(2)},"${['red', 'blue', 'white'][kind]}",${(1 + kind + (i % 5) / 10).toFixed(2)},${['rose', 'iris', 'lily'][kind]}`;
      }),
    ].join('\n'),
  );

describe('backprop train / evaluate / predict / summary / gradcheck', () => {
  it('trains on a CSV with quoted fields, a categorical feature and a categorical target, then evaluates and predicts', async () => {
    const data = flowers();
    const model = join(dir, 'flowers');
    const trained = await cli([
      'train',
      '--data',
      data,
      '--target',
      'kind',
      '--layers',
      '8',
      '--activation',
      'tanh',
      '--lr',
      '0.05',
      '--epochs',
      '30',
      '--batch-size',
      '8',
      '--out',
      model,
    ]);
    expect(trained.err).not.toContain('Error');
    expect(trained.code).toBe(0);
    expect(trained.out).toMatch(/trained 30 epochs/);
    expect(trained.out).toContain('loss per epoch');
    const evaluated = await cli(['evaluate', '--model', model, '--data', data, '--json']);
    const metrics = JSON.parse(evaluated.out);
    expect(metrics.accuracy).toBeGreaterThan(0.9);
    expect(metrics.classes).toEqual(['rose', 'iris', 'lily']);
    expect(metrics.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(60);
    const preds = join(dir, 'preds.csv');
    const predicted = await cli(['predict', '--model', model, '--data', data, '--out', preds]);
    expect(predicted.code).toBe(0);
    const lines = readFileSync(preds, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('prediction,p_rose,p_iris,p_lily');
    expect(lines.length).toBe(61);
    // New data with the categorical cell left empty: refused with its place, not an 'unknown category'.
    const gap = file('flowers-gap.csv', 'petal,"colour, main",size\n0.1,red,1.2\n2.3,,2.1\n');
    const refused = await cli(['predict', '--model', model, '--data', gap]);
    expect(refused.code).toBe(2);
    expect(refused.err.trim()).toMatch(/flowers-gap\.csv:3:2: empty cell in categorical column 'colour, main'/);
    expect(refused.out).toBe('');
    // explain takes a row as its columns are written (categories by name), or already encoded.
    const categories = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).metadata.schema.features[1].categories as string[];
    const oneHot = categories.map((c) => (c === 'blue' ? 1 : 0));
    const byColumn = await cli(['explain', '--model', model, '--input', '2.1,blue,2.3', '--target', 'iris', '--json']);
    const byValue = await cli(['explain', '--model', model, '--input', ['2.1', ...oneHot, '2.3'].join(','), '--target', 'iris', '--json']);
    expect([byColumn.code, byValue.code]).toEqual([0, 0]);
    expect(JSON.parse(byColumn.out)).toEqual(JSON.parse(byValue.out));
    expect((await cli(['explain', '--model', model, '--input', '2.1,blue,2.3', '--target', 'iris'])).out).toContain(
      `(the columns (2.1, blue, 2.3) are encoded as (${['2.1', ...oneHot, '2.3'].join(', ')}))`,
    );
    const unknown = await cli(['explain', '--model', model, '--input', '2.1,green,2.3', '--target', 'iris']);
    expect([unknown.code, unknown.err.trim()]).toEqual([
      2,
      `backprop: --input: item 2, 'green', is not a category of column 'colour, main' (known: ${categories.join(', ')})`,
    ]);
    const summary = await cli(['summary', '--model', model]);
    expect(summary.out).toContain('(3 classes: rose, iris, lily)');
    expect(summary.out).toMatch(/Total parameters: \d+/);
    const summaryJson = JSON.parse((await cli(['summary', '--model', model, '--json'])).out);
    expect(summaryJson.layers.map((l: { path: string; outputShape: number[] }) => [l.path, l.outputShape])).toEqual([
      ['', [1, 3]],
      ['0', [1, 8]],
      ['1', [1, 8]],
      ['2', [1, 3]],
    ]);
    // Every layer with its output shape for one row (5 input values: 2 numbers, 3 colours).
    expect(summary.out).toMatch(/0 \(Dense\)\s+\[1, 8\]\s+48\n\s+1 \(Tanh\)\s+\[1, 8\]\s+0\n\s+2 \(Dense\)\s+\[1, 3\]\s+27/);
  });

  /** The flags of a small XOR training run (2-4-1 tanh, full batch). */
  const xorTraining = (epochs: number, activation = 'tanh') => [
    ...['--data', 'builtin:xor', '--layers', '4', '--activation', activation],
    ...['--lr', '0.05', '--epochs', String(epochs), '--batch-size', '4', '--scale', 'none'],
  ];

  // tanh with the default loss; gelu, elu and leakyRelu with huber, smooth L1 and mae (gelu, elu,
  // leakyRelu, huber and smooth L1 could not be compiled before). Not hinge here: on XOR's symmetric targets its
  // gradient is 0 up to rounding noise, which Adam scales up to full steps, so the two loops
  // follow their own noise.
  for (const [activation, loss] of [
    ['tanh', null],
    ['gelu', 'huber'],
    ['elu', 'smooth-l1'],
    ['leakyRelu', 'mae'],
  ] as const) {
    it(`--compile trains the same model as the eager loop, to float32 rounding (${activation}, ${loss ?? 'default loss'})`, async () => {
      const run = async (name: string, extra: string[]) => {
        const flags = [...xorTraining(50, activation), ...(loss === null ? [] : ['--loss', loss])];
        const result = await cli(['train', ...flags, '--out', join(dir, `${name}-${activation}`), '--json', ...extra]);
        expect(result.code, result.err).toBe(0);
        return (JSON.parse(result.out).history as { loss: number }[]).map((e) => e.loss);
      };
      const eager = await run('xor-eager', []);
      const compiled = await run('xor-compiled', ['--compile']);
      expect(compiled.length).toBe(50);
      for (let i = 0; i < eager.length; i++) expect(Math.abs(compiled[i] - eager[i])).toBeLessThan(1e-5 * Math.max(1, eager[i]));
      expect(compiled.at(-1)).toBeLessThan(compiled[0]);
    });
  }

  it('trains on builtin:xor, explains a step and passes the gradient check (and fails it at zero tolerance)', async () => {
    const model = join(dir, 'xor');
    expect((await cli(['train', ...xorTraining(200), '--out', model])).code).toBe(0);
    const explained = await cli(['explain', '--model', model, '--input', '1,0', '--target', '1', '--lr', '0.5']);
    expect(explained.code).toBe(0);
    expect(explained.out).toContain('FORWARD PASS');
    expect(explained.out).toContain('BACKWARD PASS');
    expect(explained.out).toContain('SGD STEP (learning rate 0.5)');
    const checked = await cli(['gradcheck', '--model', model, '--data', 'builtin:xor']);
    expect(checked.code).toBe(0);
    expect(checked.out).toMatch(/0\.weight\s+\[2, 4\]/);
    const strict = await cli(['gradcheck', '--model', model, '--atol', '1e-300', '--rtol', '1e-300']);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain('FAIL');
  });

  it('--resume continues from the saved model and optimizer state; an abort stops cleanly, saves, and exits 130', async () => {
    const model = join(dir, 'iris');
    expect(
      (await cli(['train', '--data', 'builtin:iris', '--layers', '16', '--lr', '0.01', '--epochs', '5', '--out', model, '--json'])).code,
    ).toBe(0);
    const resumed = await cli(['train', '--data', 'builtin:iris', '--resume', model, '--epochs', '5', '--json']);
    expect(resumed.code).toBe(0);
    const history = JSON.parse(resumed.out).history;
    expect(history[0].epoch).toBe(6);
    const meta = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).metadata;
    expect(meta.history.length).toBe(10);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const big = join(dir, 'interrupted');
    const stopped = await cli(
      ['train', '--data', 'builtin:iris', '--layers', '64,64', '--epochs', '100000', '--batch-size', '1', '--out', big],
      controller.signal,
    );
    expect(stopped.code).toBe(130);
    expect(stopped.err).toContain('interrupted: training stopped cleanly after the current batch');
    expect(existsSync(join(big, 'model.json'))).toBe(true);
    expect((await cli(['summary', '--model', big])).code).toBe(0);
  });

  it('--validation-split: the scaler is fitted on the training rows alone, and the held-out rows are exactly the rest', async () => {
    // Feature a is a distinct power of two in each row, so the mean the scaler saves names the rows it saw.
    const rows = Array.from({ length: 12 }, (_, i) => [2 ** i, ((i * 7) % 5) / 4, i % 2]);
    const csv = (picked: number[][]) => `a,b,y\n${picked.map((r) => r.join(',')).join('\n')}\n`;
    const model = join(dir, 'held-out');
    const trained = await cli([
      'train',
      '--data',
      file('powers.csv', csv(rows)),
      '--validation-split',
      '0.25',
      '--epochs',
      '2',
      '--out',
      model,
      '--json',
    ]);
    expect(trained.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
    const sum = Math.round(saved.preprocessing.mean[0] * 9);
    const seen = rows.filter((_, i) => (sum >> i) & 1);
    expect(seen).toHaveLength(9);
    expect(saved.preprocessing.mean[0] * 9).toBeCloseTo(sum, 9);
    // The model's loss on the other three rows, evaluated afresh, is the last epoch's validation loss.
    const held = rows.filter((_, i) => !((sum >> i) & 1));
    const evaluated = await cli(['evaluate', '--model', model, '--data', file('held.csv', csv(held)), '--json']);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out).loss).toBe(JSON.parse(trained.out).final.valLoss);
    expect(JSON.parse(trained.out).final.valLoss).toBeDefined();
  });

  it('predict writes class names holding commas, quotes or line breaks as valid CSV, in the header too', async () => {
    const classes = ['x, y', 'say "hi"', 'two\nlines'];
    const quoted = (c: string) => `"${c.replace(/"/g, '""')}"`;
    const rows = Array.from({ length: 12 }, (_, i) => `${i % 3},${(i * 5) % 7},${quoted(classes[i % 3])}`);
    const data = file('quoted-classes.csv', `a,b,label\n${rows.join('\n')}\n`);
    const model = join(dir, 'quoted-classes');
    expect((await cli(['train', '--data', data, '--epochs', '2', '--out', model])).code).toBe(0);
    const predicted = await cli(['predict', '--model', model, '--data', data]);
    expect(predicted.code, predicted.err).toBe(0);
    const table = parse(predicted.out) as string[][];
    const known = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')).metadata.schema.target.classes as string[];
    expect([...known].sort()).toEqual([...classes].sort());
    expect(table[0]).toEqual(['prediction', ...known.map((c) => `p_${c}`)]);
    expect(table).toHaveLength(13);
    for (const row of table.slice(1)) {
      expect(known).toContain(row[0]);
      expect(row.slice(1).reduce((sum, p) => sum + Number(p), 0)).toBeCloseTo(1, 5);
    }
    // Text output quotes such names, so a list reads as three and the confusion matrix keeps one line per class.
    const shown = known.map((c) => JSON.stringify(c)).join(', ');
    expect((await cli(['summary', '--model', model])).out).toContain(`(3 classes: ${shown})`);
    const evaluated = (await cli(['evaluate', '--model', model, '--data', data])).out;
    const matrix = evaluated.slice(evaluated.indexOf('confusion matrix')).trim().split('\n').slice(1);
    expect(matrix).toHaveLength(4);
    known.forEach((c, i) => expect(matrix[i + 1].startsWith(JSON.stringify(c))).toBe(true));
  });

  it('--resume continues the saved run exactly (split, seed, batch size): 3 + 3 epochs give the bits of 6; a flag that contradicts the saved run is refused', async () => {
    const run = ['--data', 'builtin:iris', '--layers', '8', '--validation-split', '0.2', '--seed', '3', '--batch-size', '16', '--json'];
    const whole = join(dir, 'whole');
    const split = join(dir, 'split');
    const full = await cli(['train', ...run, '--epochs', '6', '--out', whole]);
    const first = await cli(['train', ...run, '--epochs', '3', '--out', split]);
    const rest = await cli(['train', '--data', 'builtin:iris', '--resume', split, '--epochs', '3', '--json']);
    expect([full.code, first.code, rest.code]).toEqual([0, 0, 0]);
    const epochs = (out: string) => JSON.parse(out).history.map((e: { loss: number; valLoss: number }) => [e.loss, e.valLoss]);
    const resumed = [...epochs(first.out), ...epochs(rest.out)];
    expect(resumed.every(([, valLoss]) => typeof valLoss === 'number')).toBe(true);
    expect(resumed).toEqual(epochs(full.out));
    const weights = (model: string) => readFileSync(join(model, readdirSync(model).find((f) => f.endsWith('.safetensors')) as string));
    expect(weights(split).equals(weights(whole))).toBe(true);
    for (const [flag, value, message] of [
      ['--validation-split', '0.3', 'was trained with --validation-split 0.2; a different split would train on rows it validated on'],
      ['--seed', '4', 'was trained with --seed 3; the seed drew its validation rows'],
      ['--layers', '16', 'was trained with --layers 8; a resumed model keeps it'],
      ['--activation', 'tanh', 'was trained with --activation relu'],
      ['--scale', 'minmax', 'was trained with --scale standardize'],
      ['--target', 'sepal_length', 'was trained with --target species'],
    ]) {
      const refused = await cli(['train', '--data', 'builtin:iris', '--resume', split, '--epochs', '1', flag, value]);
      expect(refused.code, flag).toBe(2);
      expect(refused.err, flag).toContain(`backprop: ${flag} "${value}": the model in ${split} ${message}`);
    }
    // The same values, and another batch size, are accepted.
    const again = await cli([
      'train',
      '--data',
      'builtin:iris',
      '--resume',
      split,
      '--epochs',
      '1',
      ...run.slice(2, 8),
      '--batch-size',
      '8',
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(join(split, 'model.json'), 'utf8')).metadata).toMatchObject({
      validationSplit: 0.2,
      seed: 3,
      batchSize: 8,
      epochs: 7,
    });
  });

  it('two classes with a single-output loss: bce-with-logits (probabilities) and hinge (margins)', async () => {
    // yes when a + b > 5, as text labels.
    const rows = Array.from({ length: 80 }, (_, i) => [i % 7, i % 5]);
    const data = file('yes-no.csv', `a,b,answer\n${rows.map(([a, b]) => `${a},${b},${a + b > 5 ? 'yes' : 'no'}`).join('\n')}\n`);
    const expected = rows.map(([a, b]) => (a + b > 5 ? 'yes' : 'no'));
    for (const loss of ['bce-with-logits', 'hinge']) {
      const model = join(dir, `yes-no-${loss}`);
      const trained = await cli([
        'train',
        '--data',
        data,
        '--loss',
        loss,
        '--lr',
        '0.05',
        '--epochs',
        '60',
        '--batch-size',
        '8',
        '--out',
        model,
      ]);
      expect(trained.code, trained.err).toBe(0);
      const evaluated = JSON.parse((await cli(['evaluate', '--model', model, '--data', data, '--json'])).out);
      expect(evaluated.classes).toEqual(['no', 'yes']);
      expect(evaluated.accuracy).toBeGreaterThan(0.9);
      expect(evaluated.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(80);
      const lines = (await cli(['predict', '--model', model, '--data', data])).out.trim().split('\n');
      const predictions = lines.slice(1).map((line) => line.split(','));
      if (loss === 'hinge') {
        expect(lines[0]).toBe('prediction,score');
        for (const [label, score] of predictions) expect(label).toBe(Number(score) > 0 ? 'yes' : 'no');
      } else {
        expect(lines[0]).toBe('prediction,p_no,p_yes');
        for (const [label, pNo, pYes] of predictions) {
          expect(Number(pNo) + Number(pYes)).toBeCloseTo(1, 5);
          expect(label).toBe(Number(pYes) > 0.5 ? 'yes' : 'no');
        }
      }
      const right = predictions.filter(([label], i) => label === expected[i]).length;
      expect(right / 80).toBeCloseTo(evaluated.accuracy, 10);
      expect((await cli(['summary', '--model', model])).out).toContain(
        `(2 classes: no, yes; one output, yes above 0)\ntrained 60 epochs with ${loss}`,
      );
      // The gradient check makes up targets the loss takes (hinge: −1 and 1), with or without data.
      for (const extra of [[], ['--data', data]]) {
        const checked = await cli(['gradcheck', '--model', model, ...extra]);
        expect([checked.code, checked.err], `${loss} ${extra.join(' ')}`).toEqual([0, '']);
      }
    }
    const other = await cli(['train', '--data', data, '--resume', join(dir, 'yes-no-hinge'), '--loss', 'bce-with-logits', '--epochs', '1']);
    expect([other.code, other.err]).toEqual([
      2,
      'backprop: --loss: the model was trained for two classes with --loss hinge; resume it with the same loss\n',
    ]);
    const three = await cli(['train', '--data', 'builtin:iris', '--loss', 'bce-with-logits', '--out', join(dir, 'never')]);
    expect(three.code).toBe(2);
    expect(three.err).toContain("the target 'species' must hold exactly two classes, it has 3 (setosa, versicolor, virginica)");
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('soft targets: bce-with-logits on a column of probabilities', async () => {
    // p = σ(2(a − b) − 1.5): ten distinct probabilities, none exactly 0.5.
    const rows = Array.from({ length: 84 }, (_, i) => [i % 7, i % 4]);
    const probability = ([a, b]: number[]) => 1 / (1 + Math.exp(-(2 * (a - b) - 1.5)));
    const data = file('soft.csv', `a,b,p\n${rows.map((r) => `${r[0]},${r[1]},${probability(r).toFixed(4)}`).join('\n')}\n`);
    const model = join(dir, 'soft');
    const args = ['train', '--data', data, '--loss', 'bce-with-logits', '--lr', '0.05', '--epochs', '80', '--batch-size', '8'];
    const trained = await cli([...args, '--out', model]);
    expect(trained.code, trained.err).toBe(0);
    expect((await cli(['summary', '--model', model])).out).toContain("target: 'p' (probabilities from 0 to 1; one output, a logit)");
    expect((await cli(['gradcheck', '--model', model])).code).toBe(0);

    const evaluated = JSON.parse((await cli(['evaluate', '--model', model, '--data', data, '--json'])).out);
    expect(evaluated.classes).toBeNull();
    expect(evaluated.confusionMatrix).toBeNull();
    expect(evaluated.probabilityMae).toBeLessThan(0.05);
    // Which side of 0.5 each target is on.
    expect(evaluated.accuracy).toBeGreaterThan(0.95);
    // The loss cannot go below the targets' own entropy, −Σ p log p + (1 − p) log(1 − p) (0 log 0 = 0).
    const xLogX = (v: number) => (v > 0 ? v * Math.log(v) : 0);
    const entropy =
      rows.reduce((sum, r) => {
        const p = Number(probability(r).toFixed(4));
        return sum - (xLogX(p) + xLogX(1 - p));
      }, 0) / rows.length;
    expect(evaluated.loss).toBeGreaterThanOrEqual(entropy - 1e-4);
    expect(evaluated.loss).toBeLessThan(entropy + 0.05);

    const lines = (await cli(['predict', '--model', model, '--data', data])).out.trim().split('\n');
    expect(lines[0]).toBe('prediction');
    const predicted = lines.slice(1).map(Number);
    expect(predicted.every((p) => p > 0 && p < 1)).toBe(true);
    const mae = predicted.reduce((sum, p, i) => sum + Math.abs(p - Number(probability(rows[i]).toFixed(4))), 0) / rows.length;
    expect(mae).toBeCloseTo(evaluated.probabilityMae, 5);

    const explained = await cli(['explain', '--model', model, '--input', '3,1', '--target', '0.62']);
    expect(explained.code, explained.err).toBe(0);
    const resumed = await cli(['train', '--data', data, '--resume', model, '--loss', 'mse', '--epochs', '1']);
    expect([resumed.code, resumed.err]).toEqual([
      2,
      "backprop: --loss: the model was trained on the probabilities in 'p' with --loss bce-with-logits; resume it with the same loss\n",
    ]);

    const outside = file('outside.csv', 'a,b,p\n1,2,0.25\n2,1,0.5\n3,1,1.5\n');
    const refused = await cli([...args, '--data', outside, '--out', join(dir, 'never-soft')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`${outside}:4:3: 1.5 in target column 'p' is not a probability`);
    expect(existsSync(join(dir, 'never-soft'))).toBe(false);
    const hinge = await cli(['train', '--data', data, '--loss', 'hinge', '--out', join(dir, 'never-soft')]);
    expect(hinge.code).toBe(2);
    expect(hinge.err).toContain("the target 'p' must hold exactly two classes, it has 10 (");
  });

  it('--help for each command, --version', async () => {
    for (const command of ['train', 'evaluate', 'predict', 'explain', 'gradcheck', 'summary']) {
      const help = await cli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.out).toContain(`Usage: backprop ${command}`);
      expect(help.out).toContain('Example:');
    }
    expect((await cli(['--help'])).out).toContain('Exit codes:');
    expect((await cli(['--version'])).out.trim()).toBe('0.1.0');
  });
});

describe('bad input: one line naming the place, exit 2, nothing written', () => {
  const cases: [string, () => string[], RegExp][] = [
    [
      'missing file',
      () => ['train', '--data', join(dir, 'nope.csv'), '--out', join(dir, 'o1')],
      /^backprop: --data .*nope\.csv: cannot read the file \(ENOENT\)$/,
    ],
    ['empty file', () => ['train', '--data', file('empty.csv', ''), '--out', join(dir, 'o2')], /empty\.csv: the file is empty$/],
    [
      'ragged CSV',
      () => ['train', '--data', file('ragged.csv', 'a,b,y\n1,2,0\n3,1\n4,5,1\n'), '--out', join(dir, 'o3')],
      /ragged\.csv:3: the row has 2 fields, but the header has 3 \(ragged CSV\)$/,
    ],
    [
      'non-numeric cell',
      () => [
        'train',
        '--data',
        file('typo.csv', `a,b,y\n${Array.from({ length: 20 }, (_, i) => (i === 13 ? '1,abc,0' : `${i},${i % 3},${i % 2}`)).join('\n')}\n`),
        '--out',
        join(dir, 'o4'),
      ],
      /typo\.csv:15:2: non-numeric value 'abc' in numeric column 'b' \(numbers are read in decimal notation, such as 12, -0\.5 or 1e-3\)$/,
    ],
    [
      'a hexadecimal cell in a numeric column (Number() read it as 16)',
      () => [
        'train',
        '--data',
        file('hex.csv', `a,b,y\n${Array.from({ length: 20 }, (_, i) => (i === 4 ? '1,0x10,0' : `${i},${i % 3},${i % 2}`)).join('\n')}\n`),
        '--out',
        join(dir, 'o30'),
      ],
      /hex\.csv:6:2: non-numeric value '0x10' in numeric column 'b'/,
    ],
    [
      'a hexadecimal --lr',
      () => ['train', '--data', 'builtin:xor', '--lr', '0x10', '--out', join(dir, 'o31')],
      /^backprop: --lr must be a number > 0, got '0x10'$/,
    ],
    [
      'empty cells in a numeric column (a third of them)',
      () => ['train', '--data', file('gaps.csv', 'a,b,y\n1,2,0\n3,,1\n5,6,0\n'), '--out', join(dir, 'o16')],
      /gaps\.csv:3:2: empty cell in numeric column 'b'$/,
    ],
    [
      'an empty cell in a categorical column (it used to become a category of its own)',
      () => ['train', '--data', file('colour-gap.csv', 'colour,b,y\nred,2,0\n,1,1\nblue,6,0\nred,3,1\n'), '--out', join(dir, 'o18')],
      /colour-gap\.csv:3:1: empty cell in categorical column 'colour' \(a missing value is not a category; fill it in, or drop the row\)$/,
    ],
    [
      'an empty cell in a class target',
      () => [
        'train',
        '--data',
        file('label-gap.csv', 'a,b,label\n1,2,yes\n3,1,no\n5,6,\n7,1,yes\n'),
        '--loss',
        'cross-entropy',
        '--out',
        join(dir, 'o19'),
      ],
      /label-gap\.csv:4:3: empty cell in target column 'label'/,
    ],
    [
      'a .json file as --out',
      () => ['train', '--data', 'builtin:xor', '--out', join(dir, 'o17.json')],
      /--out .*o17\.json: a model is saved as a folder \(model\.json and its weights\); give a folder name like models\/iris$/,
    ],
    [
      'NaN value',
      () => ['train', '--data', file('nan.csv', 'a,b,y\n1,2,0\n3,NaN,1\n'), '--out', join(dir, 'o5')],
      /nan\.csv:3:2: 'NaN' in column 'b' \(NaN and Infinity are not allowed\)$/,
    ],
    [
      'Infinity value',
      () => ['train', '--data', file('inf.csv', 'a,b,y\n1,2,0\n-Infinity,1,1\n'), '--out', join(dir, 'o6')],
      /inf\.csv:3:1: '-Infinity' in column 'a'/,
    ],
    [
      'unknown target column',
      () => ['train', '--data', 'builtin:iris', '--target', 'colour', '--out', join(dir, 'o7')],
      /--target 'colour': no such column in builtin:iris \(columns: sepal_length/,
    ],
    [
      'bad layer spec',
      () => ['train', '--data', 'builtin:xor', '--layers', '64,,x', '--out', join(dir, 'o8')],
      /--layers must be comma-separated positive integers like 64,32; item 2 is '' in '64,,x'$/,
    ],
    [
      'unknown activation',
      () => ['train', '--data', 'builtin:xor', '--activation', 'rleu', '--out', join(dir, 'o9')],
      /--activation: unknown activation 'rleu' \(did you mean 'relu'\?\)/,
    ],
    [
      'unknown loss',
      () => ['train', '--data', 'builtin:xor', '--loss', 'cross-entropi', '--out', join(dir, 'o10')],
      /--loss: unknown loss 'cross-entropi' \(did you mean 'cross-entropy'\?\)/,
    ],
    [
      'unknown optimizer',
      () => ['train', '--data', 'builtin:xor', '--optimizer', 'adan', '--out', join(dir, 'o11')],
      /--optimizer: unknown optimizer 'adan' \(did you mean 'adam'\?\)/,
    ],
    [
      'zero epochs',
      () => ['train', '--data', 'builtin:xor', '--epochs', '0', '--out', join(dir, 'o12')],
      /--epochs must be an integer ≥ 1, got '0'$/,
    ],
    [
      'negative batch size',
      () => ['train', '--data', 'builtin:xor', '--batch-size', '-4', '--out', join(dir, 'o13')],
      /--batch-size must be an integer ≥ 1, got '-4'$/,
    ],
    [
      'negative learning rate',
      () => ['train', '--data', 'builtin:xor', '--lr', '-0.1', '--out', join(dir, 'o14')],
      /--lr must be a number > 0, got '-0.1'$/,
    ],
    [
      'zero learning rate',
      () => ['train', '--data', 'builtin:xor', '--lr', '0', '--out', join(dir, 'o15')],
      /--lr must be a number > 0, got '0'$/,
    ],
    [
      'missing model folder',
      () => ['evaluate', '--model', join(dir, 'no-model'), '--data', 'builtin:xor'],
      /--model .*no-model: no such model folder$/,
    ],
    [
      'a nested value in a JSON record (it used to become the category "[object Object]")',
      () => [
        'train',
        '--data',
        file('nested.json', '[{"a": 1, "y": 0}, {"a": {"v": 2}, "y": 1}, {"a": 3, "y": 0}]'),
        '--out',
        join(dir, 'o20'),
      ],
      /nested\.json: record 2, field 'a': a value must be a number, a string, true, false or null, got \{"v":2\}$/,
    ],
    ['unknown flag', () => ['train', '--dat', 'x'], /^backprop: unknown option '--dat'\n?\(Did you mean --data\?\)/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const argv = args(); // writes the bad data file first
      const before = readdirSync(dir).sort();
      const result = await cli(argv);
      expect(result.code).toBe(2);
      expect(result.err.trim()).toMatch(message);
      expect(result.err.trim().split('\n').length).toBeLessThanOrEqual(2);
      expect(result.err).not.toMatch(/\n\s+at /);
      expect(result.out).toBe('');
      expect(readdirSync(dir).sort()).toEqual(before);
    });
  }

  it('truncated and corrupt model folders', async () => {
    const model = join(dir, 'victim');
    await cli(['train', '--data', 'builtin:xor', '--epochs', '1', '--out', model, '--json']);
    const description = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
    const weights = join(model, description.weights.file);
    const bytes = readFileSync(weights);
    writeFileSync(weights, bytes.subarray(0, 20));
    let result = await cli(['summary', '--model', model]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^backprop: .*model-[0-9a-f]+\.safetensors: the weights are corrupt/);
    writeFileSync(weights, bytes);
    writeFileSync(join(model, 'model.json'), '{"format": "backprop.model", ');
    result = await cli(['summary', '--model', model]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/model\.json: invalid JSON: .* at line 1, column \d+$/m);
  });

  it('--out on an existing model without --force is refused before training; with --force it is replaced', async () => {
    const model = join(dir, 'keep');
    await cli(['train', '--data', 'builtin:xor', '--epochs', '1', '--out', model, '--json']);
    const before = readFileSync(join(model, 'model.json'), 'utf8');
    const refused = await cli(['train', '--data', 'builtin:xor', '--epochs', '1', '--seed', '7', '--out', model]);
    expect(refused.code).toBe(2);
    expect(refused.err.trim()).toBe(`backprop: --out ${model}: a model already exists there; pass --force to overwrite it`);
    expect(readFileSync(join(model, 'model.json'), 'utf8')).toBe(before);
    expect((await cli(['train', '--data', 'builtin:xor', '--epochs', '1', '--seed', '7', '--out', model, '--force', '--json'])).code).toBe(
      0,
    );
    expect(readFileSync(join(model, 'model.json'), 'utf8')).not.toBe(before);
  });
});
