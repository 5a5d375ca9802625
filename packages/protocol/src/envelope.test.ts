import { describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from './encoding.js';
import {
  open,
  openJson,
  seal,
  sealJson,
  sealedEnvelopeSchema,
  type AssociatedData,
  type SealedEnvelope,
} from './envelope.js';
import { TesseraError } from './errors.js';
import { generatePartyKeys } from './keys.js';

const node = generatePartyKeys();
const other = generatePartyKeys();

function makeAd(overrides: Partial<AssociatedData> = {}): AssociatedData {
  return {
    taskId: '6f1c2a4e-0000-4000-8000-000000000001',
    node: 'st-elsewhere',
    round: 2,
    purpose: 'task',
    ...overrides,
  };
}

const payload = { step: 'stats', params: { variables: ['age', 'sex'] }, note: 'é ✓' };

/** Flips bit `bit` of byte `index` of a base64url field (negative index counts from the end). */
function flipBit(field: string, index: number, bit = 0): string {
  const bytes = Buffer.from(fromB64u(field));
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
  return toB64u(bytes);
}

function openCode(env: SealedEnvelope, expected = makeAd(), key = node.sealPrivate): string {
  try {
    open(env, key, expected);
    return 'opened';
  } catch (e) {
    return e instanceof TesseraError ? e.code : `not a TesseraError: ${String(e)}`;
  }
}

describe('sealed envelope', () => {
  it('round-trips a JSON payload to the recipient under the same associated data', () => {
    const env = sealJson(payload, node.public.seal, makeAd());
    expect(sealedEnvelopeSchema.parse(env)).toEqual(env);
    expect(openJson(env, node.sealPrivate, makeAd())).toEqual(payload);
  });

  it('round-trips empty and multi-slice binary payloads', () => {
    expect(
      open(seal(new Uint8Array(0), node.public.seal, makeAd()), node.sealPrivate, makeAd()),
    ).toHaveLength(0);
    const big = Buffer.alloc((1 << 20) * 2 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const env = seal(big, node.public.seal, makeAd());
    expect(open(env, node.sealPrivate, makeAd()).equals(big)).toBe(true);
  });

  it('uses a fresh ephemeral key and nonce every time', () => {
    const a = sealJson(payload, node.public.seal, makeAd());
    const b = sealJson(payload, node.public.seal, makeAd());
    expect(a.epk).not.toBe(b.epk);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it('does not carry the plaintext in the clear', () => {
    const env = sealJson({ secret: 'patient-42' }, node.public.seal, makeAd());
    expect(JSON.stringify(env)).not.toContain('patient-42');
    expect(fromB64u(env.ct).toString('latin1')).not.toContain('patient-42');
  });

  describe('refuses with CRYPTO_FAILED', () => {
    const env = sealJson(payload, node.public.seal, makeAd());
    const ctLength = fromB64u(env.ct).length;

    it.each([0, 1, 5, 7])('one bit %i of the first ciphertext byte', (bit) => {
      expect(openCode({ ...env, ct: flipBit(env.ct, 0, bit) })).toBe('CRYPTO_FAILED');
    });

    it('one bit of the last ciphertext byte before the tag', () => {
      expect(openCode({ ...env, ct: flipBit(env.ct, ctLength - 17) })).toBe('CRYPTO_FAILED');
    });

    it.each([-1, -16])('one bit of the tag (byte %i from the end)', (i) => {
      expect(openCode({ ...env, ct: flipBit(env.ct, i) })).toBe('CRYPTO_FAILED');
    });

    it('a truncated tag, a ciphertext without tag, an empty ciphertext', () => {
      const all = fromB64u(env.ct);
      expect(openCode({ ...env, ct: toB64u(all.subarray(0, all.length - 1)) })).toBe(
        'CRYPTO_FAILED',
      );
      expect(openCode({ ...env, ct: toB64u(all.subarray(0, 15)) })).toBe('CRYPTO_FAILED');
      expect(openCode({ ...env, ct: '' })).toBe('CRYPTO_FAILED');
    });

    it.each([0, 11])('one bit of the nonce (byte %i)', (i) => {
      expect(openCode({ ...env, iv: flipBit(env.iv, i) })).toBe('CRYPTO_FAILED');
    });

    // Bit 255 of an X25519 key is ignored by the curve (RFC 7748 5); the HKDF salt still binds it.
    it.each([
      [0, 0],
      [31, 7],
      [15, 3],
    ])('one bit of the ephemeral key (byte %i, bit %i)', (i, bit) => {
      expect(openCode({ ...env, epk: flipBit(env.epk, i, bit) })).toBe('CRYPTO_FAILED');
    });

    it.each([
      ['taskId', { taskId: '6f1c2a4e-0000-4000-8000-000000000002' }],
      ['node', { node: 'st-other' }],
      ['round', { round: 3 }],
      ['purpose', { purpose: 'result' }],
    ] as const)('associated data %s changed on the envelope', (_f, change) => {
      expect(openCode({ ...env, ad: makeAd(change) })).toBe('CRYPTO_FAILED');
    });

    it.each([
      ['taskId', { taskId: '6f1c2a4e-0000-4000-8000-000000000002' }],
      ['node', { node: 'st-other' }],
      ['round', { round: 3 }],
      ['purpose', { purpose: 'result' }],
    ] as const)(
      'associated data %s changed on the envelope and expected alike (GCM binds it)',
      (_f, change) => {
        expect(openCode({ ...env, ad: makeAd(change) }, makeAd(change))).toBe('CRYPTO_FAILED');
      },
    );

    it('associated data with an extra field', () => {
      const ad = { ...makeAd(), extra: 'x' } as AssociatedData;
      expect(openCode({ ...env, ad }, ad)).toBe('CRYPTO_FAILED');
    });

    it('opening with another recipient key', () => {
      expect(openCode(env, makeAd(), other.sealPrivate)).toBe('CRYPTO_FAILED');
    });

    it('an envelope sealed to another node, opened by this one', () => {
      const forOther = sealJson(payload, other.public.seal, makeAd());
      expect(openCode(forOther)).toBe('CRYPTO_FAILED');
    });

    it('a nonce or key that is not base64url', () => {
      expect(openCode({ ...env, iv: '!!!!!!!!!!!!!!!!' })).toBe('CRYPTO_FAILED');
      expect(openCode({ ...env, epk: '*'.repeat(43) })).toBe('CRYPTO_FAILED');
    });
  });

  it('keeps every failure message identical, so nothing tells which check failed', () => {
    const env = sealJson(payload, node.public.seal, makeAd());
    const messages = new Set<string>();
    for (const bad of [
      { ...env, ct: flipBit(env.ct, 0) },
      { ...env, iv: flipBit(env.iv, 0) },
      { ...env, ad: makeAd({ round: 9 }) },
    ]) {
      try {
        open(bad, node.sealPrivate, makeAd());
      } catch (e) {
        messages.add((e as Error).message);
      }
    }
    expect([...messages]).toEqual(['envelope could not be opened']);
  });

  it('reports a sealed payload that is not JSON as BAD_REQUEST', () => {
    const env = seal(Buffer.from('not json'), node.public.seal, makeAd());
    expect(() => openJson(env, node.sealPrivate, makeAd())).toThrowError(
      expect.objectContaining({ code: 'BAD_REQUEST' }) as Error,
    );
  });

  it('refuses a malformed recipient public key when sealing', () => {
    expect(() => sealJson(payload, 'short', makeAd())).toThrowError(TesseraError);
  });
});
