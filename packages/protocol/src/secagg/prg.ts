/*
 * Mask expansion for secure aggregation (issue 5): a cryptographic PRG (AES-256-CTR keystream),
 * not a 32-bit seeded generator (ANCHORS "Secure aggregation": Flower's SecAgg+ open issue).
 */
import { createCipheriv, hkdfSync, type Cipher } from 'node:crypto';
import { TesseraError } from '../errors.js';
import { addRange, subRange } from './ring.js';

/** Bytes of a mask seed (self seed b_u and pairwise seed s_uv). */
export const SECAGG_SEED_BYTES = 32;
const INFO_PREFIX = 'tessera/secagg/mask/v1|';
const ZERO_IV = Buffer.alloc(16);
/**
 * Keystream is produced in 256 KiB slices: cache-sized outputs, as for the envelope (envelope.ts),
 * and a mask added in place never needs a vector-sized temporary.
 */
const SLICE_BYTES = 1 << 18;
const ZERO_SLICE = Buffer.alloc(SLICE_BYTES);
// The ring layout is little-endian 64-bit elements; a Uint32Array view reads the keystream in the
// platform's order, so big-endian hosts swap to keep masks identical everywhere.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function keystream(seed: Uint8Array, label: string, length: number): Cipher {
  if (seed.length !== SECAGG_SEED_BYTES) {
    throw new TesseraError('BAD_REQUEST', `mask seed is ${seed.length} bytes, not 32`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new TesseraError('BAD_REQUEST', `mask length ${length} is not a count`);
  }
  const key = Buffer.from(
    hkdfSync('sha256', seed, Buffer.alloc(0), Buffer.from(INFO_PREFIX + label, 'utf8'), 32),
  );
  // A zero IV is safe: every (seed, label) gives its own key, used for one keystream only.
  return createCipheriv('aes-256-ctr', key, ZERO_IV);
}

function limbsOf(bytes: Buffer): Uint32Array {
  if (!LITTLE_ENDIAN) bytes.swap32();
  if (bytes.byteOffset % 4 === 0) {
    return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  return new Uint32Array(Uint8Array.from(bytes).buffer);
}

/** Calls `use(off, limbs)` for each keystream slice of a `length`-element mask, in order. */
function forEachSlice(
  seed: Uint8Array,
  label: string,
  length: number,
  use: (off: number, limbs: Uint32Array) => void,
): void {
  const cipher = keystream(seed, label, length);
  const total = 8 * length;
  for (let done = 0; done < total; done += SLICE_BYTES) {
    const n = Math.min(SLICE_BYTES, total - done);
    use(
      done / 4,
      limbsOf(cipher.update(n === SLICE_BYTES ? ZERO_SLICE : ZERO_SLICE.subarray(0, n))),
    );
  }
}

/**
 * A pseudo-random ring vector of `length` elements from a 32-byte seed: AES-256-CTR keystream
 * (key = HKDF-SHA-256(seed, info = "tessera/secagg/mask/v1|" + label), zero IV), 8 bytes per
 * element. Deterministic: same seed and label → same vector on every platform.
 * @throws TesseraError BAD_REQUEST when the seed is not 32 bytes or the length not a count.
 */
export function expandMask(seed: Uint8Array, label: string, length: number): Uint32Array {
  const out = new Uint32Array(2 * length);
  forEachSlice(seed, label, length, (off, limbs) => {
    out.set(limbs, off);
  });
  return out;
}

/**
 * acc ← acc + sign · expandMask(seed, label, acc.length / 2) mod 2^64, without building the mask
 * (the hot path of masking and unmasking).
 * @throws TesseraError BAD_REQUEST when the seed is not 32 bytes or acc has odd limbs.
 */
export function applyMaskInto(
  acc: Uint32Array,
  seed: Uint8Array,
  label: string,
  sign: 1 | -1,
): void {
  if (acc.length % 2 !== 0) throw new TesseraError('BAD_REQUEST', 'ring vector has odd limbs');
  const step = sign === 1 ? addRange : subRange;
  forEachSlice(seed, label, acc.length / 2, (off, limbs) => {
    step(acc, off, limbs);
  });
}
