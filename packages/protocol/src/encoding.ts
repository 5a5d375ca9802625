/** Standard base64url without padding, the encoding of every binary field on the wire. */
export function toB64u(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Decodes base64url; throws on characters outside the alphabet. */
export function fromB64u(text: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  return Buffer.from(text, 'base64url');
}
