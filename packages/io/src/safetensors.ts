import { ArgumentError, type DType, FileFormatError, isNDArray, NDArray } from '@backprop/tensor';

// The safetensors layout (https://github.com/huggingface/safetensors):
//   8 bytes   N, the header length, unsigned 64-bit little-endian
//   N bytes   a UTF-8 JSON object: { "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, …,
//             "__metadata__": { "<key>": "<string>" } }   (padded with spaces; we pad to a multiple of 8)
//   the rest  the raw little-endian tensor data; offsets are relative to its start; the tensors
//             cover it completely, without holes or overlaps.

const codes: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
/**
 * What each stored dtype is read as, and its size in bytes. Beyond the three backprop writes, the
 * ones PyTorch checkpoints hold are read too: half precision widened to float32 (exactly), other
 * integers and booleans as int32 (64- and unsigned 32-bit ones only when every value fits).
 */
const readAs: Record<string, { dtype: DType; bytes: number }> = {
  F64: { dtype: 'float64', bytes: 8 },
  F32: { dtype: 'float32', bytes: 4 },
  F16: { dtype: 'float32', bytes: 2 },
  BF16: { dtype: 'float32', bytes: 2 },
  I64: { dtype: 'int32', bytes: 8 },
  U64: { dtype: 'int32', bytes: 8 },
  I32: { dtype: 'int32', bytes: 4 },
  U32: { dtype: 'int32', bytes: 4 },
  I16: { dtype: 'int32', bytes: 2 },
  U16: { dtype: 'int32', bytes: 2 },
  I8: { dtype: 'int32', bytes: 1 },
  U8: { dtype: 'int32', bytes: 1 },
  BOOL: { dtype: 'int32', bytes: 1 },
};
/** Largest header accepted on load: 100 MB of JSON is far beyond any real model description. */
export const maxHeaderBytes = 100 * 1024 * 1024;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Tensors by name plus optional string metadata, as stored in a safetensors file. */
export interface SafetensorsContent {
  tensors: Record<string, NDArray>;
  metadata: Record<string, string>;
}

/**
 * Encodes named arrays (and optional string metadata) as safetensors bytes, tensors in the order
 * given.
 * @example const bytes = encodeSafetensors({ 'fc.weight': w.value });
 */
export function encodeSafetensors(tensors: Record<string, NDArray>, metadata: Record<string, string> = {}): Uint8Array {
  const fail = (message: string) => new ArgumentError(`encodeSafetensors: ${message}`, { where: 'encodeSafetensors', argument: 'tensors' });
  if (typeof tensors !== 'object' || tensors === null) throw fail('tensors must be an object of NDArrays by name');
  for (const [name, t] of Object.entries(tensors)) if (!isNDArray(t)) throw fail(`'${name}' is not an NDArray`);
  if (Object.hasOwn(tensors, '__metadata__'))
    throw fail("a tensor cannot be named '__metadata__': the safetensors format keeps the metadata under that name");
  if (typeof metadata !== 'object' || metadata === null || Object.values(metadata).some((v) => typeof v !== 'string'))
    throw fail('metadata must map names to strings');
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, array] of entries) {
    const bytes = array.data.byteLength;
    header[name] = { dtype: codes[array.dtype], shape: [...array.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, array] of entries) {
    const raw = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
    if (littleEndian) out.set(raw, at);
    else writeSwapped(array, view, at);
    at += array.data.byteLength;
  }
  return out;
}

function writeSwapped(array: NDArray, view: DataView, at: number): void {
  for (let i = 0; i < array.size; i++) {
    if (array.dtype === 'float64') view.setFloat64(at + 8 * i, array.data[i], true);
    else if (array.dtype === 'float32') view.setFloat32(at + 4 * i, array.data[i], true);
    else view.setInt32(at + 4 * i, array.data[i], true);
  }
}

/**
 * Decodes safetensors bytes, validating everything before any tensor is allocated: the header
 * length against the file size, the JSON, every dtype and shape, and that the data offsets lie in
 * range, match the shapes and tile the data section without holes or overlaps. Errors are
 * {@link FileFormatError}s naming `file` and the tensor.
 *
 * Files written by other tools load too: `F32`, `F64` and `I32` as they are; `F16` and `BF16`
 * widened to float32 (exactly); `I8`, `U8`, `I16`, `U16`, `BOOL`, and `I64`, `U32`, `U64` whose
 * values all fit, as int32 (a value that does not is an error naming the tensor and index).
 * @example const { tensors } = decodeSafetensors(bytes, 'model.safetensors');
 */
