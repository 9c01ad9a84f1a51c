import { fromArray, Generator, manualSeed, NDArray, noGrad, type Tensor } from '@backprop/engine';
import { activation, Dense, type Module, Sequential } from '@backprop/layers';
import { binaryCrossEntropyWithLogits } from '@backprop/losses';
import { SGD } from '@backprop/optim';

/** A 2-D toy data set: points in [−1, 1]² with labels 0 or 1. */
export interface Points {
  x: Float32Array; // [n, 2]
  y: Float32Array; // [n, 1]
  n: number;
}

export type DatasetName = 'xor' | 'circles' | 'spirals' | 'blobs';

/** Seeded toy data: XOR quadrants, a disc inside a ring, two spirals, two Gaussian blobs. */
export function makePoints(name: DatasetName, n = 200, seed = 1): Points {
  const g = new Generator(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    let label = 0;
    if (name === 'xor') {
      px = g.nextFloat() * 2 - 1;
      py = g.nextFloat() * 2 - 1;
      const margin = 0.08;
      px += px > 0 ? margin : -margin;
      py += py > 0 ? margin : -margin;
      label = px * py < 0 ? 1 : 0;
    } else if (name === 'circles') {
      label = i % 2;
      const radius = label ? 0.7 + g.nextFloat() * 0.25 : g.nextFloat() * 0.4;
      const angle = g.nextFloat() * 2 * Math.PI;
      px = radius * Math.cos(angle);
      py = radius * Math.sin(angle);
    } else if (name === 'spirals') {
      label = i % 2;
      const t = (Math.floor(i / 2) / (n / 2)) * 1.75 * Math.PI;
      const r = (0.9 * t) / (1.75 * Math.PI) + 0.05;
      const angle = t + label * Math.PI;
      px = r * Math.cos(angle) + g.nextNormal() * 0.02;
      py = r * Math.sin(angle) + g.nextNormal() * 0.02;
    } else {
      label = i % 2;
      px = (label ? 0.45 : -0.45) + g.nextNormal() * 0.25;
      py = (label ? 0.35 : -0.35) + g.nextNormal() * 0.25;
    }
    x[2 * i] = Math.max(-1, Math.min(1, px));
    x[2 * i + 1] = Math.max(-1, Math.min(1, py));
    y[i] = label;
  }
  return { x, y, n };
}

/** Network settings of the page. */
export interface NetworkSettings {
  hidden: number[];
  activation: string;
  learningRate: number;
  seed: number;
}

/**
 * A 2-D binary classifier being trained: full-batch SGD with binary cross-entropy on logits, one
 * `step()` per epoch; reads out the loss, the decision surface and the weights for drawing.
 */
export class Playground {
  readonly model: Module;
  readonly losses: number[] = [];
  private readonly optimizer: SGD;
  private readonly inputs: Tensor;
  private readonly targets: Tensor;

  constructor(
    readonly points: Points,
    readonly settings: NetworkSettings,
  ) {
    manualSeed(settings.seed);
    const widths = [2, ...settings.hidden, 1];
    const layers: Module[] = [];
    for (let i = 0; i + 1 < widths.length; i++) {
      layers.push(new Dense(widths[i], widths[i + 1], { weightInitializer: 'glorotNormal' }));
      if (i + 2 < widths.length) layers.push(activation(settings.activation));
    }
    this.model = new Sequential(...layers);
    this.optimizer = new SGD(this.model.parameters(), { lr: settings.learningRate, momentum: 0.9 });
    this.inputs = fromArray(new NDArray(points.x, [points.n, 2]));
    this.targets = fromArray(new NDArray(points.y, [points.n, 1]));
  }

  /** One epoch (full batch); returns its loss. */
  step(): number {
    this.optimizer.zeroGrad();
    const loss = binaryCrossEntropyWithLogits(this.model.forward(this.inputs), this.targets);
    loss.backward();
    this.optimizer.step();
    const value = loss.item();
    this.losses.push(value);
    return value;
  }

  /** P(label 1) on a `size`×`size` grid over [−1, 1]² (row 0 at the top, y = 1). */
  surface(size: number): Float32Array {
    const grid = new Float32Array(size * size * 2);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        grid[(r * size + c) * 2] = -1 + (2 * (c + 0.5)) / size;
        grid[(r * size + c) * 2 + 1] = 1 - (2 * (r + 0.5)) / size;
      }
    }
    const logits = noGrad(() => this.model.forward(fromArray(new NDArray(grid, [size * size, 2])))).value.data;
    return Float32Array.from(logits, (z) => 1 / (1 + Math.exp(-z)));
  }

  /** Fraction of training points on the right side of 0.5. */
  accuracy(): number {
    const logits = noGrad(() => this.model.forward(this.inputs)).value.data;
    let hits = 0;
    for (let i = 0; i < this.points.n; i++) if (logits[i] > 0 === this.points.y[i] > 0.5) hits++;
    return hits / this.points.n;
  }

  /** Each Dense layer's weights `[in][out]`, for drawing the network. */
  weights(): number[][][] {
    return this.model
      .parameters()
      .filter((p) => p.ndim === 2)
      .map((w) => Array.from({ length: w.shape[0] }, (_, i) => Array.from(w.value.data.subarray(i * w.shape[1], (i + 1) * w.shape[1]))));
  }
}
