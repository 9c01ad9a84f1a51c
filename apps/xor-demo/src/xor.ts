import { manualSeed, noGrad, randn, type Tensor, tensor, zeros } from '@backprop/engine';

/** Options of {@link trainXor}. */
export interface XorOptions {
  /** Hidden units (default 4). */
  hidden?: number;
  /** SGD learning rate (default 0.5). */
  learningRate?: number;
  /** Full-batch epochs (default 10,000). */
  epochs?: number;
  /** Seed of the weight initialisation (default 42). */
  seed?: number;
  /** Called every `every` epochs with the epoch and the loss. */
  onProgress?: (epoch: number, loss: number) => void;
  every?: number;
}

/** What a training run produced. */
export interface XorResult {
  /** The network's output for the inputs 00, 01, 10, 11. */
  outputs: number[];
  /** Loss (½ squared error averaged over the four samples) after each epoch. */
  losses: number[];
  /** True if every output is on the right side of 0.5. */
  solved: boolean;
  /** Wall time of the training loop in milliseconds. */
  milliseconds: number;
}

export const inputs = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
export const targets = [0, 1, 1, 0];

/**
 * Trains a 2-H-1 sigmoid network on XOR with plain SGD on ½(ŷ − y)², written directly with
 * engine tensors: forward, `backward()`, update.
 */
export function trainXor(options: XorOptions = {}): XorResult {
  const hidden = options.hidden ?? 4;
  const lr = options.learningRate ?? 0.5;
  const epochs = options.epochs ?? 10_000;
  manualSeed(options.seed ?? 42);
  const x = tensor(inputs);
  const y = tensor(targets.map((t) => [t]));
  const params = [randn([2, hidden]), zeros([hidden]), randn([hidden, 1]), zeros([1])].map((p) => p.setRequiresGrad());
  const [w1, b1, w2, b2] = params;
  const forward = (input: Tensor) => input.matmul(w1).add(b1).sigmoid().matmul(w2).add(b2).sigmoid();
  const losses: number[] = [];
  const start = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const p of params) p.grad = null;
    const loss = forward(x).sub(y).square().mean().mul(0.5);
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        const value = p.data;
        const grad = p.grad?.data ?? [];
        for (let i = 0; i < value.length; i++) value[i] -= lr * grad[i];
      }
    });
    const value = loss.item();
    losses.push(value);
    if (options.onProgress && (epoch % (options.every ?? 1000) === 0 || epoch === 1)) options.onProgress(epoch, value);
  }
  const milliseconds = performance.now() - start;
  const outputs = [...noGrad(() => forward(x)).data];
  const solved = outputs.every((o, i) => (o > 0.5 ? 1 : 0) === targets[i]);
  return { outputs, losses, solved, milliseconds };
}
