import {
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { canonicalBytes } from './canonical-json.js';
import { fromB64u, toB64u } from './encoding.js';
import { TesseraError } from './errors.js';
import {
  publicKeyFromRaw,
  rawPublicKey,
  rawPublicKeyOfPrivate,
  rawPublicKeySchema,
} from './keys.js';

/** What is sealed: the payload's purpose in a job's life. */
export const envelopePurposes = ['task', 'result'] as const;

/**
 * Associated data bound into every envelope (DESIGN "Payloads"): an envelope opened under other
 * metadata than it was sealed with fails, so a result cannot be replayed into another task, node,
 * round or purpose.
 */
export const associatedDataSchema = z.object({
  taskId: z.string().min(1).max(100),
  node: z.string().min(1).max(200),
  round: z.number().int().min(0),
  purpose: z.string().min(1).max(50),
});
export type AssociatedData = z.infer<typeof associatedDataSchema>;

export const ENVELOPE_ALG = 'X25519-HKDF-SHA256-A256GCM' as const;

/** The wire form of a sealed envelope. */
export const sealedEnvelopeSchema = z.object({
  v: z.literal(1),
  alg: z.literal(ENVELOPE_ALG),
  /** Ephemeral X25519 public key, raw, base64url. */
  epk: rawPublicKeySchema,
  /** 96-bit GCM nonce, base64url. */
  iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  /** Ciphertext followed by the 128-bit tag, base64url. */
  ct: z.string(),
  ad: associatedDataSchema,
});
export type SealedEnvelope = z.infer<typeof sealedEnvelopeSchema>;

const HKDF_INFO = Buffer.from('tessera/v1/envelope', 'utf8');
const TAG_BYTES = 16;
/**
 * Payloads are fed to AES-GCM in 256 KiB slices: one large update into one fresh buffer is about
 * 2x slower than slices, whose outputs stay cache-sized (measured with bench/envelope.mjs: 1 MiB
 * slices gave 458 / 826 MB/s seal+open for 1 MB / 64 MB payloads, 256 KiB slices 604 / 1028).
 */
const SLICE_BYTES = 1 << 18;

/**
 * The binary form of a sealed envelope: ciphertext kept as the slices it was produced in, so
 * large payloads are never copied into one buffer until they must be (the wire encoding).
 */
export interface SealedBox {
  readonly epk: Buffer;
  readonly iv: Buffer;
  readonly ad: AssociatedData;
  readonly ct: readonly Buffer[];
  readonly tag: Buffer;
}

function deriveKey(shared: Buffer, epk: Buffer, recipient: Buffer): Buffer {
  // Salt binds both public keys so a key derived for one recipient is useless for another.
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, recipient]), HKDF_INFO, 32));
}

function* slices(chunks: readonly Uint8Array[]): Generator<Uint8Array> {
  for (const c of chunks) {
    for (let o = 0; o < c.length; o += SLICE_BYTES) yield c.subarray(o, o + SLICE_BYTES);
  }
}

/**
 * Seals `plaintext` to the holder of the X25519 key `recipientPublic` (raw base64url):
 * ephemeral X25519 → HKDF-SHA-256 → AES-256-GCM with the canonical JSON of `ad` as associated data.
 */
export function sealBytes(
  plaintext: Uint8Array,
  recipientPublic: string,
  ad: AssociatedData,
): SealedBox {
  const recipientKey = publicKeyFromRaw(recipientPublic, 'x25519');
  const eph = generateKeyPairSync('x25519');
  const epk = fromB64u(rawPublicKey(eph.publicKey));
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipientKey });
  const key = deriveKey(shared, epk, fromB64u(recipientPublic));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(canonicalBytes(ad));
  const ct: Buffer[] = [];
  for (const s of slices([plaintext])) ct.push(cipher.update(s));
  const final = cipher.final();
  if (final.length > 0) ct.push(final);
  return { epk, iv, ad, ct, tag: cipher.getAuthTag() };
}

/**
 * Opens a {@link SealedBox} with the recipient's X25519 private key; returns the plaintext slices.
 * The box's associated data must equal `expected` exactly.
 *
 * @throws TesseraError CRYPTO_FAILED, never revealing which check failed.
 */
