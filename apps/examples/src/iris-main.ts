import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from '@backprop/io/node';
import { predict } from '@backprop/train';
import { epochsArgument } from './args.js';
import { crossValidateIris, loadIris, trainIris } from './iris.js';

// Iris: 4-16-3, 5-fold cross-validation, then a final model on all 150 flowers saved as a model file.
const epochs = epochsArgument('iris [epochs] [model folder]', process.argv[2], 100);
const started = performance.now();
const cv = crossValidateIris(epochs);
const seconds = (performance.now() - started) / 1000;
console.log(
  `iris 4-16-3, ${epochs} epochs: 5-fold cross-validated accuracy ${(cv.mean * 100).toFixed(1)}% (folds ${cv.accuracies.map((a) => `${(a * 100).toFixed(1)}%`).join(', ')}); ${seconds.toFixed(2)} s`,
);

const { data, encoder } = loadIris();
const final = trainIris(data, epochs);
const folder = process.argv[3] ?? (await mkdtemp(join(tmpdir(), 'iris-model-')));
await saveModel(final.model, folder, { inputShape: [4], preprocessing: final.scaler.toJSON(), metadata: { classes: encoder.classes } });
const loaded = await loadModel(folder);
const flower = final.scaler.transform(data.x).data.subarray(0, 4);
const scores = predict(loaded.model, [[...flower]]).data;
const best = scores.indexOf(Math.max(...scores));
console.log(`final model saved to ${folder}; reloaded, it calls the first flower ${(loaded.metadata.classes as string[])[best]}`);
