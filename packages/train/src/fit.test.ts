import { BackpropError, CompileError, manualSeed, NDArray } from '@backprop/engine';
import { damageJson, damagingValues, fuzzSettings } from '@backprop/engine/testing';
import { AvgPool2d, BatchNorm1d, Conv2d, Dense, Dropout, Flatten, MaxPool2d, ReLU, Sequential, Sigmoid } from '@backprop/layers';
import { SGD } from '@backprop/optim';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataset } from './data.js';
import { evaluate, predict } from './evaluate.js';
import { fit, fitAsync } from './fit.js';
import { TrainingError } from './fit-options.js';

// Three Gaussian blobs in 2-D: a small classification problem with a known answer.
function blobs(n: number, seed: number) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const centres = [
    [0, 3],
    [3, -2],
    [-3, -2],
  ];
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([centres[c][0] + (rand() - 0.5) * 2, centres[c][1] + (rand() - 0.5) * 2]);
    y.push(c);
  }
  return dataset(x, new NDArray(Int32Array.from(y), [n]));
}

const model = (seed: number) => {
  manualSeed(seed);
  return new Sequential(new Dense(2, 16), new ReLU(), new Dense(16, 3));
};

describe('fit', () => {
  it('learns, reports metrics and validation, and is deterministic for a seed', () => {
    const run = () =>
      fit(model(1), blobs(300, 7), {
        epochs: 8,
        batchSize: 16,
        seed: 3,
        loss: 'crossEntropy',
        optimizer: { type: 'adam', lr: 0.01 },
        metrics: ['accuracy', 'f1'],
        validationSplit: 0.2,
      });
    const a = run();
    const b = run();
    expect(a.epochs.map((e) => e.loss)).toEqual(b.epochs.map((e) => e.loss));
    const last = a.epochs.at(-1);
    expect(last?.loss).toBeLessThan(a.epochs[0].loss);
    expect(last?.valAccuracy).toBeGreaterThan(0.95);
    expect(last?.f1).toBeGreaterThan(0.9);
    expect(Object.keys(last ?? {})).toEqual(
      expect.arrayContaining(['epoch', 'loss', 'accuracy', 'f1', 'valLoss', 'valAccuracy', 'valF1', 'lr', 'ms']),
    );
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', () => {
    const m = model(2);
    const data = blobs(90, 1);
    let bestWeights: number[] = [];
    let bestLoss = Number.POSITIVE_INFINITY;
    const history = fit(m, data, {
      epochs: 200,
      batchSize: 90,
      loss: 'crossEntropy',
      optimizer: new SGD(m.parameters(), { lr: 0.5 }),
      validationData: data,
      // A minimum improvement no epoch can reach: only the first epoch counts as "best".
      earlyStopping: { patience: 3, minDelta: 100 },
      callbacks: [
        {
          onEpochEnd: (logs) => {
            if (logs.epoch === 1) {
              bestLoss = logs.valLoss;
              bestWeights = [...m.parameters()[0].value.data];
            }
          },
        },
      ],
    });
    expect(history.stopReason).toBe('earlyStopping');
    expect(history.epochs.length).toBe(4);
    expect(history.bestEpoch).toBe(1);
    expect(history.epochs[3].valLoss).toBeLessThan(history.epochs[0].valLoss);
    expect([...m.parameters()[0].value.data]).toEqual(bestWeights);
    expect(evaluate(m, data, { loss: 'crossEntropy' }).loss).toBeCloseTo(bestLoss, 5);
  });

  it('callbacks can stop training; an abort signal stops after the current batch; progress is reported', () => {
    const m = model(3);
    const controller = new AbortController();
    const progress: number[] = [];
    const history = fit(m, blobs(64, 2), {
      epochs: 5,
      batchSize: 8,
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', lr: 0.1 },
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p.batch);
        if (p.epoch === 2 && p.batch === 3) controller.abort();
      },
    });
    expect(history.stopReason).toBe('aborted');
    expect(history.epochs.length).toBe(2); // the partial epoch is still logged
    expect(progress.slice(0, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 8]);
    const stopped = fit(model(3), blobs(64, 2), {
      epochs: 5,
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', lr: 0.1 },
      callbacks: [{ onEpochEnd: (logs, ctx) => logs.epoch === 2 && ctx.stop('enough') }],
    });
    expect(stopped.stopReason).toBe('enough');
    expect(stopped.epochs.length).toBe(2);
  });

  it('a loss that becomes NaN throws a TrainingError and keeps the last good weights (eager and compiled)', () => {
    for (const compile of [false, true]) {
      const m = model(4);
      const before = m.stateDict();
      const epochEnds: Record<string, number[]>[] = [];
      let error: unknown;
      try {
        fit(m, blobs(30, 3), {
          epochs: 50,
          batchSize: 30,
          loss: 'crossEntropy',
          optimizer: new SGD(m.parameters(), { lr: 1e6 }),
          compile,
          callbacks: [
            { onEpochEnd: () => void epochEnds.push(Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.data]]))) },
          ],
        });
      } catch (e) {
        error = e;
      }
      expect(TrainingError.isInstance(error), `compile: ${compile}`).toBe(true);
      expect((error as Error).message).toMatch(
        /the loss became (NaN|Infinity) at epoch \d+, batch 1; the weights of the last finished epoch were restored/,
      );
      // Restored: the weights at the end of the last finished epoch (a few epochs in), all finite.
      expect(epochEnds.length, `compile: ${compile}`).toBeGreaterThan(1);
      const last = epochEnds.at(-1) ?? Object.fromEntries(Object.entries(before).map(([k, v]) => [k, [...v.data]]));
      for (const [k, v] of Object.entries(m.stateDict())) expect([...v.data], `${k}, compile: ${compile}`).toEqual(last[k]);
      for (const p of m.parameters()) expect([...p.value.data].every(Number.isFinite)).toBe(true);
    }
  });

  it('predict and evaluate use eval mode and restore the previous mode', () => {
    manualSeed(5);
    const m = new Sequential(new Dense(2, 8), new Dropout(0.5), new Dense(8, 3));
    const x = blobs(20, 4).x;
    const a = predict(m, x).data;
    const b = predict(m, x).data;
    expect([...a]).toEqual([...b]);
    expect(m.training).toBe(true);
  });

  it('bad input: NaN in the data, a label out of range, bad options', () => {
    expect(() => dataset([[1, Number.NaN]], [0])).toThrow('dataset: x holds NaN at row 0, column 1; clean or impute the data first');
    const m = model(6);
    const bad = dataset(
      [
        [0, 0],
        [1, 1],
      ],
      new NDArray(Int32Array.from([0, 5]), [2]),
    );
    expect(() => fit(m, bad, { epochs: 1, loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.1 } })).toThrow(
      'fit: label 5 at row 1 of the training targets is out of range for a model with 3 outputs (classes 0 to 2)',
    );
    expect(() => fit(m, bad, { epochs: 1, loss: 'crossEntropy', optimizer: { type: 'sgd', lr: -1 } })).toThrow(
      "SGD: 'lr' must be a number ≥ 0, got -1",
    );
    expect(() => fit(m, bad, { epochs: 1, loss: 'crossentropy', optimizer: { type: 'sgd', lr: 1 } })).toThrow(
      /unknown loss "crossentropy"/,
    );
    expect(() => fit(m, bad, { epochs: 1, loss: 'mse', optimizer: { type: 'sgd' }, metrics: ['acc' as never] })).toThrow(
      /unknown metric "acc"/,
    );
    expect(() => fit(m, bad, { epochs: 1, loss: 'mse', optimizer: { type: 'sgd' }, validationSplit: 1.5 })).toThrow(
      /'validationSplit' must be between 0 and 1/,
    );
    // Options that used to fail inside training (a TypeError, or after the first epoch): refused up front.
    const blob = blobs(12, 1);
    const ce = { epochs: 1, loss: 'crossEntropy', optimizer: { type: 'sgd' } } as const;
    expect(() => fit(m, blob, { ...ce, metrics: true as never })).toThrow(
      "fit: 'metrics' must be a list of metric names (accuracy, precision, recall, f1, mse, mae, r2), got true",
    );
    expect(() => fit(m, blob, { ...ce, metrics: ['mse'] })).toThrow(
      "fit: 'mse' compares outputs with targets of their shape, but crossEntropy takes class labels; use accuracy, precision, recall or f1",
    );
    expect(() => fit(m, blob, { ...ce, earlyStopping: { monitor: 'valLoss' } })).toThrow(
      "fit: cannot monitor 'valLoss': the logs will have epoch, loss, lr, ms (validation values need validationSplit or validationData)",
    );
    expect(() => fit(m, blob, { ...ce, earlyStopping: { patience: -1 } })).toThrow(
      "fit: 'earlyStopping.patience' must be a non-negative integer, got -1",
    );
    expect(() => fit(m, blob, { ...ce, clipGradNorm: 0 })).toThrow("fit: 'clipGradNorm' must be a positive number, got 0");
    expect(() => fit(m, blob, { ...ce, shuffle: 'no' as never })).toThrow(`fit: 'shuffle' must be true or false, got "no"`);
    expect(() => fitAsync(m, blob, { ...ce, yieldEveryMs: 'often' as never })).toThrow(
      `fitAsync: 'yieldEveryMs' must be a non-negative number of milliseconds, got "often"`,
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => fit(m, blob, { ...ce, scheduler: circular as never })).toThrow(
      "fit: 'scheduler' must be a learning-rate scheduler, got a circular Object",
    );
    // BatchNorm refuses a last batch of one sample (33 = 32 + 1); dropLast skips it.
    manualSeed(3);
    const normed = new Sequential(new Dense(2, 4), new BatchNorm1d(4), new Dense(4, 1));
    const odd = dataset(
      new NDArray(
        Float32Array.from({ length: 66 }, (_, i) => Math.sin(i)),
        [33, 2],
      ),
      new NDArray(new Float32Array(33), [33, 1]),
    );
    const sgd = { type: 'sgd', lr: 0.1 } as const;
    expect(() => fit(normed, odd, { epochs: 1, batchSize: 32, loss: 'mse', optimizer: sgd })).toThrow(
      "BatchNorm1d '1' needs more than one value per channel in training mode, got input [1, 4]",
    );
    const kept = fit(normed, odd, { epochs: 2, batchSize: 32, loss: 'mse', optimizer: sgd, dropLast: true, metrics: ['mae'] });
    expect(kept.epochs.map((e) => Number.isFinite(e.loss) && Number.isFinite(e.mae))).toEqual([true, true]);
    expect(() => fit(normed, odd, { epochs: 1, batchSize: 64, loss: 'mse', optimizer: sgd, dropLast: true })).toThrow(
      'fit: dropLast with batchSize 64 leaves no batch of the 33 training samples; use a smaller batchSize',
    );
    const none = dataset(new NDArray(new Float32Array(0), [0, 2]), new NDArray(new Float32Array(0), [0, 1]));
    expect(() => fit(new Dense(2, 1), none, { epochs: 1, loss: 'mse', optimizer: { type: 'sgd' } })).toThrow(
      'fit: the training data has no samples',
    );
    expect(() => evaluate(new Dense(2, 1), none, { loss: 'mse' })).toThrow(
      'evaluate: the data has no samples; a loss or metric needs at least one',
    );
    // predict has nothing to average: no samples give no outputs, in the model's output shape.
    expect(predict(new Dense(2, 3), none.x).shape).toEqual([0, 3]);
    expect(() => predict(new Dense(5, 3), none.x)).toThrow('Dense expected input [*, 5], got [0, 2]');
    const four = dataset(new NDArray(new Float32Array(8), [4, 2]), new NDArray(new Float32Array(4), [4, 1]));
    expect(() => fit(new Dense(2, 1), four, { epochs: 1, loss: 'mse', optimizer: { type: 'sgd' }, validationSplit: 0.9 })).toThrow(
      "fit: 'validationSplit' 0.9 of 4 samples leaves 0 for training and 4 for validation; both need at least one",
    );
  });
});