export function openBytes(
  box: SealedBox,
  recipientPrivate: KeyObject,
  expected: AssociatedData,
): Buffer[] {
  try {
    const ad = canonicalBytes(box.ad);
    if (!ad.equals(canonicalBytes(expected))) throw new Error('associated data mismatch');
    if (box.tag.length !== TAG_BYTES || box.epk.length !== 32) throw new Error('malformed box');
    const recipientRaw = fromB64u(rawPublicKeyOfPrivate(recipientPrivate));
    const shared = diffieHellman({
      privateKey: recipientPrivate,
      publicKey: publicKeyFromRaw(toB64u(box.epk), 'x25519', { cache: false }),
    });
    const key = deriveKey(shared, box.epk, recipientRaw);
    const decipher = createDecipheriv('aes-256-gcm', key, box.iv);
    decipher.setAAD(ad);
    decipher.setAuthTag(box.tag);
    const out: Buffer[] = [];
    for (const s of slices(box.ct)) out.push(decipher.update(s));
    const final = decipher.final();
    if (final.length > 0) out.push(final);
    return out;
  } catch (cause) {
    throw new TesseraError('CRYPTO_FAILED', 'envelope could not be opened', { cause });
  }
}

/** The wire form of a box: ciphertext || tag as one base64url string. */
export function boxToWire(box: SealedBox): SealedEnvelope {
  return {
    v: 1,
    alg: ENVELOPE_ALG,
    epk: toB64u(box.epk),
    iv: toB64u(box.iv),
    ct: toB64u(Buffer.concat([...box.ct, box.tag])),
    ad: box.ad,
  };
}

/**
 * The box of a wire envelope.
 * @throws TesseraError CRYPTO_FAILED when a field does not decode or the ciphertext is too short.
 */
export function boxFromWire(envelope: SealedEnvelope): SealedBox {
  // Base64 decoding drops characters outside the alphabet; GCM's tag then fails, so the long ct
  // field is not pattern-checked here (that costs more than the decryption).
  const all = Buffer.from(envelope.ct, 'base64url');
  if (all.length < TAG_BYTES)
    throw new TesseraError('CRYPTO_FAILED', 'envelope could not be opened');
  try {
    return {
      epk: fromB64u(envelope.epk),
      iv: fromB64u(envelope.iv),
      ad: envelope.ad,
      ct: [all.subarray(0, all.length - TAG_BYTES)],
      tag: all.subarray(all.length - TAG_BYTES),
    };
  } catch (cause) {
    throw new TesseraError('CRYPTO_FAILED', 'envelope could not be opened', { cause });
  }
}

/** Seals bytes and returns the wire form. See {@link sealBytes}. */
export function seal(
  plaintext: Uint8Array,
  recipientPublic: string,
  ad: AssociatedData,
): SealedEnvelope {
  return boxToWire(sealBytes(plaintext, recipientPublic, ad));
}

/**
 * Opens a wire envelope. See {@link openBytes}.
 * @throws TesseraError CRYPTO_FAILED
 */
export function open(
  envelope: SealedEnvelope,
  recipientPrivate: KeyObject,
  expected: AssociatedData,
): Buffer {
  const parts = openBytes(boxFromWire(envelope), recipientPrivate, expected);
  return parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
}

/** Seals a JSON value (canonical encoding). */
export function sealJson(
  value: unknown,
  recipientPublic: string,
  ad: AssociatedData,
): SealedEnvelope {
  return seal(canonicalBytes(value), recipientPublic, ad);
}

/**
 * Opens an envelope holding JSON and parses it.
 * @throws TesseraError CRYPTO_FAILED when it cannot be opened, BAD_REQUEST when it is not JSON.
 */
export function openJson(
  envelope: SealedEnvelope,
  recipientPrivate: KeyObject,
  expected: AssociatedData,
): unknown {
  const bytes = open(envelope, recipientPrivate, expected);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (cause) {
    throw new TesseraError('BAD_REQUEST', 'sealed payload is not JSON', { cause });
  }
}
