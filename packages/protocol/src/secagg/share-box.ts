/*
 * Share boxes (issue 5): a Shamir share sealed from node u to node v under their per-job X25519
 * agreement keys and relayed by the hub, which can neither read it nor move it to another job,
 * round, sender or recipient (DESIGN "Security model": the hub is only a relay).
 */
import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { canonicalBytes } from '../canonical-json.js';
import { fromB64u, toB64u } from '../encoding.js';
import { TesseraError } from '../errors.js';
import { agreeX25519 } from './agreement.js';

/** What a share box is bound to: opening it under any other context fails. */
export interface ShareContext {
  readonly jobId: string;
  readonly round: number;
  readonly from: string;
  readonly to: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const INFO_PREFIX = 'tessera/secagg/share/v1|';

function checkContext(ctx: ShareContext): void {
  if (ctx.jobId === '' || ctx.from === '' || ctx.to === '' || ctx.from === ctx.to) {
    throw new TesseraError('BAD_REQUEST', 'share box: job, sender and a distinct recipient needed');
  }
  if (!Number.isSafeInteger(ctx.round) || ctx.round < 0) {
    throw new TesseraError('BAD_REQUEST', `share box: round ${ctx.round} is not a count`);
  }
}

function boxKey(myPrivate: KeyObject, theirPublic: string, ad: Buffer): Buffer {
  const shared = agreeX25519(myPrivate, theirPublic);
  // The context is in the key as well as the AD: u→v and v→u share one X25519 secret, so the
  // direction must separate their keys.
  const info = Buffer.concat([Buffer.from(INFO_PREFIX, 'utf8'), ad]);
  const key = Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), info, 32));
  shared.fill(0);
  return key;
}

/** Only the four context fields, so extra properties on the object never change the AD. */
function adOf(ctx: ShareContext): Buffer {
  return canonicalBytes({ jobId: ctx.jobId, round: ctx.round, from: ctx.from, to: ctx.to });
}

/**
 * AES-256-GCM under HKDF(X25519(myCPrivate, theirCPublic), info = context); AD = canonical JSON
 * of ctx. Base64url wire string: version byte 1 || 12-byte IV || ciphertext || 16-byte tag.
 * @throws TesseraError BAD_REQUEST when the context is malformed or the agreement fails.
 */
export function sealShareBox(
  plaintext: Uint8Array,
  myPrivate: KeyObject,
  theirPublic: string,
  ctx: ShareContext,
): string {
  checkContext(ctx);
  const ad = adOf(ctx);
  const key = boxKey(myPrivate, theirPublic, ad);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(ad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  key.fill(0);
  return toB64u(Buffer.concat([Buffer.from([VERSION]), iv, ct, cipher.getAuthTag()]));
}

/**
 * Opens it; throws TesseraError('BAD_REQUEST', …) when the key, context (another job, round,
 * sender, recipient) or bytes differ.
 */
export function openShareBox(
  box: string,
  myPrivate: KeyObject,
  theirPublic: string,
  ctx: ShareContext,
): Uint8Array {
  checkContext(ctx);
  let bytes: Buffer;
  try {
    bytes = fromB64u(box);
  } catch {
    throw new TesseraError('BAD_REQUEST', 'share box is not base64url');
  }
  if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
    throw new TesseraError('BAD_REQUEST', 'share box is truncated or of an unknown version');
  }
  const ad = adOf(ctx);
  const key = boxKey(myPrivate, theirPublic, ad);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(ad);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    const pt = Buffer.concat([
      decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return new Uint8Array(pt);
  } catch {
    throw new TesseraError(
      'BAD_REQUEST',
      `share box from ${ctx.from} to ${ctx.to} (job ${ctx.jobId}, round ${ctx.round}) does not ` +
        'open: sealed for another job, round, sender or recipient, under other keys, or altered',
    );
  } finally {
    key.fill(0);
  }
}
