import { type FromConfigOptions, type LayerConfig, layerFromConfig, type Module } from '@backprop/layers';
import { ArgumentError, BackpropError, checkOptionKeys, FileFormatError, formatShape, type NDArray, optionKeys } from '@backprop/tensor';
import { verifyRoundTrip } from './round-trip.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** The format name written in every model description. */
export const modelFormat = 'backprop.model';
/** The description format this version writes and reads. */
export const modelFormatVersion = 1;

/** An optimizer snapshot as `@backprop/optim` produces it (kept structural: io does not depend on optim). */
export interface OptimizerSnapshot {
  type: string;
  paramGroups: ({ params: number[] } & Record<string, unknown>)[];
  state: Record<number, Record<string, number | NDArray>>;
}

/** What is saved next to the layers and weights. */
export interface SaveOptions {
  /** Shape of one input sample without the batch axis, e.g. `[784]` or `[1, 28, 28]`. */
  inputShape?: readonly number[];
  /** Preprocessing to apply before the model (e.g. a scaler's `toJSON()`), stored as JSON. */
  preprocessing?: unknown;
  /** Free-form JSON: class names, target column, training history, … */
  metadata?: Record<string, unknown>;
  /** Optimizer state, to resume training exactly. */
  optimizer?: OptimizerSnapshot;
}

/** The keys of {@link SaveOptions}. */
export const saveKeys = optionKeys({ inputShape: true, preprocessing: true, metadata: true, optimizer: true } satisfies Record<
  keyof SaveOptions,
  true
>);

/** The JSON description (`model.json`). */
export interface ModelDescription {
  format: typeof modelFormat;
  formatVersion: number;
  /** The layer config (`model.getConfig()`). */
  model: LayerConfig;
  inputShape: number[] | null;
  preprocessing: unknown;
  metadata: Record<string, unknown>;
  /** The weights file, its SHA-256 (hex, when written by `saveModel`) and the tensors it must hold. */
  weights: { file: string; sha256?: string; tensors: Record<string, { dtype: string; shape: number[] }> };
  /** Optimizer options per group and its scalar state; its buffers are in the weights file as `@optimizer.<param>.<name>`. */
  optimizer: {
    type: string;
    paramGroups: ({ params: number[] } & Record<string, unknown>)[];
    scalars: Record<string, Record<string, number>>;
  } | null;
}

/** A model read back from its description and weights. */
export interface LoadedModel {
  model: Module;
  description: ModelDescription;
  inputShape: number[] | null;
  preprocessing: unknown;
  metadata: Record<string, unknown>;
  optimizer: OptimizerSnapshot | undefined;
}

const optimizerPrefix = '@optimizer.';

/**
 * Refuses a model in which one parameter or buffer sits at two paths (a layer used twice, or
 * weights tied by hand): its description builds each layer on its own, and the state dict holds
 * the tensor once, so the file would not load back (or, loaded leniently, would untie the layers).
 */
function refuseSharedTensors(model: Module): void {
  const seen = new Map<unknown, string>();
  for (const [prefix, m] of model.namedModules()) {
    for (const [name, t] of [...m.namedParameters(), ...m.namedBuffers()]) {
      if (name.includes('.')) continue; // a child's, seen at the child
      const path = prefix === '' ? name : `${prefix}.${name}`;
      const first = seen.get(t);
      if (first !== undefined) {
        throw new ArgumentError(
          `serializeModel: '${path}' is the same tensor as '${first}' (a layer used twice, or tied weights); a model file describes each layer with weights of its own, so it could not be loaded back`,
          { where: 'serializeModel', argument: 'model' },
        );
      }
      seen.set(t, path);
    }
  }
}

/**
 * Turns a model into its JSON description and safetensors weights (browser-safe: no file
 * system). The weights hold the state dict (parameters and buffers) and any optimizer buffers.
 * It first checks that the description builds the same model again — the same parameters and
 * buffers and, given `inputShape`, the same outputs for a probe input — so that a custom layer
 * whose `getConfig()` leaves out an option is refused here, instead of being saved as a file that
 * loads into another model (models with layer types this process has not registered are not
 * checked). The model and the global random generator are left as they were.
 * @throws ArgumentError when the description would not rebuild the model, or for a bad `inputShape`.
 * @example const { description, weights } = serializeModel(model, { inputShape: [2] });
 */
