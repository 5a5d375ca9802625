import { describe, expect, it } from 'vitest';
import { TesseraError } from '../errors.js';
import {
  decodeFixed,
  encodeFixed,
  fixedPointErrorBound,
  fixedPointLimit,
  ringAddInto,
  ringSubInto,
} from './ring.js';
import { makeUint32Stream, ringElement } from './test-support.js';

const MOD = 1n << 64n;
// Limbs at the edges of carry and borrow, mixed into the random vectors.
const EDGES = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function makeRingVector(n: number, seed: number): Uint32Array {
  const next = makeUint32Stream(seed);
  const v = new Uint32Array(2 * n);
  for (let i = 0; i < v.length; i++) {
    v[i] = next() % 4 === 0 ? (EDGES[next() % EDGES.length] ?? 0) : next();
  }
  return v;
}

function expectRingEqual(actual: Uint32Array, expected: (i: number) => bigint): void {
  for (let i = 0; i < actual.length / 2; i++) {
    const want = expected(i);
    if (ringElement(actual, i) !== want) {
      throw new Error(`element ${i}: ${ringElement(actual, i)} ≠ ${want}`);
    }
  }
}

function thrown(f: () => unknown): TesseraError {
  try {
    f();
  } catch (e) {
    if (e instanceof TesseraError) return e;
    throw e;
  }
  throw new Error('expected a TesseraError');
}

describe('ring Z_(2^64)', () => {
  it('adds element-wise mod 2^64 exactly as BigInt does, carries and wrap-around included', () => {
    for (const seed of [1, 2, 3]) {
      const a = makeRingVector(5000, seed);
      const b = makeRingVector(5000, seed + 100);
      const acc = Uint32Array.from(a);
      ringAddInto(acc, b);
      expectRingEqual(acc, (i) => (ringElement(a, i) + ringElement(b, i)) % MOD);
    }
  });

  it('subtracts element-wise mod 2^64 exactly as BigInt does, borrows included', () => {
    for (const seed of [4, 5, 6]) {
      const a = makeRingVector(5000, seed);
      const b = makeRingVector(5000, seed + 100);
      const acc = Uint32Array.from(a);
      ringSubInto(acc, b);
      expectRingEqual(acc, (i) => (ringElement(a, i) - ringElement(b, i) + MOD) % MOD);
    }
  });

  it('wraps 2^64 − 1 + 1 to 0 and 0 − 1 to 2^64 − 1', () => {
    const acc = new Uint32Array([0xffffffff, 0xffffffff, 0, 0]);
    ringAddInto(acc, new Uint32Array([1, 0, 0, 0]));
    expect([...acc]).toEqual([0, 0, 0, 0]);
    ringSubInto(acc, new Uint32Array([0, 0, 1, 0]));
    expect([...acc]).toEqual([0, 0, 0xffffffff, 0xffffffff]);
  });

  it('refuses vectors of different lengths', () => {
    expect(() => {
      ringAddInto(new Uint32Array(4), new Uint32Array(6));
    }).toThrow(/differ in length \(2 and 3 elements\)/);
  });
});