describe('fit with compile: true', () => {
  it('trains like the eager loop, to float32 rounding: losses, metrics, validation and weights', () => {
    // 240 training samples in batches of 32: seven of 32 and one of 16, so two batch shapes are compiled.
    const run = (compile: boolean) => {
      const m = model(5);
      const history = fit(m, blobs(300, 7), {
        epochs: 6,
        batchSize: 32,
        seed: 3,
        loss: 'crossEntropy',
        optimizer: { type: 'adam', lr: 0.01 },
        metrics: ['accuracy'],
        validationSplit: 0.2,
        compile,
      });
      return { history, weights: m.parameters().flatMap((p) => [...p.value.data]) };
    };
    const eager = run(false);
    const compiled = run(true);
    const close = (a: readonly number[], b: readonly number[], tolerance: number) => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(b[i])));
    };
    for (const name of ['loss', 'valLoss', 'accuracy', 'valAccuracy'])
      close(compiled.history.series(name), eager.history.series(name), 1e-4);
    close(compiled.weights, eager.weights, 1e-4);
    expect(compiled.history.epochs.at(-1)?.valAccuracy).toBeGreaterThan(0.95);
    // The run really differs in how it computed (not a silent fallback to the eager loop): float32
    // sums taken in another order leave some weight different in its last bits.
    expect(compiled.weights.some((w, i) => w !== eager.weights[i])).toBe(true);
  });

  it('compiles the binary cross-entropies: a binary classifier trains like the eager loop', () => {
    // Blob 0 against the other two, one output: on logits, and on probabilities after a sigmoid.
    const { x, y } = blobs(200, 11);
    const labels = Float32Array.from(y.data, (c) => (c === 0 ? 1 : 0));
    const data = dataset(x, new NDArray(labels, [200, 1]));
    for (const [loss, head] of [
      ['binaryCrossEntropyWithLogits', []],
      ['binaryCrossEntropy', [new Sigmoid()]],
    ] as const) {
      const run = (compile: boolean) => {
        manualSeed(2);
        const m = new Sequential(new Dense(2, 8), new ReLU(), new Dense(8, 1), ...head);
        const history = fit(m, data, { epochs: 5, batchSize: 25, seed: 1, loss, optimizer: { type: 'sgd', lr: 0.2 }, compile });
        return { losses: history.series('loss'), weights: m.parameters().flatMap((p) => [...p.value.data]) };
      };
      const [eager, compiled] = [run(false), run(true)];
      for (let i = 0; i < eager.weights.length; i++) expect(Math.abs(compiled.weights[i] - eager.weights[i]), loss).toBeLessThan(1e-4);
      for (let i = 0; i < eager.losses.length; i++) expect(Math.abs(compiled.losses[i] - eager.losses[i]), loss).toBeLessThan(1e-4);
      expect(eager.losses.at(-1), loss).toBeLessThan(eager.losses[0] / 2);
    }
  });

  it('compiles a small CNN (convolution, max and average pooling, flatten): it trains like the eager loop', () => {
    // 6×6 one-channel images with a bright 2×2 patch in the left or the right half: the label.
    let s = 5;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const n = 64;
    const images = new Float32Array(n * 36);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 36; p++) images[i * 36 + p] = rand() * 0.3;
      const [row, col] = [Math.floor(rand() * 5), labels[i] * 3 + Math.floor(rand() * 2)];
      for (const [dr, dc] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ])
        images[i * 36 + (row + dr) * 6 + col + dc] += 1;
    }
    const data = dataset(new NDArray(images, [n, 1, 6, 6]), new NDArray(labels, [n]));
    const run = (compile: boolean) => {
      manualSeed(4);
      const m = new Sequential(
        new Conv2d(1, 4, 3, { padding: 1 }),
        new ReLU(),
        new MaxPool2d(2),
        new AvgPool2d(2, { stride: 1 }),
        new Flatten(),
        new Dense(16, 2),
      );
      const history = fit(m, data, {
        epochs: 15,
        batchSize: 16,
        seed: 2,
        loss: 'crossEntropy',
        optimizer: { type: 'adam', lr: 0.02 },
        compile,
      });
      return { losses: history.series('loss'), weights: m.parameters().flatMap((p) => [...p.value.data]) };
    };
    const [eager, compiled] = [run(false), run(true)];
    for (let i = 0; i < eager.weights.length; i++) expect(Math.abs(compiled.weights[i] - eager.weights[i])).toBeLessThan(1e-4);
    for (let i = 0; i < eager.losses.length; i++) expect(Math.abs(compiled.losses[i] - eager.losses[i])).toBeLessThan(1e-4);
    expect(eager.losses.at(-1)).toBeLessThan(eager.losses[0] / 2);
  });

  it('refuses dropout and batch normalisation in training mode, naming the layer, with the model untouched', () => {
    const cases = [
      [
        'Dropout',
        () => new Sequential(new Dense(2, 16), new ReLU(), new Dropout(0.2), new Dense(16, 3)),
        /: Dropout '2': compileBackward: Dropout draws a new mask/,
      ],
      [
        'BatchNorm1d',
        () => new Sequential(new Dense(2, 16), new BatchNorm1d(16), new ReLU(), new Dense(16, 3)),
        /: BatchNorm1d '1': compileBackward: BatchNorm1d updates its running statistics/,
      ],
    ] as const;
    for (const [name, make, pattern] of cases) {
      manualSeed(1);
      const m = make();
      const before = m.stateDict();
      let error: unknown;
      try {
        fit(m, blobs(60, 2), { epochs: 2, batchSize: 16, loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.1 }, compile: true });
      } catch (e) {
        error = e;
      }
      expect(TrainingError.isInstance(error), name).toBe(true);
      expect((error as Error).message).toMatch(/^fit: 'compile: true' cannot compile this model's training step: /);
      expect((error as Error).message).toMatch(pattern);
      expect(CompileError.isInstance((error as Error).cause), name).toBe(true);
      const after = m.stateDict();
      for (const [key, value] of Object.entries(before)) expect([...after[key].data], `${name} ${key}`).toEqual([...value.data]);
    }
    expect(() =>
      fit(model(1), blobs(30, 2), { epochs: 1, loss: 'crossEntropy', optimizer: { type: 'sgd' }, compile: 'yes' as never }),
    ).toThrow('fit: \'compile\' must be true or false, got "yes"');
  });
});

