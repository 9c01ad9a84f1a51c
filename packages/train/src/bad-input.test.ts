import { NDArray } from '@backprop/engine';
import { garbageCalls } from '@backprop/engine/testing';
import { Dense } from '@backprop/layers';
import { SGD, StepLR } from '@backprop/optim';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('train: bad input never escapes as a bare TypeError', () => {
  it('every function and class, called with garbage', () => {
    const x = new NDArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const data = api.dataset(x, [0, 1]);
    expect(garbageCalls(api, { skip: ['History', 'TrainingError'], leads: [x, data, new Dense(2, 2)] })).toEqual([]);
  });
});

describe('misspelt or contradicting training options, and rows that are not there', () => {
  it('are refused by name before any training, instead of being ignored', () => {
    const x = new NDArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const data = api.dataset(x, [0, 1]);
    const model = new Dense(2, 2);
    const before = [...model.weight.data];
    const base = { epochs: 1, loss: 'crossEntropy', optimizer: { type: 'sgd', lr: 0.1 } };
    const cases: [() => unknown, string][] = [
      [() => api.fit(model, data, { ...base, epoch: 5 } as never), "fit: unknown option 'epoch' (did you mean 'epochs'?)"],
      [() => api.fit(model, data, { ...base, batch_size: 5 } as never), "fit: unknown option 'batch_size' (did you mean 'batchSize'?)"],
      [
        () => api.fit(model, data, { ...base, earlyStopping: { patince: 2 } } as never),
        "fit (earlyStopping): unknown option 'patince' (did you mean 'patience'?)",
      ],
      [() => api.fit(model, data, { ...base, optimizer: { type: 'sgd', lr: 0.1, momentm: 0.9 } }), "SGD: unknown option 'momentm'"],
      [
        () => api.fit(model, data, { ...base, validationSplit: 0.5, validationData: data }),
        "fit: give 'validationSplit' or 'validationData', not both",
      ],
      [
        () => api.fit(model, data, { ...base, scheduler: new StepLR(new SGD(model.parameters(), { lr: 1 }), { stepSize: 1 }) }),
        "fit: the scheduler adjusts another optimizer than the one fit makes from the spec in 'optimizer'",
      ],
      [() => api.evaluate(model, data, { batch: 1 } as never), "evaluate: unknown option 'batch'"],
      [() => api.evaluate(model, data, { metrics: ['acuracy'] } as never), 'evaluate: unknown metric "acuracy"; known: accuracy,'],
      [() => api.computeMetrics(['acc'] as never, x, x), 'computeMetrics: unknown metric "acc"'],
      [() => api.predict(model, x, { batchsize: 1 } as never), "predict: unknown option 'batchsize' (did you mean 'batchSize'?)"],
      [() => [...api.batches(data, { suffle: true } as never)], "batches: unknown option 'suffle' (did you mean 'shuffle'?)"],
      [() => api.split(data, [0.5, 0.5], { sed: 1 } as never), "split: unknown option 'sed' (did you mean 'seed'?)"],
      [() => api.trainTestSplit(data, { testSize: 0.5 } as never), "trainTestSplit: unknown option 'testSize'"],
      [() => api.subset(data, [0, 0.5]), 'subset: index 0.5 at position 1 is not a row of the 2 samples (0 to 1)'],
      [() => api.subset(data, [5]), 'subset: index 5 at position 0 is not a row of the 2 samples'],
      [() => api.accuracy(x, x, { treshold: 0.5 } as never), "accuracy: unknown option 'treshold' (did you mean 'threshold'?)"],
      [() => api.confusionMatrix(x, x, { classes: 2 } as never), "confusionMatrix: unknown option 'classes'"],
      [() => api.computeMetrics(['accuracy'], x, x, { numClasses: 2 } as never), "computeMetrics: unknown option 'numClasses'"],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
    expect([...model.weight.data]).toEqual(before);
    expect(() => api.fitAsync(model, data, { ...base, yieldEveryMs: 5 })).not.toThrow();
    // A schedule built on the optimizer passed to fit steps it, once per epoch.
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    api.fit(model, data, { ...base, epochs: 2, optimizer, scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }) });
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(0.025, 12);
    // Options they take pass on to the functions they call (numClasses does not reach predictedClasses).
    const predictions = new NDArray(new Float32Array([0.9, 0.1, 0.2, 0.8]), [2, 2]);
    const labels = new NDArray(new Int32Array([0, 1]), [2]);
    expect(api.confusionMatrix(predictions, labels, { numClasses: 3, threshold: 0.5 })).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
    expect(api.precisionRecallF1(predictions, labels, { numClasses: 2 }).f1).toBe(1);
  });
});
