import { isTensor, type MlpActivation, type MlpLayer, mlp, type Tensor } from '@backprop/engine';
import { ArgumentError } from '@backprop/tensor';
import { ELU, GELU, LeakyReLU, ReLU, SELU, Sigmoid, SiLU, Softplus, Tanh } from './activations.js';
import { Dense } from './dense.js';
import { addModuleContext, type LayerConfig, Module } from './module.js';

/**
 * Layers `start` to `end` (exclusive): one layer run on its own, or (`dense` set) a run of `Dense`
 * layers, each followed by at most one element-wise activation layer.
 */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly dense: readonly { readonly layer: Dense; readonly activation: MlpActivation }[] | null;
  /** With `dense`: the classes' `forward` of layers `start` to `end`, which the fused op stands for. */
  readonly forwards: readonly unknown[];
}

/** Whether `layer` runs its class's own forward: an instance may replace it (to log, say), and is then not fused. */
function ownForward(layer: Module | undefined): boolean {
  return layer !== undefined && !Object.hasOwn(layer, 'forward');
}

/**
 * The activation layers `mlp` fuses, by exact class (a subclass may override `forward`), with
 * their options: every element-wise one (Softmax and LogSoftmax are not).
 */
function fusedActivation(layer: Module | undefined): MlpActivation | null {
  const proto = ownForward(layer) ? Object.getPrototypeOf(layer) : null;
  if (proto === Sigmoid.prototype) return 'sigmoid';
  if (proto === Tanh.prototype) return 'tanh';
  if (proto === ReLU.prototype) return 'relu';
  // Frozen, so that mlp resolves each one once (an options object that cannot change).
  if (proto === LeakyReLU.prototype) return Object.freeze({ name: 'leakyRelu', slope: (layer as LeakyReLU).slope });
  if (proto === ELU.prototype) return Object.freeze({ name: 'elu', alpha: (layer as ELU).alpha });
  if (proto === SELU.prototype) return 'selu';
  if (proto === GELU.prototype) return Object.freeze({ name: 'gelu', approximate: (layer as GELU).approximate });
  if (proto === Softplus.prototype) return Object.freeze({ name: 'softplus', beta: (layer as Softplus).beta });
  if (proto === SiLU.prototype) return 'silu';
  return null;
}

/** Splits the layers into segments; a run of `Dense` + activation layers becomes one segment for `mlp`. */
function segmentsOf(layers: readonly Module[]): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  while (i < layers.length) {
    const start = i;
    const dense: { layer: Dense; activation: MlpActivation }[] = [];
    while (i < layers.length && Object.getPrototypeOf(layers[i]) === Dense.prototype && ownForward(layers[i])) {
      const activation = fusedActivation(layers[i + 1]);
      dense.push({ layer: layers[i] as Dense, activation: activation ?? 'identity' });
      i += activation === null ? 1 : 2;
    }
    // A lone Dense is one op already; anything else runs as it is.
    if (i - start >= 2) segments.push({ start, end: i, dense, forwards: layers.slice(start, i).map((layer) => layer.forward) });
    else {
      i = start + 1;
      segments.push({ start, end: i, dense: null, forwards: [] });
    }
  }
  return segments;
}

/**
 * Runs its layers one after the other; they are registered under `'0'`, `'1'`, … so the state
 * dict reads `0.weight`, `2.bias`, as PyTorch. Errors from a layer name its path.
 * @example
 * const model = new Sequential(new Dense(2, 4), new Sigmoid(), new Dense(4, 1), new Sigmoid());
 */
export class Sequential extends Module {
  readonly #layers: Module[] = [];
  /** How `forward` runs the layers, worked out on the first call after a change. */
  #segments: Segment[] | null = null;

  constructor(...layers: Module[]) {
    super();
    for (const layer of layers) this.add(layer);
  }

  override get typeName(): string {
    return 'Sequential';
  }

  /** Appends a layer (registered under its index) and returns this container. */
  add(layer: Module): this {
    if (!(layer instanceof Module)) {
      throw new ArgumentError(`Sequential: layer ${this.#layers.length} must be a Module, got ${layer === null ? 'null' : typeof layer}`, {
        where: 'Sequential',
        argument: 'layers',
      });
    }
    this.module(String(this.#layers.length), layer);
    this.#layers.push(layer);
    this.#segments = null;
    return this;
  }

  /** The layers, in order. */
  get layers(): readonly Module[] {
    return this.#layers;
  }

  /** Number of layers. */
  get length(): number {
    return this.#layers.length;
  }

  /** The layer at `index` (negative counts from the end). */
  at(index: number): Module | undefined {
    return this.#layers.at(index);
  }

  /**
   * Runs the layers in order. A run of `Dense` layers, each followed by at most one element-wise
   * activation layer (`Sigmoid`, `Tanh`, `ReLU`, `LeakyReLU`, `ELU`, `SELU`, `GELU`, `Softplus`,
   * `SiLU`), goes through the engine's `mlp` op — the same values and gradients, and for small
   * layers one recorded op instead of two per layer. A layer whose `forward` was replaced on the
   * instance (to log or inspect, say) is not fused: its replacement runs.
   */
  forward(x: Tensor): Tensor {
    this.#segments ??= segmentsOf(this.#layers);
    const segments = this.#segments;
    let y = x;
    // Indexed loops (here and in fused): a small network runs them mostly before V8 optimizes
    // them, and an iterator costs the interpreter several calls per element.
    for (let s = 0; s < segments.length; s++) {
      const segment = segments[s];
      y = segment.dense === null ? this.withLayer(this.#layers[segment.start], y) : this.fused(segment, y);
    }
    return y;
  }

  private fused(segment: Segment, x: Tensor): Tensor {
    const dense = segment.dense ?? [];
    if (isTensor(x) && x.ndim >= 1 && x.shape[x.ndim - 1] === dense[0].layer.inFeatures && this.unchanged(segment)) {
      const layers: MlpLayer[] = [];
      for (let i = 0; i < dense.length; i++) {
        const { layer, activation } = dense[i];
        layers.push({ weight: layer.weight, bias: layer.bias, activation });
      }
      try {
        return mlp(x, layers);
      } catch {
        // Run the layers one by one below: the error they raise names the layer.
      }
    }
    let y = x;
    for (let i = segment.start; i < segment.end; i++) y = this.withLayer(this.#layers[i], y);
    return y;
  }

  /** Whether no layer of the segment had its `forward` replaced since the segments were worked out. */
  private unchanged(segment: Segment): boolean {
    const layers = this.#layers;
    const forwards = segment.forwards;
    for (let i = 0; i < forwards.length; i++) if (layers[segment.start + i].forward !== forwards[i]) return false;
    return true;
  }

  private withLayer(layer: Module, x: Tensor): Tensor {
    try {
      return layer.forward(x);
    } catch (error) {
      throw addModuleContext(error, layer);
    }
  }

  override getConfig(): LayerConfig {
    return { type: 'Sequential', layers: this.#layers.map((layer) => layer.getConfig()) };
  }
}