describe('fitAsync', () => {
  it('gives the same result as fit and lets timers and abort signals through while training', async () => {
    const a = fit(model(7), blobs(120, 5), { epochs: 3, batchSize: 8, loss: 'crossEntropy', optimizer: { type: 'adam', lr: 0.01 } });
    const m = model(7);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const b = await fitAsync(m, blobs(120, 5), {
      epochs: 3,
      batchSize: 8,
      loss: 'crossEntropy',
      optimizer: { type: 'adam', lr: 0.01 },
      yieldEveryMs: 0,
    });
    clearInterval(timer);
    expect(b.epochs.map((e) => e.loss)).toEqual(a.epochs.map((e) => e.loss));
    expect(ticks).toBeGreaterThan(0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const stopped = await fitAsync(model(8), blobs(3000, 5), {
      epochs: 1000,
      batchSize: 8,
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', lr: 0.01 },
      signal: controller.signal,
      yieldEveryMs: 1,
    });
    expect(stopped.stopReason).toBe('aborted');
    expect(stopped.epochs.length).toBeLessThan(1000);
  });
});

describe('fit with options from a hand-written config', () => {
  it('trains with damaged options or refuses them with a backprop error, the model unchanged', () => {
    const data = blobs(24, 7);
    const options = {
      epochs: 2,
      batchSize: 8,
      shuffle: true,
      dropLast: false,
      seed: 3,
      loss: 'crossEntropy',
      optimizer: { type: 'adam', lr: 0.01 },
      metrics: ['accuracy'],
      validationSplit: 0.25,
      earlyStopping: { monitor: 'valLoss', patience: 1, minDelta: 0, mode: 'min', restoreBestWeights: true },
      clipGradNorm: 5,
      initialEpoch: 0,
      compile: false,
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, 'mse', 'sgd', 'loss', undefined)), {
          minLength: 1,
          maxLength: 3,
        }),
        (damage) => {
          const { value, changed } = damageJson(options, damage);
          const net = model(1);
          const stateText = () => JSON.stringify(net.stateDict(), (_, v) => (ArrayBuffer.isView(v) ? [...(v as Float32Array)] : v));
          const before = stateText();
          try {
            const history = fit(net, data, value as never);
            for (const e of history.epochs) expect(Number.isNaN(e.loss), changed.join(', ')).toBe(false);
          } catch (error) {
            if (!BackpropError.isInstance(error)) throw new Error(`${changed.join(', ')}: ${error}`);
            if (error.name !== 'TrainingError') expect(stateText(), `${changed.join(', ')}: ${error.message}`).toBe(before);
          }
        },
      ),
      fuzzSettings(200),
    );
  });
});
