import { manualSeed, noGrad, tensor } from '@backprop/engine';
import { activation, Dense, type Module, Sequential } from '@backprop/layers';
import { binaryCrossEntropy, halfSquaredError } from '@backprop/losses';
import { SGD } from '@backprop/optim';

/** Options of {@link trainXor}. */
export interface XorOptions {
  /** Hidden units (default 4). */
  hidden?: number;
  /** Hidden and output activation (default sigmoid). */
  activation?: string;
  /** `'half-squared-error'` ½(y − f)² (default) or `'cross-entropy'` (binary, on the sigmoid output). */
  loss?: 'half-squared-error' | 'cross-entropy';
  /** SGD learning rate (default 0.5). */
  learningRate?: number;
  /** Full-batch epochs (default 10,000). */
  epochs?: number;
  /** Seed of the weight initialisation (default 42). */
  seed?: number;
}

/** What a training run produced. */
export interface XorResult {
  /** The network's output for the inputs 00, 01, 10, 11. */
  outputs: number[];
  /** Loss (averaged over the four samples) after each epoch. */
  losses: number[];
  /** True if every output is on the right side of 0.5. */
  solved: boolean;
  /** Wall time of the training loop in milliseconds. */
  milliseconds: number;
  model: Module;
}

export const inputs = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
export const targets = [0, 1, 1, 0];

/**
 * The 2-H-1 network: Dense(2, H), activation, Dense(H, 1), sigmoid output. Weights start N(0, 1)
 * and biases at 0 (the small PyTorch default makes the symmetric start of XOR needlessly slow).
 */
export function xorNetwork(hidden: number, activationName = 'sigmoid'): Module {
  const init = { weightInitializer: { type: 'normal' as const, std: 1 }, biasInitializer: 'zeros' as const };
  return new Sequential(new Dense(2, hidden, init), activation(activationName), new Dense(hidden, 1, init), activation('sigmoid'));
}

/** Trains a 2-H-1 network on XOR with full-batch SGD, the way the textbooks do. */
export function trainXor(options: XorOptions = {}): XorResult {
  manualSeed(options.seed ?? 42);
  const model = xorNetwork(options.hidden ?? 4, options.activation ?? 'sigmoid');
  const optimizer = new SGD(model.parameters(), { lr: options.learningRate ?? 0.5 });
  const lossFn = options.loss === 'cross-entropy' ? binaryCrossEntropy : halfSquaredError;
  const x = tensor(inputs);
  const y = tensor(targets.map((t) => [t]));
  const epochs = options.epochs ?? 10_000;
  const losses: number[] = [];
  const started = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    optimizer.zeroGrad();
    const loss = lossFn(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  const milliseconds = performance.now() - started;
  const outputs = [...noGrad(() => model.forward(x)).value.data];
  const solved = outputs.every((o, i) => o > 0.5 === (targets[i] === 1));
  return { outputs, losses, solved, milliseconds, model };
}

/** Trains from seeds `1..count` and counts how many runs solve XOR. */
export function solveRate(count: number, options: Omit<XorOptions, 'seed'> = {}): { solved: number; runs: number; milliseconds: number } {
  const started = performance.now();
  let solved = 0;
  for (let seed = 1; seed <= count; seed++) if (trainXor({ ...options, seed }).solved) solved++;
  return { solved, runs: count, milliseconds: performance.now() - started };
}
