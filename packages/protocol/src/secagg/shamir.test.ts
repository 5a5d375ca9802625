import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { combineShares, splitSecret, type Share } from './shamir.js';

/** Every k-element subset of xs, in order. */
function subsets<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [head, ...rest] = xs as [T, ...T[]];
  return [...subsets(rest, k - 1).map((s) => [head, ...s]), ...subsets(rest, k)];
}

describe('Shamir over GF(2^8)', () => {
  const secret = randomBytes(32);

  it('rebuilds the secret from any t of n shares, in any order', () => {
    const shares = splitSecret(secret, 5, 3);
    expect(shares.map((s) => s.x)).toEqual([1, 2, 3, 4, 5]);
    for (const k of [3, 4, 5]) {
      for (const subset of subsets(shares, k)) {
        expect(Buffer.from(combineShares(subset, 3))).toEqual(secret);
        expect(Buffer.from(combineShares([...subset].reverse(), 3))).toEqual(secret);
      }
    }
  });

  it('gives another value from t − 1 shares (and refuses them as too few for t)', () => {
    const shares = splitSecret(secret, 5, 3);
    for (const pair of subsets(shares, 2)) {
      expect(Buffer.from(combineShares(pair, 2))).not.toEqual(secret);
      expect(() => combineShares(pair, 3)).toThrow(/2 shares given, 3 needed/);
    }
  });

  it('works at the largest sizes (n = 255, t = 200)', () => {
    const shares = splitSecret(secret, 255, 200);
    const picked = shares.filter((_, i) => i % 5 !== 0).slice(0, 200);
    expect(Buffer.from(combineShares(picked, 200))).toEqual(secret);
  });

  it('draws fresh randomness: two splittings of one secret differ', () => {
    const a = splitSecret(secret, 3, 2);
    const b = splitSecret(secret, 3, 2);
    expect(Buffer.from(a[0]?.y ?? [])).not.toEqual(Buffer.from(b[0]?.y ?? []));
  });

  it('refuses duplicate or out-of-range x and shares of different lengths', () => {
    const [s1, s2, s3] = splitSecret(secret, 3, 2) as [Share, Share, Share];
    expect(() => combineShares([s1, { ...s2, x: 1 }, s3], 2)).toThrow(/duplicate share x = 1/);
    expect(() => combineShares([s1, { ...s2, x: 0 }], 2)).toThrow(/x = 0 is not in 1..255/);
    expect(() => combineShares([s1, { ...s2, y: s2.y.subarray(1) }], 2)).toThrow(/31 bytes/);
  });

  it('refuses t < 2, t > n and n > 255 when splitting', () => {
    expect(() => splitSecret(secret, 5, 1)).toThrow(/2 ≤ t ≤ n ≤ 255/);
    expect(() => splitSecret(secret, 3, 4)).toThrow(/2 ≤ t ≤ n ≤ 255/);
    expect(() => splitSecret(secret, 256, 3)).toThrow(/2 ≤ t ≤ n ≤ 255/);
  });
});
