import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { fromB64u, toB64u } from './encoding.js';
import { TesseraError } from './errors.js';

/** A 32-byte raw public key (X25519 or Ed25519), base64url. */
export const rawPublicKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'a 32-byte base64url key');

/** The public half of a party's keys, as registered at enrolment and pinned. */
export const publicKeysSchema = z.object({
  seal: rawPublicKeySchema,
  sign: rawPublicKeySchema,
});
export type PublicKeys = z.infer<typeof publicKeysSchema>;

/** A party's key pairs: X25519 for sealing, Ed25519 for signing. */
export interface PartyKeys {
  readonly sealPrivate: KeyObject;
  readonly signPrivate: KeyObject;
  readonly public: PublicKeys;
}

/** The PEM files that hold a party's private keys (written with mode 0600 by their owner). */
export interface PartyKeyPems {
  readonly seal: string;
  readonly sign: string;
}

// DER prefixes of SubjectPublicKeyInfo for the two curves (RFC 8410): prefix || 32-byte key.
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Makes a fresh party key set. */
export function generatePartyKeys(): PartyKeys {
  const seal = generateKeyPairSync('x25519');
  const sign = generateKeyPairSync('ed25519');
  return {
    sealPrivate: seal.privateKey,
    signPrivate: sign.privateKey,
    public: { seal: rawPublicKey(seal.publicKey), sign: rawPublicKey(sign.publicKey) },
  };
}

/** PKCS#8 PEM of a party's private keys, for storage. */
export function exportPartyKeys(keys: PartyKeys): PartyKeyPems {
  return {
    seal: keys.sealPrivate.export({ type: 'pkcs8', format: 'pem' }).toString(),
    sign: keys.signPrivate.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Loads a party's keys from PEM.
 * @throws TesseraError BAD_REQUEST when a PEM is not a key of the expected curve.
 */
export function importPartyKeys(pems: PartyKeyPems): PartyKeys {
  const sealPrivate = createPrivateKey(pems.seal);
  const signPrivate = createPrivateKey(pems.sign);
  if (sealPrivate.asymmetricKeyType !== 'x25519' || signPrivate.asymmetricKeyType !== 'ed25519') {
    throw new TesseraError('BAD_REQUEST', 'key files hold keys of the wrong type');
  }
  return {
    sealPrivate,
    signPrivate,
    public: {
      seal: rawPublicKey(createPublicKey(sealPrivate)),
      sign: rawPublicKey(createPublicKey(signPrivate)),
    },
  };
}

/** The raw 32 bytes of an X25519 or Ed25519 public key, base64url. */
export function rawPublicKey(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return toB64u(der.subarray(der.length - 32));
}

// Pinned keys are used for every task and result: rebuilding a KeyObject from raw bytes (or the
// public half of a private key) each time was ~10% of a node's CPU per task (bench --cpu-prof).
const PUBLIC_KEY_CACHE_MAX = 4096;
const publicKeyCache = new Map<string, KeyObject>();
const publicOfPrivate = new WeakMap<KeyObject, string>();

/**
 * A public KeyObject from its raw base64url form. Long-lived keys are cached; pass
 * `cache: false` for one-off keys (ephemeral envelope keys).
 * @throws TesseraError BAD_REQUEST when the text is not a 32-byte key.
 */
export function publicKeyFromRaw(
  raw: string,
  curve: 'x25519' | 'ed25519',
  options: { cache?: boolean } = {},
): KeyObject {
  const cacheKey = `${curve}:${raw}`;
  const cached = publicKeyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const bytes = fromB64uKey(raw);
  const prefix = curve === 'x25519' ? X25519_SPKI_PREFIX : ED25519_SPKI_PREFIX;
  const key = createPublicKey({ key: Buffer.concat([prefix, bytes]), format: 'der', type: 'spki' });
  if (options.cache !== false) {
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) publicKeyCache.clear();
    publicKeyCache.set(cacheKey, key);
  }
  return key;
}

/** The raw public key (base64url) that belongs to a private key, computed once per KeyObject. */
export function rawPublicKeyOfPrivate(privateKey: KeyObject): string {
  let raw = publicOfPrivate.get(privateKey);
  if (raw === undefined) {
    raw = rawPublicKey(createPublicKey(privateKey));
    publicOfPrivate.set(privateKey, raw);
  }
  return raw;
}

function fromB64uKey(raw: string): Buffer {
  const parsed = rawPublicKeySchema.safeParse(raw);
  if (!parsed.success)
    throw new TesseraError('BAD_REQUEST', 'public key is not 32 bytes of base64url');
  return fromB64u(raw);
}

/**
 * The fingerprint of a key or certificate public key: `sha256/` + standard base64 of the SHA-256 of
 * the bytes given (the DER SubjectPublicKeyInfo for TLS pins, the raw key for party keys).
 */
export function fingerprint(bytes: Uint8Array): string {
  return `sha256/${createHash('sha256').update(bytes).digest('base64')}`;
}

/** Fingerprint of a party's public keys (seal || sign), shown to operators for out-of-band checks. */
export function partyFingerprint(keys: PublicKeys): string {
  return fingerprint(Buffer.concat([fromB64u(keys.seal), fromB64u(keys.sign)]));
}

/** A TLS pin as printed by `hub init`: sha256/ + base64 (44 chars) of the SPKI DER hash. */
export const pinSchema = z
  .string()
  .regex(/^sha256\/[A-Za-z0-9+/]{43}=$/, 'a pin of the form sha256/<base64>');

/** The pin of a certificate's public key (SPKI DER). */
export function spkiPin(spkiDer: Uint8Array): string {
  return fingerprint(spkiDer);
}
