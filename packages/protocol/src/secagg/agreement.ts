/*
 * Ephemeral X25519 keys and pairwise mask seeds of secure aggregation (issue 5, Bonawitz et al.
 * 2017): each node makes fresh keys per job; two nodes derive the same seed without ever talking
 * to each other (their public keys are relayed, signed, by the hub).
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { TesseraError } from '../errors.js';
import { publicKeyFromRaw, rawPublicKey } from '../keys.js';

// PKCS#8 prefix of an X25519 private key (RFC 8410): prefix || 32-byte raw key.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const PAIR_INFO_PREFIX = 'tessera/secagg/pair/v1|';

/** A fresh X25519 key pair; `publicKey` raw 32 bytes base64url (like keys.ts rawPublicKeySchema). */
export function generateAgreementKey(): { publicKey: string; privateKey: KeyObject } {
  const pair = generateKeyPairSync('x25519');
  return { publicKey: rawPublicKey(pair.publicKey), privateKey: pair.privateKey };
}

/**
 * The same raw 32-byte private key as bytes (to be Shamir-shared) and back.
 * @throws TesseraError BAD_REQUEST when the key is not an X25519 private key.
 */
export function exportAgreementPrivate(k: KeyObject): Uint8Array {
  if (k.type !== 'private' || k.asymmetricKeyType !== 'x25519') {
    throw new TesseraError('BAD_REQUEST', 'not an X25519 private key');
  }
  const der = k.export({ type: 'pkcs8', format: 'der' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/**
 * An X25519 private KeyObject from its raw 32 bytes (the inverse of exportAgreementPrivate).
 * @throws TesseraError BAD_REQUEST when `raw` is not 32 bytes.
 */
export function importAgreementPrivate(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) {
    throw new TesseraError('BAD_REQUEST', `X25519 private key is ${raw.length} bytes, not 32`);
  }
  return createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The raw base64url public key of an agreement private key (e.g. one rebuilt from shares). */
export function agreementPublicOf(k: KeyObject): string {
  return rawPublicKey(createPublicKey(k));
}

/**
 * X25519(myPrivate, theirPublic); the public key is one-off (per job), so it is not cached.
 * @throws TesseraError BAD_REQUEST when the public key is malformed or a low-order point (the
 *   shared secret would be all zeros).
 */
export function agreeX25519(myPrivate: KeyObject, theirPublic: string): Buffer {
  const publicKey = publicKeyFromRaw(theirPublic, 'x25519', { cache: false });
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: myPrivate, publicKey });
  } catch (e) {
    throw new TesseraError('BAD_REQUEST', 'X25519 agreement failed (bad or low-order key)', {
      cause: e,
    });
  }
  if (shared.every((b) => b === 0)) {
    throw new TesseraError('BAD_REQUEST', 'X25519 agreement gave zeros: a low-order public key');
  }
  return shared;
}

/**
 * The pairwise mask seed of parties a and b (symmetric: both get the same 32 bytes):
 * HKDF-SHA-256(X25519(myPrivate, theirPublic), salt = jobId, info = "tessera/secagg/pair/v1|" +
 * sorted(a, b).join("|") + "|" + round). Names sort by UTF-16 code units (as masking.ts).
 * @throws TesseraError BAD_REQUEST when a = b, a name holds "|", the round is not a count, or the
 *   agreement fails (see {@link agreeX25519}).
 */
export function pairwiseSeed(
  myPrivate: KeyObject,
  theirPublic: string,
  ctx: { jobId: string; round: number; a: string; b: string },
): Uint8Array {
  if (ctx.a === ctx.b || ctx.a.includes('|') || ctx.b.includes('|')) {
    throw new TesseraError('BAD_REQUEST', 'pairwise seed: two distinct names without "|" needed');
  }
  if (!Number.isSafeInteger(ctx.round) || ctx.round < 0) {
    throw new TesseraError('BAD_REQUEST', `pairwise seed: round ${ctx.round} is not a count`);
  }
  const shared = agreeX25519(myPrivate, theirPublic);
  const names = ctx.a < ctx.b ? [ctx.a, ctx.b] : [ctx.b, ctx.a];
  const info = `${PAIR_INFO_PREFIX}${names.join('|')}|${ctx.round}`;
  const seed = hkdfSync(
    'sha256',
    shared,
    Buffer.from(ctx.jobId, 'utf8'),
    Buffer.from(info, 'utf8'),
    32,
  );
  shared.fill(0);
  return new Uint8Array(seed);
}
