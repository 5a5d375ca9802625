import { describe, expect, it } from 'vitest';
import { TesseraError } from '../errors.js';
import { generateAgreementKey } from './agreement.js';
import { openShareBox, sealShareBox, type ShareContext } from './share-box.js';

const anne = generateAgreementKey();
const bart = generateAgreementKey();
const cleo = generateAgreementKey();
const share = Uint8Array.from({ length: 64 }, (_, i) => i);

function makeContext(overrides: Partial<ShareContext> = {}): ShareContext {
  return {
    jobId: '6f1c2a4e-0000-4000-8000-000000000001',
    round: 0,
    from: 'st-anne',
    to: 'st-bart',
    ...overrides,
  };
}

/** Flips one bit of byte `index` (negative counts from the end) of a base64url box. */
function flip(box: string, index: number): string {
  const b = Buffer.from(box, 'base64url');
  const i = index < 0 ? b.length + index : index;
  b[i] = (b[i] ?? 0) ^ 1;
  return b.toString('base64url');
}

function refusal(f: () => unknown): TesseraError {
  try {
    f();
  } catch (e) {
    if (e instanceof TesseraError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('share boxes', () => {
  const box = sealShareBox(share, anne.privateKey, bart.publicKey, makeContext());

  it('open for the recipient, in the same context', () => {
    expect(box).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openShareBox(box, bart.privateKey, anne.publicKey, makeContext())).toEqual(share);
  });

  it('refuse a replay into another job, round, sender or recipient', () => {
    for (const ctx of [
      makeContext({ jobId: '6f1c2a4e-0000-4000-8000-000000000002' }),
      makeContext({ round: 1 }),
      makeContext({ from: 'st-cleo' }),
      makeContext({ to: 'st-cleo' }),
      makeContext({ from: 'st-bart', to: 'st-anne' }),
    ]) {
      const e = refusal(() => openShareBox(box, bart.privateKey, anne.publicKey, ctx));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(
        /does not open: sealed for another job, round, sender or recipient/,
      );
    }
  });

  it('refuse other keys: a third party, or the right party with the wrong sender key', () => {
    expect(() => openShareBox(box, cleo.privateKey, anne.publicKey, makeContext())).toThrow(
      TesseraError,
    );
    expect(() => openShareBox(box, bart.privateKey, cleo.publicKey, makeContext())).toThrow(
      /does not open/,
    );
  });

  it('refuse any altered byte: version, IV, ciphertext or tag', () => {
    for (const at of [0, 1, 12, 13, 40, -1, -16]) {
      expect(() =>
        openShareBox(flip(box, at), bart.privateKey, anne.publicKey, makeContext()),
      ).toThrow(TesseraError);
    }
  });

  it('refuse a truncated box or one that is not base64url', () => {
    expect(() =>
      openShareBox(box.slice(0, 30), bart.privateKey, anne.publicKey, makeContext()),
    ).toThrow(/truncated/);
    expect(() => openShareBox('a+b/', bart.privateKey, anne.publicKey, makeContext())).toThrow(
      /not base64url/,
    );
  });

  it('seal with a fresh IV each time', () => {
    const again = sealShareBox(share, anne.privateKey, bart.publicKey, makeContext());
    expect(again).not.toBe(box);
  });
});
