import { reshape, type Tensor, take } from '@backprop/engine';
import { ArgumentError, formatShape, optionKeys } from '@backprop/tensor';
import { type InitializerSpec, resolveInitializer } from './init.js';
import { type LayerConfig, Module, moduleShapeError } from './module.js';
import { checkInteger, checkLayerOptions, type ParameterOptions, parameterDType } from './options.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions extends ParameterOptions {
  /** Initializer of the table; default N(0, 1), as PyTorch. */
  initializer?: InitializerSpec;
}

const embeddingKeys = optionKeys({ initializer: true } satisfies Record<Exclude<keyof EmbeddingOptions, keyof ParameterOptions>, true>);

/**
 * A lookup table `[numEmbeddings, embeddingDim]`: int32 indices of any shape become vectors,
 * output `[...indices.shape, embeddingDim]`. Its gradient adds into the rows that were used.
 * @example new Embedding(10_000, 64).forward(tokenIds) // [batch, length, 64]
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    options ??= {};
    checkLayerOptions(options, 'Embedding', embeddingKeys);
    checkInteger(numEmbeddings, 'Embedding', 'numEmbeddings');
    checkInteger(embeddingDim, 'Embedding', 'embeddingDim');
    const dtype = parameterDType(options, 'Embedding');
    const init = resolveInitializer(options.initializer ?? { type: 'normal', std: 1 }, 'Embedding');
    this.weight = this.parameter(
      'weight',
      init({ shape: [numEmbeddings, embeddingDim], fanIn: numEmbeddings, fanOut: embeddingDim, dtype, generator: options.generator }),
    );
  }
  override get typeName(): string {
    return 'Embedding';
  }
  forward(indices: Tensor): Tensor {
    if (!indices?.shape || indices.dtype !== 'int32') {
      throw moduleShapeError(
        this,
        `expected int32 indices, got ${indices?.shape ? `${indices.dtype} ${formatShape(indices.shape)}` : String(indices)}`,
        [],
      );
    }
    const data = indices.value.data;
    for (let i = 0; i < data.length; i++) {
      if (data[i] < 0 || data[i] >= this.numEmbeddings) {
        throw new ArgumentError(
          `${this.label}: index ${data[i]} at flat position ${i} of ${formatShape(indices.shape)} is out of range for ${this.numEmbeddings} embeddings`,
          {
            where: this.path || 'Embedding',
            argument: 'indices',
          },
        );
      }
    }
    const rows = take(this.weight, reshape(indices, [indices.size]), 0);
    return reshape(rows, [...indices.shape, this.embeddingDim]);
  }
  override getConfig(): LayerConfig {
    return { type: 'Embedding', numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, dtype: this.weight.dtype };
  }
}