export function serializeModel(
  model: Module,
  options: SaveOptions = {},
  weightsFile = 'model.safetensors',
): { description: ModelDescription; weights: Uint8Array } {
  options ??= {};
  checkOptionKeys(options, saveKeys, 'serializeModel');
  if (typeof model?.getConfig !== 'function' || typeof model.stateDict !== 'function') {
    throw new ArgumentError('serializeModel: model must be a Module of @backprop/layers', { where: 'serializeModel', argument: 'model' });
  }
  refuseSharedTensors(model);
  const { inputShape } = options;
  // What loadModel accepts, so that no file is written that it would refuse.
  if (inputShape !== undefined && (!Array.isArray(inputShape) || inputShape.some((n) => !Number.isInteger(n) || n < 1))) {
    throw new ArgumentError(
      `serializeModel: 'inputShape' must be a list of positive integers (one sample, without the batch axis), got ${JSON.stringify(inputShape)}`,
      {
        where: 'serializeModel',
        argument: 'inputShape',
      },
    );
  }
  const config = model.getConfig();
  const state = model.stateDict();
  verifyRoundTrip(model, config, state, inputShape);
  const tensors: Record<string, NDArray> = { ...state };
  let optimizer: ModelDescription['optimizer'] = null;
  if (options.optimizer) {
    const scalars: Record<string, Record<string, number>> = {};
    for (const [index, entry] of Object.entries(options.optimizer.state)) {
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value === 'number') (scalars[index] ??= {})[key] = value;
        else tensors[`${optimizerPrefix}${index}.${key}`] = value;
      }
    }
    optimizer = { type: options.optimizer.type, paramGroups: options.optimizer.paramGroups, scalars };
  }
  const description: ModelDescription = {
    format: modelFormat,
    formatVersion: modelFormatVersion,
    model: JSON.parse(JSON.stringify(config)),
    inputShape: options.inputShape ? [...options.inputShape] : null,
    preprocessing: options.preprocessing === undefined ? null : JSON.parse(JSON.stringify(options.preprocessing)),
    metadata: JSON.parse(JSON.stringify(options.metadata ?? {})),
    weights: {
      file: weightsFile,
      tensors: Object.fromEntries(
        Object.entries(tensors).map(([name, t]) => [
          name,
          { dtype: { float32: 'F32', float64: 'F64', int32: 'I32' }[t.dtype], shape: [...t.shape] },
        ]),
      ),
    },
    optimizer,
  };
  return { description, weights: encodeSafetensors(tensors, { format: modelFormat }) };
}

/**
 * Checks a parsed `model.json` strictly and returns it typed; every problem names the file and
 * the field.
 */
export function validateDescription(json: unknown, file = 'model.json'): ModelDescription {
  const fail = (message: string) => new FileFormatError(`${file}: ${message}`, { file, where: 'loadModel' });
  const d = json as Record<string, unknown>;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw fail('must be a JSON object');
  if (d.format !== modelFormat)
    throw fail(`'format' must be "${modelFormat}", got ${JSON.stringify(d.format)} (not a backprop model description)`);
  if (d.formatVersion !== modelFormatVersion) {
    throw fail(
      typeof d.formatVersion === 'number' && d.formatVersion > modelFormatVersion
        ? `written in format version ${d.formatVersion}, newer than this library reads (${modelFormatVersion}); upgrade @backprop/io`
        : `'formatVersion' must be ${modelFormatVersion}, got ${JSON.stringify(d.formatVersion)}`,
    );
  }
  if (typeof d.model !== 'object' || d.model === null || typeof (d.model as LayerConfig).type !== 'string')
    throw fail("'model' must be a layer config with a 'type'");
  if (d.inputShape !== null && (!Array.isArray(d.inputShape) || d.inputShape.some((n) => !Number.isInteger(n) || n < 1)))
    throw fail(`'inputShape' must be null or a list of positive integers, got ${JSON.stringify(d.inputShape)}`);
  if (typeof d.metadata !== 'object' || d.metadata === null || Array.isArray(d.metadata)) throw fail("'metadata' must be an object");
  const w = d.weights as ModelDescription['weights'];
  if (typeof w !== 'object' || w === null) throw fail("'weights' must be an object");
  if (typeof w.file !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(w.file))
    throw fail(`'weights.file' must be a plain file name in the model folder, got ${JSON.stringify(w.file)}`);
  if (w.sha256 !== undefined && (typeof w.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(w.sha256)))
    throw fail("'weights.sha256' must be 64 lowercase hex digits");
  if (typeof w.tensors !== 'object' || w.tensors === null) throw fail("'weights.tensors' must list the tensors");
  for (const [name, t] of Object.entries(w.tensors)) {
    if (typeof t !== 'object' || t === null || typeof t.dtype !== 'string' || !Array.isArray(t.shape))
      throw fail(`'weights.tensors.${name}' must have a dtype and a shape`);
  }
  const o = d.optimizer as ModelDescription['optimizer'];
  if (
    o !== null &&
    (typeof o !== 'object' ||
      typeof o.type !== 'string' ||
      !Array.isArray(o.paramGroups) ||
      typeof o.scalars !== 'object' ||
      o.scalars === null)
  ) {
    throw fail("'optimizer' must be null or { type, paramGroups, scalars }");
  }
  return d as unknown as ModelDescription;
}

