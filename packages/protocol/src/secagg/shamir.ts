/*
 * Shamir t-of-n secret sharing of byte strings (issue 5: self-mask seeds and the pairwise-key
 * private keys of secure aggregation), byte-wise over GF(2^8).
 */
import { randomBytes } from 'node:crypto';
import { TesseraError } from '../errors.js';

/** One share: x = party index + 1 (1..255), y the evaluations for every byte of the secret. */
export interface Share {
  readonly x: number;
  readonly y: Uint8Array;
}

/**
 * Product in GF(2^8) modulo the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11b), by shift-and-add
 * without branches or tables, so no memory access depends on a secret byte.
 */
function gfMul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    p ^= -(b & 1) & a;
    a = ((a << 1) ^ (-(a >> 7) & 0x11b)) & 0xff;
    b >>= 1;
  }
  return p;
}

/** Multiplicative inverse a^254 (a ≠ 0), by square-and-multiply. */
function gfInv(a: number): number {
  let r = 1;
  let sq = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) r = gfMul(r, sq);
    sq = gfMul(sq, sq);
  }
  return r;
}

/**
 * n shares, any t of which rebuild `secret`; fewer reveal nothing. 2 ≤ t ≤ n ≤ 255. Random from
 * node:crypto. Byte-wise over GF(2^8) (AES polynomial 0x11b, bitwise arithmetic, no log tables):
 * each byte is the constant term of its own random polynomial of degree t − 1, evaluated at
 * x = 1..n.
 * @throws TesseraError BAD_REQUEST when n or t is out of range.
 */
export function splitSecret(secret: Uint8Array, n: number, t: number): Share[] {
  if (!Number.isInteger(n) || !Number.isInteger(t) || t < 2 || t > n || n > 255) {
    throw new TesseraError('BAD_REQUEST', `Shamir: need 2 ≤ t ≤ n ≤ 255, got t = ${t}, n = ${n}`);
  }
  const len = secret.length;
  const coeffs = randomBytes(len * (t - 1));
  const shares: Share[] = [];
  for (let x = 1; x <= n; x++) {
    const y = new Uint8Array(len);
    for (let k = 0; k < len; k++) {
      // Horner from the highest coefficient down to the secret byte.
      let acc = 0;
      for (let d = t - 2; d >= 0; d--) acc = gfMul(acc, x) ^ (coeffs[k * (t - 1) + d] as number);
      y[k] = gfMul(acc, x) ^ (secret[k] as number);
    }
    shares.push({ x, y });
  }
  coeffs.fill(0);
  return shares;
}

/**
 * Rebuilds the secret from ≥ t shares with distinct x; throws TesseraError on fewer or duplicate
 * x. Uses the first t shares given (Lagrange interpolation at 0); extra shares are not read.
 * @throws TesseraError BAD_REQUEST on fewer than t shares, a duplicate or out-of-range x, or
 *   shares of different lengths.
 */
export function combineShares(shares: readonly Share[], t: number): Uint8Array {
  if (!Number.isInteger(t) || t < 1) {
    throw new TesseraError('BAD_REQUEST', `Shamir: threshold ${t} is not a count ≥ 1`);
  }
  if (shares.length < t) {
    throw new TesseraError(
      'BAD_REQUEST',
      `Shamir: ${shares.length} shares given, ${t} needed to rebuild the secret`,
    );
  }
  const used = shares.slice(0, t);
  const seen = new Set<number>();
  const len = used[0]?.y.length ?? 0;
  for (const s of shares) {
    if (!Number.isInteger(s.x) || s.x < 1 || s.x > 255) {
      throw new TesseraError('BAD_REQUEST', `Shamir: share x = ${s.x} is not in 1..255`);
    }
    if (seen.has(s.x)) throw new TesseraError('BAD_REQUEST', `Shamir: duplicate share x = ${s.x}`);
    seen.add(s.x);
    if (s.y.length !== len) {
      throw new TesseraError(
        'BAD_REQUEST',
        `Shamir: share x = ${s.x} has ${s.y.length} bytes, not ${len}`,
      );
    }
  }
  // Lagrange basis at 0: l_j = Π_{m≠j} x_m / (x_m − x_j); subtraction is XOR in GF(2^8).
  const basis = used.map((sj, j) => {
    let num = 1;
    let den = 1;
    used.forEach((sm, m) => {
      if (m === j) return;
      num = gfMul(num, sm.x);
      den = gfMul(den, sm.x ^ sj.x);
    });
    return gfMul(num, gfInv(den));
  });
  const out = new Uint8Array(len);
  used.forEach((s, j) => {
    const l = basis[j] as number;
    for (let k = 0; k < len; k++) out[k] = (out[k] as number) ^ gfMul(l, s.y[k] as number);
  });
  return out;
}
