import { ArgumentError, allocate, type DType, type Generator, globalGenerator, NDArray, normal, uniform } from '@backprop/tensor';

/** What an initializer needs to know about the tensor it fills. */
export interface InitContext {
  /** Shape of the tensor to create. */
  shape: readonly number[];
  /** Inputs feeding each output unit (Dense: `inFeatures`; Conv2d: `inChannels/groups · kH · kW`). */
  fanIn: number;
  /** Outputs fed by each input unit (Dense: `outFeatures`; Conv2d: `outChannels · kH · kW`). */
  fanOut: number;
  /** Element type; default `'float32'`. */
  dtype?: DType;
  /** Random source; default the global generator (seeded by `manualSeed`). */
  generator?: Generator;
}

/** A function that creates the initial values of a parameter. */
export type Initializer = (context: InitContext) => NDArray;

/**
 * An initializer given by name (`'heNormal'`), as `{ type, ...options }`, or as a function.
 * Names: zeros, ones, constant (`value`), uniform (`low`, `high`), normal (`mean`, `std`),
 * glorotUniform, glorotNormal (`gain`), heUniform, heNormal (`gain`, default √2),
 * lecunUniform, lecunNormal, uniformFanIn.
 */
export type InitializerSpec = InitializerName | ({ type: InitializerName } & Record<string, number | string>) | Initializer;

/** The names of the built-in initializers. */
export type InitializerName =
  | 'zeros'
  | 'ones'
  | 'constant'
  | 'uniform'
  | 'normal'
  | 'glorotUniform'
  | 'glorotNormal'
  | 'xavierUniform'
  | 'xavierNormal'
  | 'heUniform'
  | 'heNormal'
  | 'kaimingUniform'
  | 'kaimingNormal'
  | 'lecunUniform'
  | 'lecunNormal'
  | 'uniformFanIn';

const fill = (value: number) => (c: InitContext) => {
  const out = new NDArray(allocate(c.dtype === 'float64' ? 'float64' : 'float32', size(c.shape)), c.shape);
  if (value !== 0) out.data.fill(value);
  return out;
};
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const box = (bound: number) => (c: InitContext) =>
  uniform(c.shape, -bound, bound, { dtype: c.dtype ?? 'float32', generator: c.generator ?? globalGenerator() });
const gauss =
  (std: number, mean = 0) =>
  (c: InitContext) =>
    normal(c.shape, mean, std, { dtype: c.dtype ?? 'float32', generator: c.generator ?? globalGenerator() });

/** Every initializer: each takes its options and returns the {@link Initializer}. */
export const initializers = {
  /** All zeros. */
  zeros: (): Initializer => fill(0),
  /** All ones. */
  ones: (): Initializer => fill(1),
  /** Every element `value`. */
  constant: ({ value = 0 }: { value?: number } = {}): Initializer => fill(value),
  /** U(low, high). */
  uniform:
    ({ low = -0.05, high = 0.05 }: { low?: number; high?: number } = {}): Initializer =>
    (c) =>
      uniform(c.shape, low, high, { dtype: c.dtype ?? 'float32', generator: c.generator ?? globalGenerator() }),
  /** N(mean, std²). */
  normal:
    ({ mean = 0, std = 0.05 }: { mean?: number; std?: number } = {}): Initializer =>
    (c) =>
      gauss(std, mean)(c),
  /** Glorot/Xavier uniform: U(±gain·√(6 / (fanIn + fanOut))). */
  glorotUniform:
    ({ gain = 1 }: { gain?: number } = {}): Initializer =>
    (c) =>
      box(gain * Math.sqrt(6 / (c.fanIn + c.fanOut)))(c),
  /** Glorot/Xavier normal: N(0, gain²·2 / (fanIn + fanOut)). */
  glorotNormal:
    ({ gain = 1 }: { gain?: number } = {}): Initializer =>
    (c) =>
      gauss(gain * Math.sqrt(2 / (c.fanIn + c.fanOut)))(c),
  /** He/Kaiming uniform (fan-in mode): U(±gain·√(3 / fanIn)), gain √2 for ReLU. */
  heUniform:
    ({ gain = Math.SQRT2 }: { gain?: number } = {}): Initializer =>
    (c) =>
      box(gain * Math.sqrt(3 / c.fanIn))(c),
  /** He/Kaiming normal (fan-in mode): N(0, gain² / fanIn), gain √2 for ReLU. */
  heNormal:
    ({ gain = Math.SQRT2 }: { gain?: number } = {}): Initializer =>
    (c) =>
      gauss(gain / Math.sqrt(c.fanIn))(c),
  /** LeCun uniform: U(±√(3 / fanIn)) (the SELU default). */
  lecunUniform: (): Initializer => (c) => box(Math.sqrt(3 / c.fanIn))(c),
  /** LeCun normal: N(0, 1 / fanIn). */
  lecunNormal: (): Initializer => (c) => gauss(1 / Math.sqrt(c.fanIn))(c),
  /** U(±1/√fanIn): PyTorch's default for `nn.Linear` and `nn.Conv2d` weights and biases. */
  uniformFanIn: (): Initializer => (c) => box(1 / Math.sqrt(c.fanIn))(c),
} as const;

const aliases: Record<string, keyof typeof initializers> = {
  xavierUniform: 'glorotUniform',
  xavierNormal: 'glorotNormal',
  kaimingUniform: 'heUniform',
  kaimingNormal: 'heNormal',
};

/**
 * Turns an {@link InitializerSpec} into an initializer; unknown names throw, listing the known ones.
 * @example resolveInitializer('heNormal')({ shape: [784, 128], fanIn: 784, fanOut: 128 })
 */
export function resolveInitializer(spec: InitializerSpec, where = 'initializer'): Initializer {
  if (typeof spec === 'function') return spec;
  const { type, ...options } =
    typeof spec === 'string' ? { type: spec } : typeof spec === 'object' && spec !== null ? spec : { type: String(spec) };
  const name = aliases[type as string] ?? type;
  const make = (initializers as Record<string, (options: Record<string, unknown>) => Initializer>)[name as string];
  if (typeof make !== 'function') {
    throw new ArgumentError(
      `${where}: unknown initializer ${JSON.stringify(type)}; known: ${[...Object.keys(initializers), ...Object.keys(aliases)].join(', ')}`,
      { where, argument: 'initializer' },
    );
  }
  return make(options);
}
