import { fromArray, noGrad, type Tensor } from '@backprop/engine';
import { type LayerConfig, layerFromConfig, layerTypes, type Module } from '@backprop/layers';
import { ArgumentError, BackpropError, formatShape, globalGenerator, type NDArray, randn, sameShape } from '@backprop/tensor';

const fail = (message: string) => new ArgumentError(`serializeModel: ${message}`, { where: 'serializeModel', argument: 'model' });

/** Every layer type a config names (a `type` string anywhere in it). */
function typesIn(config: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(config)) for (const c of config) typesIn(c, into);
  else if (typeof config === 'object' && config !== null) {
    for (const [key, value] of Object.entries(config)) {
      if (key === 'type' && typeof value === 'string') into.add(value);
      else typesIn(value, into);
    }
  }
  return into;
}

/**
 * Checks that `config` (the model's `getConfig()`) builds the model again: the same parameters
 * and buffers by name, shape and dtype, and — given `inputShape` — the same output for a probe
 * input, bit for bit, with the saved weights. A custom layer whose `getConfig()` leaves out an
 * option (a slope, a flag, a size) would otherwise be saved as a file that loads into another
 * model, silently or at load time. Layer types this process has not registered cannot be built
 * here, so a model holding one is not checked (its loader registers them). Nothing about the
 * model or the global random generator changes.
 */
export function verifyRoundTrip(
  model: Module,
  config: LayerConfig,
  state: Record<string, NDArray>,
  inputShape: readonly number[] | undefined,
): void {
  const known = new Set(layerTypes());
  if ([...typesIn(config)].some((type) => !known.has(type))) return;
  const generator = globalGenerator();
  const before = generator.getState();
  let rebuilt: Module;
  try {
    rebuilt = layerFromConfig(config);
  } catch (error) {
    if (!BackpropError.isInstance(error)) throw error;
    throw fail(
      `the model's getConfig() does not describe a model that can be built again (${error.message}); loadModel could not read the file`,
    );
  } finally {
    generator.setState(before);
  }
  const built = rebuilt.stateDict();
  const problems: string[] = [];
  for (const [name, t] of Object.entries(state)) {
    const other = built[name];
    if (other === undefined) problems.push(`'${name}' is not in the rebuilt model`);
    else if (other.dtype !== t.dtype || !sameShape(other.shape, t.shape))
      problems.push(`'${name}' is ${t.dtype} ${formatShape(t.shape)} in the model but ${other.dtype} ${formatShape(other.shape)} rebuilt`);
  }
  for (const name of Object.keys(built)) if (!(name in state)) problems.push(`the rebuilt model has '${name}', which the model has not`);
  if (problems.length > 0) {
    throw fail(
      `the model's getConfig() describes another model (${problems.join('; ')}): a custom layer's getConfig() must return every option its constructor needs`,
    );
  }
  if (inputShape === undefined) return;
  rebuilt.loadStateDict(state);
  // Each run starts from the global generator's state and leaves it there: a layer that draws in
  // eval mode draws the same numbers in both models, and the caller's sequence is untouched.
  const probeOutput = (m: Module, x: Tensor): NDArray | undefined => {
    const modes = m.namedModules().map(([, sub]) => [sub, sub.training] as const);
    try {
      m.eval();
      return noGrad(() => m.forward(x)).value;
    } finally {
      for (const [sub, training] of modes) sub.training = training;
      generator.setState(before);
    }
  };
  const dtype = Object.values(state).find((t) => t.dtype !== 'int32')?.dtype ?? 'float32';
  const probe = fromArray(randn([2, ...inputShape], { dtype, seed: 20_240_601 }));
  let expected: NDArray | undefined;
  try {
    expected = probeOutput(model, probe);
  } catch {
    // Inputs of another kind (indices for an Embedding): there is no probe to compare with.
    return;
  }
  let got: NDArray | undefined;
  try {
    got = probeOutput(rebuilt, probe);
  } catch (error) {
    throw fail(
      `the model's getConfig() describes another model: the model takes input [2, ${inputShape.join(', ')}] but the rebuilt one fails on it (${(error as Error).message})`,
    );
  }
  const same =
    got !== undefined &&
    expected !== undefined &&
    sameShape(got.shape, expected.shape) &&
    got.data.every((v, i) => Object.is(v, expected?.data[i]));
  if (!same) {
    throw fail(
      "the model's getConfig() describes another model: with the same weights, the rebuilt model computes other outputs for the same input (a custom layer's getConfig() must return every option its constructor needs, such as a slope or a flag)",
    );
  }
}
