/**
 * @backprop/io — model files: a JSON description (format version, layers, input shape,
 * preprocessing, metadata, optimizer) plus weights in the safetensors format. This entry is
 * browser-safe (bytes in, bytes out); file-system saving and loading is in `@backprop/io/node`.
 * @packageDocumentation
 */

export {
  deserializeModel,
  type LoadedModel,
  type ModelDescription,
  modelFormat,
  modelFormatVersion,
  type OptimizerSnapshot,
  type SaveOptions,
  serializeModel,
  validateDescription,
} from './model-file.js';
export { decodeSafetensors, encodeSafetensors, maxHeaderBytes, type SafetensorsContent } from './safetensors.js';
