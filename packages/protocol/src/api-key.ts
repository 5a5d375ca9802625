import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TesseraError } from './errors.js';

/**
 * Secret formats. A secret is `<prefix>_<keyId>_<secret>`: the key id (12 base32 chars, 60 bits)
 * lets the server find the record without scanning; the secret is 256 random bits, base64url.
 * Only SHA-256 of the whole string is stored (DESIGN "Node identity").
 */
export const SECRET_PREFIXES = {
  /** A trust's node API key. */
  node: 'tsk',
  /** A user's session token. */
  session: 'tss',
  /** A personal access token. */
  pat: 'tsp',
} as const;
export type SecretKind = keyof typeof SECRET_PREFIXES;

const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const SECRET_RE = /^(tsk|tss|tsp)_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

export const apiKeySchema = z.string().regex(SECRET_RE, 'not a Tessera key');

export interface IssuedSecret {
  /** The full secret, shown once. */
  readonly secret: string;
  /** The lookup id, safe to store and log. */
  readonly keyId: string;
  /** SHA-256 of the full secret, hex: the only thing stored. */
  readonly hash: string;
}

/** Makes a new secret of the given kind. */
export function issueSecret(kind: SecretKind): IssuedSecret {
  const idBytes = randomBytes(12);
  let keyId = '';
  for (const b of idBytes) keyId += KEY_ID_ALPHABET.charAt(b % 32);
  const secret = `${SECRET_PREFIXES[kind]}_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { secret, keyId, hash: hashSecret(secret) };
}

/** SHA-256 hex of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Splits a presented secret into kind and key id.
 * @throws TesseraError UNAUTHENTICATED when it is malformed or of another kind. The message never
 *   echoes the secret.
 */
export function parseSecret(presented: string, kind: SecretKind): { keyId: string } {
  const m = SECRET_RE.exec(presented);
  if (m === null || m[1] !== SECRET_PREFIXES[kind] || m[2] === undefined) {
    throw new TesseraError('UNAUTHENTICATED', 'malformed credentials');
  }
  return { keyId: m[2] };
}

/** Compares a presented secret with a stored SHA-256 hex in constant time. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
