import type { Tensor } from '@backprop/engine';
import { ArgumentError } from '@backprop/tensor';
import { addModuleContext, type LayerConfig, Module } from './module.js';

/**
 * Runs its layers one after the other; they are registered under `'0'`, `'1'`, … so the state
 * dict reads `0.weight`, `2.bias`, as PyTorch. Errors from a layer name its path.
 * @example
 * const model = new Sequential(new Dense(2, 4), new Sigmoid(), new Dense(4, 1), new Sigmoid());
 */
export class Sequential extends Module {
  readonly #layers: Module[] = [];

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

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.#layers) y = this.withLayer(layer, y);
    return y;
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
