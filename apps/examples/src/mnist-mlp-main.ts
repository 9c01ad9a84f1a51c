import { epochsArgument } from './args.js';
import { trainMnist } from './mnist.js';
import { progressLine } from './report.js';

// MLP 784-128-10 on the 8,000/2,000 split of the `mnist` package's 10,000 digits.
const epochs = epochsArgument('mnist-mlp [epochs]', process.argv[2], 20);
const result = trainMnist({ model: 'mlp', epochs, onProgress: progressLine });
console.log(
  `MLP 784-128-10 with dropout (${result.parameters.toLocaleString('en-US')} parameters), ${epochs} epochs, Adam 2e-3 with cosine decay, batch 64`,
);
console.log(`test accuracy ${(result.testAccuracy * 100).toFixed(2)}% on 2,000 held-out digits; training ${result.seconds.toFixed(1)} s`);
