import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FromConfigOptions, Module } from '@backprop/layers';
import { ArgumentError, checkOptionKeys, FileFormatError } from '@backprop/tensor';
import { deserializeModel, type LoadedModel, type SaveOptions, saveKeys, serializeModel } from './model-file.js';

/** The description's file name inside a model folder. */
export const descriptionFile = 'model.json';

/** Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed, then renamed over. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  if (typeof path !== 'string' || path === '' || path.endsWith('/'))
    throw new ArgumentError(`writeFileAtomic: the path must name a file, got ${JSON.stringify(path) ?? String(path)}`, {
      where: 'writeFileAtomic',
      argument: 'path',
    });
  if (typeof bytes !== 'string' && !(bytes instanceof Uint8Array))
    throw new ArgumentError('writeFileAtomic: the contents must be a string or a Uint8Array', {
      where: 'writeFileAtomic',
      argument: 'bytes',
    });
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Some platforms cannot fsync a directory; the renames are still atomic.
  }
}

/**
 * Saves a model into `folder` as `model.json` plus a weights file `model-<hash>.safetensors`,
 * crash-safely: the weights are written under a new name first, then `model.json` is replaced
 * atomically (temporary file + rename) — the single commit point — and only then are older weight
 * files removed. A crash at any moment leaves either the old model or the new one, never a mix.
 * @example await saveModel(model, 'models/xor', { inputShape: [2] });
 */
export async function saveModel(
  model: Module,
  folder: string,
  options: SaveOptions = {},
): Promise<{ description: string; weights: string }> {
  options ??= {};
  checkOptionKeys(options, saveKeys, 'saveModel');
  // Serialise first, synchronously: the weights saved are those of this moment, even if training goes on meanwhile.
  const { description, weights } = serializeModel(model, options);
  if (typeof folder !== 'string' || folder === '' || folder.endsWith('.json')) {
    // loadModel reads a path ending in .json as the description file itself: such a folder could not be loaded back.
    throw new ArgumentError(
      `saveModel: ${JSON.stringify(folder)} is not a folder name; a model is saved as a folder (model.json and its weights), e.g. 'models/iris'`,
      { where: 'saveModel', argument: 'folder' },
    );
  }
  await mkdir(folder, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    const why = error.code === 'EEXIST' || error.code === 'ENOTDIR' ? 'it, or a folder above it, is a file' : (error.code ?? error.message);
    throw new FileFormatError(`${folder}: cannot create the model folder (${why}); nothing was written`, {
      file: folder,
      where: 'saveModel',
    });
  });
  const sha256 = createHash('sha256').update(weights).digest('hex');
  const weightsName = `model-${sha256.slice(0, 16)}.safetensors`;
  description.weights.file = weightsName;
  description.weights.sha256 = sha256;
  const weightsPath = join(folder, weightsName);
  await writeFileAtomic(weightsPath, weights);
  const descriptionPath = join(folder, descriptionFile);
  await writeFileAtomic(descriptionPath, `${JSON.stringify(description, null, 2)}\n`);
  await syncFolder(folder);
  for (const name of await readdir(folder)) {
    if (name !== weightsName && /^model-[0-9a-f]{16}\.safetensors$/.test(name)) await rm(join(folder, name), { force: true });
  }
  return { description: descriptionPath, weights: weightsPath };
}

/** Where a model's description is: `folder/model.json`, or the path itself if it names a `.json` file. */
async function descriptionPathOf(path: string): Promise<string> {
  if (path.endsWith('.json')) return path;
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new FileFormatError(`${path}: no such model folder`, { file: path, where: 'loadModel' });
  return info.isDirectory() ? join(path, descriptionFile) : path;
}

function jsonPosition(text: string, error: Error): string {
  const match = /position (\d+)/.exec(error.message);
  if (!match) return error.message;
  const at = Number(match[1]);
  const before = text.slice(0, at).split('\n');
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * Loads a model saved by {@link saveModel} from its folder (or its `model.json`). Checks the JSON,
 * the weights' SHA-256, the safetensors layout and that every tensor fits the model before using
 * any of it; errors are `FileFormatError`s naming the file.
 * @example const { model, preprocessing } = await loadModel('models/iris');
 */
export async function loadModel(path: string, options: FromConfigOptions = {}): Promise<LoadedModel> {
  options ??= {};
  checkOptionKeys(options, ['layers'], 'loadModel');
  if (typeof path !== 'string' || path === '')
    throw new ArgumentError(`loadModel: the path must name a model folder or its model.json, got ${JSON.stringify(path) ?? String(path)}`, {
      where: 'loadModel',
      argument: 'path',
    });
  const descriptionPath = await descriptionPathOf(path);
  const text = await readFile(descriptionPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new FileFormatError(`${descriptionPath}: cannot read the model description (${error.code ?? error.message})`, {
      file: descriptionPath,
      where: 'loadModel',
    });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(`${descriptionPath}: invalid JSON: ${jsonPosition(text, error as Error)}`, {
      file: descriptionPath,
      where: 'loadModel',
    });
  }
  const file = (json as { weights?: { file?: unknown } })?.weights?.file;
  const folder = dirname(descriptionPath);
  const weightsPath = typeof file === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(file) ? join(folder, file) : undefined;
  let bytes = new Uint8Array();
  if (weightsPath) {
    bytes = await readFile(weightsPath).catch((error: NodeJS.ErrnoException) => {
      throw new FileFormatError(`${weightsPath}: cannot read the weights named in ${descriptionPath} (${error.code ?? error.message})`, {
        file: weightsPath,
        where: 'loadModel',
      });
    });
    const expected = (json as { weights?: { sha256?: unknown } }).weights?.sha256;
    if (typeof expected === 'string' && createHash('sha256').update(bytes).digest('hex') !== expected) {
      throw new FileFormatError(`${weightsPath}: the weights are corrupt (SHA-256 differs from the one recorded in ${descriptionPath})`, {
        file: weightsPath,
        where: 'loadModel',
      });
    }
  }
  return deserializeModel(json, bytes, { ...options, file: descriptionPath, weightsFile: weightsPath ?? 'weights' });
}