describe('fixed point', () => {
  const spec = { scaleBits: 20, parties: 5 };

  it('encodes negatives in two’s complement, as BigInt.asUintN(64, round(v·2^s))', () => {
    const values = [0, 1, -1, 0.5, -0.5, 2 ** -21, -(2 ** -21), 123456.789, -98765.4321, -3e11];
    const ring = encodeFixed(values, spec);
    expectRingEqual(ring, (i) =>
      BigInt.asUintN(64, BigInt(Math.round((values[i] ?? 0) * 2 ** spec.scaleBits))),
    );
  });

  it('decodes a sum within parties · 2^-(s+1) of the exact sum', () => {
    const next = makeUint32Stream(7);
    const n = 2000;
    // Multiples of 2^-30 below 2^19 in magnitude: finer than the 2^-20 grid (so rounding shows),
    // and five of them sum exactly in a double (the reference).
    const value = (): number => ((next() % 2 ** 17) * 2 ** 32 + next() - 2 ** 48) * 2 ** -30;
    const parts = Array.from({ length: spec.parties }, () =>
      Float64Array.from({ length: n }, value),
    );
    const acc = new Uint32Array(2 * n);
    for (const p of parts) ringAddInto(acc, encodeFixed(p, spec));
    const sum = decodeFixed(acc, spec.scaleBits);
    const bound = fixedPointErrorBound(spec);
    expect(bound).toBe(5 * 2 ** -21);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const exact = parts.reduce((s, p) => s + (p[i] ?? 0), 0);
      worst = Math.max(worst, Math.abs((sum[i] ?? 0) - exact));
    }
    expect(worst).toBeLessThanOrEqual(bound);
    expect(worst).toBeGreaterThan(0);
  });

  it('round-trips one value within 2^-(s+1)', () => {
    const values = [Math.PI, -Math.E, 1e9 + 0.123, -1e-7];
    const back = decodeFixed(encodeFixed(values, { scaleBits: 20, parties: 1 }), 20);
    values.forEach((v, i) => {
      expect(Math.abs((back[i] ?? 0) - v)).toBeLessThanOrEqual(2 ** -21);
    });
  });

  it('keeps the sign of a sum of parties values all at the bound (no wrap)', () => {
    const parties = 3;
    const top = fixedPointLimit(parties);
    const acc = new Uint32Array(4);
    for (let k = 0; k < parties; k++) {
      ringAddInto(acc, encodeFixed([top, -top], { scaleBits: 0, parties }));
    }
    expect(ringElement(acc, 0)).toBe(BigInt(top) * 3n);
    expect(ringElement(acc, 0) < 1n << 63n).toBe(true);
    expect([...decodeFixed(acc, 0)]).toEqual([3 * top, -3 * top]);
  });

  it('takes the largest double not above floor((2^63 − 1) / parties) as the limit', () => {
    for (const parties of [1, 2, 3, 5, 10, 100, 255, 1000]) {
      const exact = ((1n << 63n) - 1n) / BigInt(parties);
      const limit = fixedPointLimit(parties);
      expect(BigInt(limit) <= exact).toBe(true);
      const above = limit + 2 ** (Math.floor(Math.log2(limit)) - 52);
      expect(BigInt(above) > exact).toBe(true);
    }
    expect(fixedPointLimit(1)).toBe(2 ** 63 - 1024);
  });

  it('accepts a value exactly at the bound and refuses the next one loudly, naming index and bound', () => {
    // parties = 2^40 makes the bound floor((2^63 − 1) / 2^40) = 2^23 − 1, exact in a double.
    const s = { scaleBits: 0, parties: 2 ** 40 };
    expect(() => encodeFixed([8388607, -8388607], s)).not.toThrow();
    const e = thrown(() => encodeFixed([1, 2, 3, 8388608], s));
    expect(e.code).toBe('UNPROCESSABLE');
    expect(e.message).toMatch(/index 3 .*exceeds the bound 8388607/);
    expect(e.details).toMatchObject({ index: 3, bound: 8388607 });
    expect(thrown(() => encodeFixed([0, -8388608], s)).message).toMatch(/index 1 /);
  });

  it('refuses at the exact scaled bound for 5 parties at 2^-20', () => {
    const limit = fixedPointLimit(5);
    const atBound = limit / 2 ** 20;
    const next = (limit + 256) / 2 ** 20; // doubles near 1.8e18 are 256 apart
    expect(() => encodeFixed([atBound, -atBound], spec)).not.toThrow();
    expect(thrown(() => encodeFixed([next], spec)).code).toBe('UNPROCESSABLE');
  });

  it('refuses NaN and infinities naming the index', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const e = thrown(() => encodeFixed([0, 0, bad], spec));
      expect(e.code).toBe('UNPROCESSABLE');
      expect(e.message).toMatch(/index 2 is not finite/);
    }
  });

  it('refuses a malformed spec', () => {
    expect(() => encodeFixed([1], { scaleBits: 63, parties: 1 })).toThrow(/scaleBits/);
    expect(() => encodeFixed([1], { scaleBits: 20, parties: 0 })).toThrow(/parties/);
  });
});
