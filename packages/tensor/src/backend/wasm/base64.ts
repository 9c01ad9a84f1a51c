/** What `decodeBase64` needs of Node's `Buffer`. */
interface NodeBuffer {
  from(text: string, encoding: 'base64'): Uint8Array;
}

/**
 * Bytes from base64 (the embedded kernels). Node decodes them natively with `Buffer`; elsewhere
 * `atob` (which browsers and Node both have) and a copy loop. The native path matters beyond its
 * own speed: V8 compiles a hot loop on the fly, and that compilation would still be running on
 * the second core when the first ops of a program do.
 */
export function decodeBase64(
  base64: string,
  buffer: NodeBuffer | null = (globalThis as { Buffer?: NodeBuffer }).Buffer ?? null,
): Uint8Array {
  if (buffer !== null) {
    const bytes = buffer.from(base64, 'base64');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const binary = (globalThis as unknown as { atob: (s: string) => string }).atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
