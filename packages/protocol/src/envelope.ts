import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
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
import { publicKeyFromRaw, rawPublicKey, rawPublicKeySchema } from './keys.js';

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
  ct: z.string().regex(/^[A-Za-z0-9_-]*$/),
  ad: associatedDataSchema,
});
export type SealedEnvelope = z.infer<typeof sealedEnvelopeSchema>;

const HKDF_INFO = Buffer.from('tessera/v1/envelope', 'utf8');
const TAG_BYTES = 16;

function deriveKey(shared: Buffer, epk: Buffer, recipient: Buffer): Buffer {
  // Salt binds both public keys so a key derived for one recipient is useless for another.
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, recipient]), HKDF_INFO, 32));
}

/**
 * Seals `plaintext` to the holder of the X25519 key `recipientPublic` (raw base64url):
 * ephemeral X25519 → HKDF-SHA-256 → AES-256-GCM with the canonical JSON of `ad` as associated data.
 */
export function seal(
  plaintext: Uint8Array,
  recipientPublic: string,
  ad: AssociatedData,
): SealedEnvelope {
  const recipientKey = publicKeyFromRaw(recipientPublic, 'x25519');
  const eph = generateKeyPairSync('x25519');
  const epk = fromB64u(rawPublicKey(eph.publicKey));
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipientKey });
  const key = deriveKey(shared, epk, fromB64u(recipientPublic));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(canonicalBytes(ad));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  const ct = Buffer.concat([body, final, cipher.getAuthTag()]);
  return { v: 1, alg: ENVELOPE_ALG, epk: toB64u(epk), iv: toB64u(iv), ct: toB64u(ct), ad };
}

/**
 * Opens an envelope with the recipient's X25519 private key. The envelope's associated data must
 * equal `expected` exactly; any alteration of ciphertext, nonce, key or associated data fails.
 *
 * @throws TesseraError CRYPTO_FAILED, never revealing which check failed.
 */
export function open(
  envelope: SealedEnvelope,
  recipientPrivate: KeyObject,
  expected: AssociatedData,
): Buffer {
  try {
    const ad = canonicalBytes(envelope.ad);
    if (!ad.equals(canonicalBytes(expected))) throw new Error('associated data mismatch');
    const epk = fromB64u(envelope.epk);
    const recipientRaw = fromB64u(rawPublicKey(createPublicKey(recipientPrivate)));
    const shared = diffieHellman({
      privateKey: recipientPrivate,
      publicKey: publicKeyFromRaw(envelope.epk, 'x25519'),
    });
    const key = deriveKey(shared, epk, recipientRaw);
    const ct = fromB64u(envelope.ct);
    if (ct.length < TAG_BYTES) throw new Error('short ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', key, fromB64u(envelope.iv));
    decipher.setAAD(ad);
    decipher.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
    const body = decipher.update(ct.subarray(0, ct.length - TAG_BYTES));
    return Buffer.concat([body, decipher.final()]);
  } catch (cause) {
    throw new TesseraError('CRYPTO_FAILED', 'envelope could not be opened', { cause });
  }
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
