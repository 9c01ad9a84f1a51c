import { flatten, type Tensor } from '@backprop/engine';
import { type LayerConfig, Module } from './module.js';

/**
 * Flattens axes `startAxis..endAxis` into one (default: everything but the batch axis, as
 * PyTorch's `nn.Flatten`).
 * @example new Flatten().forward(x) // [n, c, h, w] → [n, c·h·w]
 */
export class Flatten extends Module {
  constructor(
    readonly startAxis = 1,
    readonly endAxis = -1,
  ) {
    super();
  }
  override get typeName(): string {
    return 'Flatten';
  }
  forward(x: Tensor): Tensor {
    return this.withContext(() => flatten(x, this.startAxis, this.endAxis));
  }
  override getConfig(): LayerConfig {
    return { type: 'Flatten', startAxis: this.startAxis, endAxis: this.endAxis };
  }
}