/**
 * Rebuilds a model from its description and weights bytes (browser-safe). Validates the
 * description, the safetensors layout, that the weights hold exactly the tensors the description
 * lists, and that these fit the rebuilt model (every missing, unexpected or mis-shaped tensor
 * is listed) before any weight is copied.
 * @example const { model } = deserializeModel(JSON.parse(jsonText), bytes);
 */
export function deserializeModel(
  json: unknown,
  weights: Uint8Array,
  options: FromConfigOptions & { file?: string; weightsFile?: string } = {},
): LoadedModel {
  options ??= {};
  checkOptionKeys(options, ['layers', 'file', 'weightsFile'], 'deserializeModel');
  const file = options.file ?? 'model.json';
  const weightsFile = options.weightsFile ?? 'weights';
  const description = validateDescription(json, file);
  const { tensors } = decodeSafetensors(weights, weightsFile);
  const fail = (message: string) => new FileFormatError(message, { file: weightsFile, where: 'loadModel' });
  const listed = Object.keys(description.weights.tensors);
  const present = Object.keys(tensors);
  const missing = listed.filter((n) => !(n in tensors));
  const extra = present.filter((n) => !(n in description.weights.tensors));
  if (missing.length || extra.length) {
    throw fail(
      `${weightsFile} does not match ${file}: ${[missing.length ? `missing tensors ${missing.join(', ')}` : '', extra.length ? `unexpected tensors ${extra.join(', ')}` : ''].filter(Boolean).join('; ')}`,
    );
  }
  for (const [name, t] of Object.entries(description.weights.tensors)) {
    if (formatShape(t.shape) !== formatShape(tensors[name].shape))
      throw fail(`${weightsFile}: tensor '${name}' has shape ${formatShape(tensors[name].shape)}, ${file} says ${formatShape(t.shape)}`);
  }
  let model: Module;
  try {
    model = layerFromConfig(description.model, { layers: options.layers });
  } catch (error) {
    if (BackpropError.isInstance(error)) throw new FileFormatError(`${file}: ${error.message}`, { file, where: 'loadModel', cause: error });
    throw error;
  }
  const state: Record<string, NDArray> = {};
  const optimizerBuffers: Record<string, NDArray> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith(optimizerPrefix)) optimizerBuffers[name.slice(optimizerPrefix.length)] = t;
    else state[name] = t;
  }
  const expected = model.stateDict();
  const problems: string[] = [];
  const absent = Object.keys(expected).filter((n) => !(n in state));
  const unknown = Object.keys(state).filter((n) => !(n in expected));
  if (absent.length) problems.push(`missing tensors ${absent.join(', ')}`);
  if (unknown.length) problems.push(`unexpected tensors ${unknown.join(', ')}`);
  for (const [name, t] of Object.entries(expected)) {
    const s = state[name];
    if (s && formatShape(s.shape) !== formatShape(t.shape))
      problems.push(`'${name}' is ${formatShape(s.shape)} in the file, ${formatShape(t.shape)} in the model`);
    else if (s && s.dtype !== t.dtype) problems.push(`'${name}' is ${s.dtype} in the file, ${t.dtype} in the model`);
  }
  if (problems.length) throw fail(`${weightsFile} does not fit the model described in ${file}: ${problems.join('; ')}`);
  model.loadStateDict(state);
  let optimizer: OptimizerSnapshot | undefined;
  if (description.optimizer) {
    const byParam: OptimizerSnapshot['state'] = {};
    for (const [index, scalars] of Object.entries(description.optimizer.scalars)) Object.assign((byParam[Number(index)] ??= {}), scalars);
    for (const [key, t] of Object.entries(optimizerBuffers)) {
      const dot = key.indexOf('.');
      (byParam[Number(key.slice(0, dot))] ??= {})[key.slice(dot + 1)] = t;
    }
    optimizer = { type: description.optimizer.type, paramGroups: description.optimizer.paramGroups, state: byParam };
  } else if (Object.keys(optimizerBuffers).length) {
    throw fail(`${weightsFile} holds optimizer tensors but ${file} describes no optimizer`);
  }
  return {
    model,
    description,
    inputShape: description.inputShape,
    preprocessing: description.preprocessing,
    metadata: description.metadata,
    optimizer,
  };
}
