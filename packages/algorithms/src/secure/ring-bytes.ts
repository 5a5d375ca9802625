import { fromB64u, toB64u } from '@tessera/protocol';

/*
 * Ring vectors (Uint32Array, two limbs per element) on the wire and in the hub's state. The bytes
 * are the array's own memory: every platform Node 20 ships for that Tessera supports (x64, arm64)
 * is little-endian, which the check below makes explicit rather than assumed.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A ring vector as base64url. @throws Error on a big-endian platform. */
export function ringToB64u(v: Uint32Array): string {
  if (!LITTLE_ENDIAN) throw new Error('secure aggregation needs a little-endian platform');
  return toB64u(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/**
 * A ring vector of `length` elements from base64url.
 * @throws Error when the text is not base64url or holds another number of elements.
 */
export function ringFromB64u(text: string, length: number): Uint32Array {
  if (!LITTLE_ENDIAN) throw new Error('secure aggregation needs a little-endian platform');
  const bytes = fromB64u(text);
  if (bytes.byteLength !== length * 8) {
    throw new Error(`ring vector of ${bytes.byteLength / 8} elements, ${length} expected`);
  }
  // Copy into a fresh, aligned buffer (a Buffer may sit at any offset of a shared pool).
  const out = new Uint32Array(length * 2);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
