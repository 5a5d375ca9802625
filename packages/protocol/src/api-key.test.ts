import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKeySchema, hashSecret, issueSecret, parseSecret, secretMatches } from './api-key.js';
import { TesseraError } from './errors.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof TesseraError ? e.code : 'not a TesseraError';
  }
  return undefined;
}

describe('API keys', () => {
  it('issues a node key of the documented form with a lookup id and a SHA-256 hash', () => {
    const k = issueSecret('node');
    expect(k.secret).toMatch(/^tsk_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(k.secret.split('_')[1]).toBe(k.keyId);
    expect(apiKeySchema.safeParse(k.secret).success).toBe(true);
    expect(k.hash).toBe(createHash('sha256').update(k.secret).digest('hex'));
  });

  it('stores a hash that is not the key and contains no part of its secret', () => {
    const k = issueSecret('node');
    const randomPart = k.secret.slice(k.secret.lastIndexOf('_') + 1);
    expect(k.hash).not.toBe(k.secret);
    expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(k.hash).not.toContain(randomPart);
    expect(Buffer.from(k.hash, 'hex').toString('base64url')).not.toContain(randomPart);
  });

  it('issues distinct keys', () => {
    const a = issueSecret('node');
    const b = issueSecret('node');
    expect(a.secret).not.toBe(b.secret);
    expect(a.keyId).not.toBe(b.keyId);
  });

  it('parses a presented key of the right kind to its key id', () => {
    const k = issueSecret('session');
    expect(parseSecret(k.secret, 'session')).toEqual({ keyId: k.keyId });
  });

  it('refuses a key of another kind with UNAUTHENTICATED', () => {
    const k = issueSecret('pat');
    expect(codeOf(() => parseSecret(k.secret, 'node'))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['empty', ''],
    ['no prefix', 'abcdefghijkl_' + 'A'.repeat(43)],
    ['short secret', 'tsk_abcdefghijkl_' + 'A'.repeat(42)],
    ['bad key id alphabet', 'tsk_abcdefghijk1_' + 'A'.repeat(43)],
    ['trailing space', 'tsk_abcdefghijkl_' + 'A'.repeat(43) + ' '],
  ])('refuses a malformed key (%s) without echoing it', (_what, presented) => {
    try {
      parseSecret(presented, 'node');
      expect.unreachable();
    } catch (e) {
      expect((e as TesseraError).code).toBe('UNAUTHENTICATED');
      if (presented.length > 0) expect((e as Error).message).not.toContain(presented.trim());
    }
  });

  it('matches the presented key against its stored hash only', () => {
    const k = issueSecret('node');
    const other = issueSecret('node');
    expect(secretMatches(k.secret, k.hash)).toBe(true);
    expect(secretMatches(other.secret, k.hash)).toBe(false);
    expect(secretMatches(k.secret.slice(0, -1) + 'x', k.hash)).toBe(false);
    expect(secretMatches(k.secret, 'not hex')).toBe(false);
    expect(hashSecret(k.secret)).toBe(k.hash);
  });
});
