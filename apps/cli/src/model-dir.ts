import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError } from '@backprop/engine';
import type { LoadedModel } from '@backprop/io';
import { loadModel } from '@backprop/io/node';
import type { Module } from '@backprop/layers';
import { type EpochLogs, type Scaler, scalerFromJSON } from '@backprop/train';
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
  return { loaded, model: loaded.model, scaler, metadata: loaded.metadata as Partial<CliMetadata> };
}

/** The schema, or a clear error for models saved without one (e.g. by the library directly). */
export function requireSchema(opened: OpenedModel, dir: string): Schema {
  const schema = opened.metadata.schema;
  if (!schema || !Array.isArray(schema.features) || typeof schema.inputWidth !== 'number') {
    throw badInput(`--model ${dir}: the model has no data schema (it was not trained by 'backprop train'), so its columns are unknown`);
  }
  return schema;
}
