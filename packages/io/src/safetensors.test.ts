import { readFileSync } from 'node:fs';
import { fuzzSettings } from '@backprop/engine/testing';
import { BackpropError, FileFormatError, NDArray } from '@backprop/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import expected from '../fixtures/reference.json' with { type: 'json' };
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

const reference = new Uint8Array(readFileSync(new URL('../fixtures/reference.safetensors', import.meta.url)));

function header(json: object, data = new Uint8Array(0)): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

describe('safetensors', () => {
  it('reads a file written independently from the specification (fixtures/make-fixtures.py)', () => {
    const { tensors, metadata } = decodeSafetensors(reference, 'reference.safetensors');
    expect(metadata).toEqual({ source: 'make-fixtures.py' });
    const readAs: Record<string, string> = { F64: 'float64', F32: 'float32', F16: 'float32', BF16: 'float32' };
    for (const [name, e] of Object.entries(expected)) {
      expect(tensors[name].shape).toEqual(e.shape);
      expect(tensors[name].dtype).toBe(readAs[e.dtype] ?? 'int32');
      expect([...tensors[name].data]).toEqual(e.values.map(Number));
    }
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.is(tensors['dense.weight'].data[4], -0)).toBe(true);
    expect(Object.is(tensors.half.data[4], -0)).toBe(true);
    expect(Object.is(tensors.bf16.data[4], -0)).toBe(true);
  });

  it('round-trips bit-exactly, NaN payloads, −0 and subnormals included', () => {
    const f32 = new Float32Array([1.5, Number.NaN, -0, 1e-45, 3.4e38]);
    new Uint32Array(f32.buffer)[1] = 0x7fc00123; // a NaN with a payload
    const tensors = {
      a: new NDArray(f32, [5]),
      b: new NDArray(new Float64Array([Math.PI, 5e-324]), [2, 1]),
      c: new NDArray(new Int32Array([7, -7, 0]), [3]),
    };
    const bytes = encodeSafetensors(tensors, { note: 'x' });
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect(headerLength % 8).toBe(0);
    const back = decodeSafetensors(bytes).tensors;
    for (const [name, t] of Object.entries(tensors)) {
      const bytes = (d: NDArray['data']) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      expect(bytes(back[name].data)).toEqual(bytes(t.data));
      expect(back[name].shape).toEqual(t.shape);
    }
  });

  it('rejects corrupt, truncated and hostile files with a FileFormatError naming the file and the tensor', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /the file is 5 bytes, too short/],
      [reference.subarray(0, reference.length - 3), /bytes of data after the last tensor|lie outside/],
      [reference.subarray(0, 40), /the header claims \d+ bytes but the file has only 32/],
      [header({}).map((b, i) => (i === 6 ? 0xff : b)), /the header claims \d+ bytes/],
      [
        header({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
        /tensor 'w': unsupported dtype "F8_E4M3" \(supported: F64, F32, F16, BF16, I64, U64, I32, U32, I16, U16, I8, U8, BOOL\)/,
      ],
      [
        header({ w: { dtype: 'toString', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
        /tensor 'w': unsupported dtype "toString"/,
      ],
      [
        // 2³¹ in the third element of an I64 tensor: more than int32 holds.
        header(
          { ids: { dtype: 'I64', shape: [3], data_offsets: [0, 24] } },
          new Uint8Array(new BigInt64Array([0n, -1n, 2n ** 31n]).buffer),
        ),
        /tensor 'ids': I64 value 2147483648 at flat index 2 does not fit int32, backprop's integer dtype/,
      ],
      [
        header({ mask: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, Uint8Array.of(1, 2)),
        /tensor 'mask': BOOL value 2 at flat index 1 is not a boolean \(0 or 1\)/,
      ],
      [
        header({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
        /tensor 'w': shape \[3\] of F32 needs 12 bytes, but data_offsets span 8/,
      ],
      [
        header(
          { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, v: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
          new Uint8Array(8),
        ),
        /overlaps/,
      ],
      [header({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /hole of 4 bytes before tensor 'w'/],
      [
        header({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4000] } }, new Uint8Array(4)),
        /data_offsets \[0, 4000\] lie outside the 4-byte data section/,
      ],
      [header({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /shape must be a list of non-negative integers/],
      [
        header({ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, new Uint8Array(4)),
        /needs [\d.e+]+ bytes, but data_offsets span 4/,
      ],
      [header({ w: 5 }), /its entry must be an object/],
      [new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff]), /not valid UTF-8 JSON/],
    ];
    for (const [bytes, message] of cases) {
      let error: unknown;
      try {
        decodeSafetensors(bytes, 'bad.safetensors');
      } catch (e) {
        error = e;
      }
      expect(FileFormatError.isInstance(error), String(message)).toBe(true);
      expect((error as Error).message).toMatch(/^bad\.safetensors: /);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('random corruption of a valid file never escapes as anything but a FileFormatError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(reference.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(reference.length),
        (edits, cut) => {
          const bytes = reference.slice(0, Math.max(cut, 1));
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          try {
            decodeSafetensors(bytes);
          } catch (error) {
            if (!FileFormatError.isInstance(error)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('safetensors round trip of random content', () => {
  it('any names, shapes (zero-sized included), dtypes and metadata come back bit for bit, or the encoder refuses them', () => {
    const tensorArb = fc
      .record({
        shape: fc.array(fc.nat(4), { maxLength: 3 }),
        dtype: fc.constantFrom('float32' as const, 'float64' as const, 'int32' as const),
        seed: fc.nat(),
      })
      .map(({ shape, dtype, seed }) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const bits = new Uint32Array(
          Array.from({ length: size * (dtype === 'float64' ? 2 : 1) }, (_, i) => Math.imul(seed + i, 2654435761) >>> 0),
        );
        const data =
          dtype === 'float64'
            ? new Float64Array(bits.buffer)
            : dtype === 'int32'
              ? new Int32Array(bits.buffer)
              : new Float32Array(bits.buffer);
        return new NDArray(data, shape);
      });
    const nameArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__metadata__', 'a.b.c', 'ü ∑ 😀', ''));
    fc.assert(
      fc.property(
        fc.dictionary(nameArb, tensorArb, { maxKeys: 5 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
        (tensors, metadata) => {
          let bytes: Uint8Array;
          try {
            bytes = encodeSafetensors(tensors, metadata);
          } catch (error) {
            if (!BackpropError.isInstance(error)) throw error;
            expect('__metadata__' in tensors, String(error)).toBe(true);
            return;
          }
          expect('__metadata__' in tensors).toBe(false);
          const back = decodeSafetensors(bytes);
          expect(Object.keys(back.tensors)).toEqual(Object.keys(tensors));
          expect(back.metadata).toEqual(metadata);
          for (const [name, t] of Object.entries(tensors)) {
            const bytesOf = (d: NDArray['data']) => [...new Uint8Array(d.buffer, d.byteOffset, d.byteLength)];
            expect(back.tensors[name].shape).toEqual(t.shape);
            expect(back.tensors[name].dtype).toBe(t.dtype);
            expect(bytesOf(back.tensors[name].data)).toEqual(bytesOf(t.data));
          }
        },
      ),
      fuzzSettings(300),
    );
  });
});
