import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError } from '@backprop/engine';
import type { LoadedModel } from '@backprop/io';
import { loadModel } from '@backprop/io/node';
import { activationNames, type Module } from '@backprop/layers';
import { type EpochLogs, lossNames, type Scaler, scalerFromJSON } from '@backprop/train';
import type { Schema } from './data.js';
import { badInput } from './errors.js';

/** What `backprop train` stores in a model's metadata. */
export interface CliMetadata {
  tool: 'backprop';
  schema: Schema;
  loss: string;
  activation: string;
  hidden: number[];
  optimizer: string;
  epochs: number;
  seed: number;
  /** The fraction held out for validation (absent in models saved before it was recorded: 0). */
  validationSplit: number;
  batchSize: number;
  history: EpochLogs[];
}

/** A loaded model with what the CLI needs around it. */
export interface OpenedModel {
  loaded: LoadedModel;
  model: Module;
  scaler: Scaler | undefined;
  metadata: Partial<CliMetadata>;
}

/** Loads a model folder; missing, truncated or corrupt folders are bad input (exit 2) with the file named. */
export async function openModel(dir: string | undefined, flag = '--model'): Promise<OpenedModel> {
  if (!dir) throw badInput(`${flag} is required: the folder of a saved model`);
  if (!existsSync(dir)) throw badInput(`${flag} ${dir}: no such model folder`);
  if (statSync(dir).isDirectory() && !existsSync(join(dir, 'model.json')))
    throw badInput(`${flag} ${dir}: not a model folder (no model.json)`);
  let loaded: LoadedModel;
  try {
    loaded = await loadModel(dir);
  } catch (error) {
    if (BackpropError.isInstance(error)) throw badInput(error.message);
    throw error;
  }
  let scaler: Scaler | undefined;
  if (loaded.preprocessing !== null && loaded.preprocessing !== undefined) {
    try {
      scaler = scalerFromJSON(loaded.preprocessing);
    } catch {
      throw badInput(`${join(dir, 'model.json')}: 'preprocessing' is not a scaler this version understands`);
    }
  }
  const file = join(dir, 'model.json');
  const metadata = checkMetadata(loaded.metadata, file);
  if (scaler && metadata.schema) {
    const json = scaler.toJSON();
    const width = json.type === 'standardize' ? json.mean.length : json.min.length;
    if (width !== metadata.schema.inputWidth)
      throw badInput(
        `${file}: 'preprocessing' scales ${width} feature${width === 1 ? '' : 's'}, but 'metadata.schema' encodes ${metadata.schema.inputWidth}`,
      );
  }
  return { loaded, model: loaded.model, scaler, metadata };
}

/**
 * The `backprop train` entries of a model's metadata, each checked when present (a model saved by
 * the library directly has none): a file edited by hand is refused here, naming the entry, rather
 * than failing inside a command.
 */
export function checkMetadata(metadata: Record<string, unknown>, file: string): Partial<CliMetadata> {
  const fail = (entry: string, expected: string, got: unknown): never => {
    throw badInput(`${file}: 'metadata.${entry}' must be ${expected}, got ${JSON.stringify(got) ?? 'undefined'}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
  const texts = (v: unknown, min: number): v is string[] =>
    Array.isArray(v) && v.length >= min && v.every(isText) && new Set(v).size === v.length;
  const m = metadata;
  if (m.loss !== undefined && !(typeof m.loss === 'string' && (lossNames as readonly string[]).includes(m.loss)))
    fail('loss', `one of ${lossNames.join(', ')}`, m.loss);
  if (m.activation !== undefined && !(typeof m.activation === 'string' && (activationNames as readonly string[]).includes(m.activation)))
    fail('activation', `one of ${activationNames.join(', ')}`, m.activation);
  if (m.optimizer !== undefined && !isText(m.optimizer)) fail('optimizer', 'an optimizer name', m.optimizer);
  if (m.hidden !== undefined && !(Array.isArray(m.hidden) && m.hidden.every((n) => Number.isInteger(n) && n > 0)))
    fail('hidden', 'a list of positive integers', m.hidden);
  for (const key of ['epochs', 'seed'] as const) {
    if (m[key] !== undefined && !(Number.isInteger(m[key]) && (m[key] as number) >= 0)) fail(key, 'a non-negative integer', m[key]);
  }
  if (m.batchSize !== undefined && !(Number.isSafeInteger(m.batchSize) && (m.batchSize as number) > 0))
    fail('batchSize', 'a positive integer', m.batchSize);
  const split = m.validationSplit;
  if (split !== undefined && !(typeof split === 'number' && split >= 0 && split < 1))
    fail('validationSplit', 'a fraction from 0 up to (not including) 1', split);
  if (m.history !== undefined) {
    if (!Array.isArray(m.history)) fail('history', 'a list of epochs', m.history);
    (m.history as unknown[]).forEach((e, i) => {
      if (!isObject(e) || !Number.isInteger(e.epoch) || typeof e.loss !== 'number') fail(`history[${i}]`, 'an epoch { epoch, loss, … }', e);
    });
  }
  if (m.schema !== undefined) {
    const schema = m.schema;
    if (!isObject(schema)) return fail('schema', 'an object { features, target, inputWidth }', schema);
    if (!Array.isArray(schema.features)) fail('schema.features', 'a list of columns', schema.features);
    let width = 0;
    (schema.features as unknown[]).forEach((f, i) => {
      const at = `schema.features[${i}]`;
      if (!isObject(f) || !isText(f.name)) fail(at, 'a column { name, kind }', f);
      const feature = f as Record<string, unknown>;
      if (feature.kind === 'numeric') width += 1;
      else if (feature.kind === 'categorical') {
        if (!texts(feature.categories, 1)) fail(`${at}.categories`, 'a list of distinct category names', feature.categories);
        width += (feature.categories as string[]).length;
      } else fail(`${at}.kind`, "'numeric' or 'categorical'", feature.kind);
    });
    if (schema.inputWidth !== width) fail('schema.inputWidth', `${width} (the width of its columns)`, schema.inputWidth);
    const target = schema.target;
    if (!isObject(target) || !isText(target.name)) return fail('schema.target', 'a column { name, kind }', target);
    if (target.kind === 'classes') {
      if (!texts(target.classes, 2)) fail('schema.target.classes', 'a list of two or more distinct class names', target.classes);
    } else if (target.kind === 'binary') {
      if (!texts(target.classes, 2) || (target.classes as string[]).length !== 2)
        fail('schema.target.classes', 'two distinct class names', target.classes);
      const labels = target.labels;
      if (!Array.isArray(labels) || labels.length !== 2 || !labels.every(Number.isFinite) || labels[0] === labels[1])
        fail('schema.target.labels', 'two distinct numbers', labels);
    } else if (target.kind !== 'probability' && target.kind !== 'numeric') {
      fail('schema.target.kind', "'classes', 'binary', 'probability' or 'numeric'", target.kind);
    }
  }
  return m as Partial<CliMetadata>;
}

/** The schema, or a clear error for models saved without one (e.g. by the library directly). */
export function requireSchema(opened: OpenedModel, dir: string): Schema {
  const schema = opened.metadata.schema;
  if (!schema || !Array.isArray(schema.features) || typeof schema.inputWidth !== 'number') {
    throw badInput(`--model ${dir}: the model has no data schema (it was not trained by 'backprop train'), so its columns are unknown`);
  }
  return schema;
}
