import { assertNotTracing, fromArray, isTensor, mul, type Tensor } from '@backprop/engine';
import { Generator, globalGenerator, NDArray, optionKeys, rand } from '@backprop/tensor';
import { type LayerConfig, Module, moduleShapeError } from './module.js';
import { checkLayerOptions, checkRange } from './options.js';

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Seed of the layer's own generator (otherwise it draws from `generator` or the global one). */
  seed?: number;
  /** A generator to draw the masks from. */
  generator?: Generator;
}

const dropoutKeys = optionKeys({ seed: true, generator: true } satisfies Record<keyof DropoutOptions, true>);

/**
 * In training, zeroes each element with probability `p` and scales the rest by 1/(1 − p)
 * (inverted dropout, as PyTorch), so evaluation is the identity. Masks come from a seedable
 * generator, so runs are reproducible. In training mode it cannot be traced by `compileBackward`
 * (a mask drawn once would be reused): tracing it throws a CompileError.
 * @example new Dropout(0.5, { seed: 1 })
 */
export class Dropout extends Module {
  readonly #generator: Generator | undefined;
  constructor(
    readonly p = 0.5,
    options: DropoutOptions = {},
  ) {
    super();
    options ??= {};
    checkLayerOptions(options, 'Dropout', dropoutKeys, false);
    checkRange(p, 'Dropout', 'p', 0, 1);
    this.#generator = options.generator ?? (options.seed === undefined ? undefined : new Generator(options.seed));
  }
  override get typeName(): string {
    return 'Dropout';
  }
  forward(x: Tensor): Tensor {
    if (!isTensor(x)) throw moduleShapeError(this, `expected a Tensor, got ${x === null ? 'null' : typeof x}`, []);
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return mul(x, 0);
    assertNotTracing(this.typeName, 'draws a new mask on every call in training mode (model.eval() turns it off)');
    const keep = 1 - this.p;
    const u = rand(x.shape, { dtype: x.dtype === 'float64' ? 'float64' : 'float32', generator: this.#generator ?? globalGenerator() });
    const mask = u.data.map((v) => (v < keep ? 1 / keep : 0));
    return mul(x, fromArray(new NDArray(mask, x.shape)));
  }
  override getConfig(): LayerConfig {
    return { type: 'Dropout', p: this.p };
  }
}
