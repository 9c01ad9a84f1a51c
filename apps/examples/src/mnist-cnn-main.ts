import { epochsArgument } from './args.js';
import { trainMnist } from './mnist.js';
import { progressLine } from './report.js';

// A small CNN on the 8,000/2,000 split of the `mnist` package's 10,000 digits.
const epochs = epochsArgument('mnist-cnn [epochs]', process.argv[2], 6);
const result = trainMnist({ model: 'cnn', epochs, onProgress: progressLine });
console.log(
  `CNN conv16-pool-conv32-pool-dense10 (${result.parameters.toLocaleString('en-US')} parameters), ${epochs} epochs, Adam 2e-3 with cosine decay, batch 32`,
);
console.log(`test accuracy ${(result.testAccuracy * 100).toFixed(2)}% on 2,000 held-out digits; training ${result.seconds.toFixed(1)} s`);
