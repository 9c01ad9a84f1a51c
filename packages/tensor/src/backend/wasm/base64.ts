/** Bytes from base64 (the embedded kernels), with `atob`, which Node and browsers both have. */
export function decodeBase64(base64: string): Uint8Array {
  const binary = (globalThis as unknown as { atob: (s: string) => string }).atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
