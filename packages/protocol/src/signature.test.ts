import { describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from './encoding.js';
import { TesseraError } from './errors.js';
import { generatePartyKeys } from './keys.js';
import { assertSignature, signJson, verifyJson } from './signature.js';

const hub = generatePartyKeys();
const other = generatePartyKeys();

function makeBody() {
  return {
    header: { taskId: 't-1', jobId: 'j-1', trust: 'st-elsewhere', round: 0, attempt: 1 },
    sealed: { v: 1, ct: 'abc', ad: { node: 'st-elsewhere', round: 0 } },
  };
}

describe('signatures', () => {
  it('verifies a valid signature, whatever the key order of the body', () => {
    const body = makeBody();
    const sig = signJson(body, hub.signPrivate);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyJson(body, sig, hub.public.sign)).toBe(true);
    const reordered = { sealed: body.sealed, header: { ...body.header } };
    expect(verifyJson(reordered, sig, hub.public.sign)).toBe(true);
    expect(() => {
      assertSignature(body, sig, hub.public.sign, 'task');
    }).not.toThrow();
  });

  it('refuses an altered body', () => {
    const sig = signJson(makeBody(), hub.signPrivate);
    const altered = makeBody();
    altered.header.round = 1;
    expect(verifyJson(altered, sig, hub.public.sign)).toBe(false);
    const extra = { ...makeBody(), extra: true };
    expect(verifyJson(extra, sig, hub.public.sign)).toBe(false);
  });

  it.each([0, 31, 63])('refuses a signature with one bit of byte %i flipped', (i) => {
    const body = makeBody();
    const raw = Buffer.from(fromB64u(signJson(body, hub.signPrivate)));
    raw[i] = (raw[i] ?? 0) ^ 1;
    expect(verifyJson(body, toB64u(raw), hub.public.sign)).toBe(false);
  });

  it('refuses a signature checked against another key', () => {
    const body = makeBody();
    expect(verifyJson(body, signJson(body, other.signPrivate), hub.public.sign)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['too short', 'A'.repeat(85)],
    ['not base64url', '+'.repeat(86)],
    ['too long', 'A'.repeat(87)],
  ])('refuses a malformed signature (%s)', (_what, sig) => {
    expect(verifyJson(makeBody(), sig, hub.public.sign)).toBe(false);
  });

  it('refuses a malformed or wrong-curve public key', () => {
    const body = makeBody();
    const sig = signJson(body, hub.signPrivate);
    expect(verifyJson(body, sig, 'short')).toBe(false);
    expect(verifyJson(body, sig, hub.public.seal)).toBe(false);
  });

  it('is not a bare Ed25519 signature over the JSON (domain separated)', async () => {
    const { verify } = await import('node:crypto');
    const { canonicalBytes } = await import('./canonical-json.js');
    const { publicKeyFromRaw } = await import('./keys.js');
    const body = makeBody();
    const sig = fromB64u(signJson(body, hub.signPrivate));
    const key = publicKeyFromRaw(hub.public.sign, 'ed25519');
    expect(verify(null, canonicalBytes(body), key, sig)).toBe(false);
  });

  it('assertSignature throws BAD_SIGNATURE naming what was checked', () => {
    const body = makeBody();
    const sig = signJson(body, other.signPrivate);
    try {
      assertSignature(body, sig, hub.public.sign, 'task');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TesseraError);
      expect((e as TesseraError).code).toBe('BAD_SIGNATURE');
      expect((e as Error).message).toBe('task: signature does not verify');
    }
  });
});
