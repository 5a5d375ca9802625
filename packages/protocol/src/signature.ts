import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalBytes } from './canonical-json.js';
import { fromB64u, toB64u } from './encoding.js';
import { TesseraError } from './errors.js';
import { publicKeyFromRaw } from './keys.js';

/** An Ed25519 signature (64 bytes), base64url. */
export const signatureSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{86}$/, 'a 64-byte base64url signature');

const DOMAIN = 'tessera/v1/sig\n';

/**
 * Signs the canonical JSON of `value` with an Ed25519 key. A domain string is prefixed so a
 * Tessera signature can never be replayed as a signature over something else.
 */
export function signJson(value: unknown, signPrivate: KeyObject): string {
  const msg = Buffer.concat([Buffer.from(DOMAIN), canonicalBytes(value)]);
  return toB64u(edSign(null, msg, signPrivate));
}

/** True when `signature` is a valid Ed25519 signature of `value` by the raw key `signPublic`. */
export function verifyJson(value: unknown, signature: string, signPublic: string): boolean {
  if (!signatureSchema.safeParse(signature).success) return false;
  try {
    const msg = Buffer.concat([Buffer.from(DOMAIN), canonicalBytes(value)]);
    return edVerify(null, msg, publicKeyFromRaw(signPublic, 'ed25519'), fromB64u(signature));
  } catch {
    return false;
  }
}

/**
 * Verifies and throws when the signature is bad.
 * @throws TesseraError BAD_SIGNATURE
 */
export function assertSignature(
  value: unknown,
  signature: string,
  signPublic: string,
  what: string,
): void {
  if (!verifyJson(value, signature, signPublic)) {
    throw new TesseraError('BAD_SIGNATURE', `${what}: signature does not verify`);
  }
}
