import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  agreementPublicOf,
  exportAgreementPrivate,
  generateAgreementKey,
  importAgreementPrivate,
  pairwiseSeed,
} from './agreement.js';
import { combineShares, splitSecret } from './shamir.js';

interface Vectors {
  pair: {
    aPrivateHex: string;
    bPrivateHex: string;
    aPublic: string;
    bPublic: string;
    jobId: string;
    round: number;
    a: string;
    b: string;
    seedHex: string;
  };
}
// Written by fixtures/make-vectors.py with pyca/cryptography (an independent implementation).
const { pair } = JSON.parse(
  readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'),
) as Vectors;

const ctx = { jobId: '6f1c2a4e-0000-4000-8000-000000000001', round: 0, a: 'st-anne', b: 'st-bart' };
const anne = generateAgreementKey();
const bart = generateAgreementKey();

describe('pairwise seeds', () => {
  it('are symmetric: both parties derive the same 32 bytes', () => {
    const fromAnne = pairwiseSeed(anne.privateKey, bart.publicKey, ctx);
    const fromBart = pairwiseSeed(bart.privateKey, anne.publicKey, {
      ...ctx,
      a: 'st-bart',
      b: 'st-anne',
    });
    expect(fromAnne.length).toBe(32);
    expect(Buffer.from(fromBart)).toEqual(Buffer.from(fromAnne));
  });

  it('match the independent X25519 + HKDF reference', () => {
    const a = importAgreementPrivate(Buffer.from(pair.aPrivateHex, 'hex'));
    expect(agreementPublicOf(a)).toBe(pair.aPublic);
    const seed = pairwiseSeed(a, pair.bPublic, pair);
    expect(Buffer.from(seed).toString('hex')).toBe(pair.seedHex);
  });

  it('are bound to the job, the round and the two names', () => {
    const base = Buffer.from(pairwiseSeed(anne.privateKey, bart.publicKey, ctx));
    for (const other of [
      { ...ctx, jobId: '6f1c2a4e-0000-4000-8000-000000000002' },
      { ...ctx, round: 1 },
      { ...ctx, b: 'st-cleo' },
      { ...ctx, a: 'st-abel' },
    ]) {
      expect(Buffer.from(pairwiseSeed(anne.privateKey, bart.publicKey, other))).not.toEqual(base);
    }
  });

  it('are rebuilt by the hub from a Shamir-shared private key', () => {
    const raw = exportAgreementPrivate(anne.privateKey);
    expect(raw.length).toBe(32);
    const shares = splitSecret(raw, 5, 3);
    const rebuilt = importAgreementPrivate(combineShares(shares.slice(2), 3));
    expect(agreementPublicOf(rebuilt)).toBe(anne.publicKey);
    expect(Buffer.from(pairwiseSeed(rebuilt, bart.publicKey, ctx))).toEqual(
      Buffer.from(pairwiseSeed(anne.privateKey, bart.publicKey, ctx)),
    );
  });

  it('refuse a low-order public key, equal names and names with "|"', () => {
    const zero = Buffer.alloc(32).toString('base64url');
    expect(() => pairwiseSeed(anne.privateKey, zero, ctx)).toThrow(/low-order/);
    expect(() => pairwiseSeed(anne.privateKey, bart.publicKey, { ...ctx, b: 'st-anne' })).toThrow(
      /distinct names/,
    );
    expect(() => pairwiseSeed(anne.privateKey, bart.publicKey, { ...ctx, b: 'x|y' })).toThrow(
      /distinct names/,
    );
  });

  it('refuse a private key of the wrong type or size', () => {
    expect(() => importAgreementPrivate(new Uint8Array(31))).toThrow(/31 bytes, not 32/);
  });
});