export function decodeSafetensors(bytes: Uint8Array, file = 'safetensors data'): SafetensorsContent {
  const fail = (message: string) => new FileFormatError(`${file}: ${message}`, { file, where: 'decodeSafetensors' });
  if (!(bytes instanceof Uint8Array)) throw fail('expected the file contents as a Uint8Array');
  if (bytes.length < 8) throw fail(`the file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8)
    throw fail(
      `the header claims ${headerLength} bytes but the file has only ${bytes.length - 8} after the length field (truncated or not a safetensors file)`,
    );
  if (headerLength > maxHeaderBytes) throw fail(`the header claims ${headerLength} bytes, more than the ${maxHeaderBytes} accepted`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw fail(`the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('the header must be a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const plan: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Object.values(entry).some((v) => typeof v !== 'string'))
        throw fail("'__metadata__' must map names to strings");
      Object.assign(metadata, entry);
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw fail(`tensor '${name}': its entry must be an object with dtype, shape and data_offsets`);
    if (typeof e.dtype !== 'string' || !Object.hasOwn(readAs, e.dtype))
      throw fail(`tensor '${name}': unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(readAs).join(', ')})`);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.length > 64 || shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw fail(`tensor '${name}': shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0))
      throw fail(`tensor '${name}': data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength)
      throw fail(`tensor '${name}': data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section`);
    let elements = 1;
    for (const d of shape as number[]) elements *= d;
    const needs = elements * readAs[e.dtype].bytes;
    if (needs !== end - begin) {
      throw fail(
        `tensor '${name}': shape [${(shape as number[]).join(', ')}] of ${e.dtype} needs ${needs} bytes, but data_offsets span ${end - begin}`,
      );
    }
    plan.push({ name, dtype: e.dtype, shape: shape as number[], begin, end });
  }
  const sorted = [...plan].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of sorted) {
    if (t.begin < cursor) throw fail(`tensor '${t.name}' overlaps the previous tensor (begins at ${t.begin}, before ${cursor})`);
    if (t.begin > cursor) throw fail(`the data section has a hole of ${t.begin - cursor} bytes before tensor '${t.name}'`);
    cursor = t.end;
  }
  if (cursor !== dataLength) throw fail(`${dataLength - cursor} bytes of data after the last tensor are not described by the header`);
  const tensors: Record<string, NDArray> = {};
  for (const t of plan) {
    const from = dataStart + t.begin;
    const data = readData(t.dtype, view, from, (t.end - t.begin) / readAs[t.dtype].bytes, (index, value, why) =>
      fail(`tensor '${t.name}': ${t.dtype} value ${value} at flat index ${index} ${why}`),
    );
    tensors[t.name] = new NDArray(data, t.shape);
  }
  return { tensors, metadata };
}

/** `count` little-endian values of the stored `dtype` at byte `from`, in the array type it is read as. */
function readData(
  dtype: string,
  view: DataView,
  from: number,
  count: number,
  bad: (index: number, value: bigint | number, why: string) => Error,
): Float64Array | Float32Array | Int32Array {
  switch (dtype) {
    case 'F64': {
      const out = new Float64Array(count);
      if (littleEndian) new Uint8Array(out.buffer).set(new Uint8Array(view.buffer, view.byteOffset + from, count * 8));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat64(from + 8 * i, true);
      return out;
    }
    case 'F32': {
      const out = new Float32Array(count);
      if (littleEndian) new Uint8Array(out.buffer).set(new Uint8Array(view.buffer, view.byteOffset + from, count * 4));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(from + 4 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(from + 2 * i, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shifting the bits back up is exact, NaN payloads included.
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(from + 2 * i, true) << 16;
      return out;
    }
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let value: number | bigint;
    switch (dtype) {
      case 'I64':
        value = view.getBigInt64(from + 8 * i, true);
        break;
      case 'U64':
        value = view.getBigUint64(from + 8 * i, true);
        break;
      case 'I32':
        value = view.getInt32(from + 4 * i, true);
        break;
      case 'U32':
        value = view.getUint32(from + 4 * i, true);
        break;
      case 'I16':
        value = view.getInt16(from + 2 * i, true);
        break;
      case 'U16':
        value = view.getUint16(from + 2 * i, true);
        break;
      case 'I8':
        value = view.getInt8(from + i);
        break;
      case 'BOOL':
        value = view.getUint8(from + i);
        if (value > 1) throw bad(i, value, 'is not a boolean (0 or 1)');
        break;
      default: // U8
        value = view.getUint8(from + i);
    }
    if (value > 2147483647 || value < -2147483648) throw bad(i, value, "does not fit int32, backprop's integer dtype");
    out[i] = Number(value);
  }
  return out;
}

/** The value of IEEE 754 half-precision bits (every one is exactly a float32). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}
