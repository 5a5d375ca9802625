/*
 * Exact random draws from a stream of uniform bytes (the noise of differential privacy). The
 * source is passed in: node:crypto's randomBytes at a node, a seeded generator in tests. Only
 * integer arithmetic is used, so no floating-point artefact of the sampler can leak the value
 * it protects (Mironov 2012).
 */

/** Returns `n` independent, uniformly distributed bytes. At a node: `crypto.randomBytes`. */
export type RandomBytes = (n: number) => Uint8Array;

/** A non-negative rational number num / den, exactly. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

/**
 * A uniform integer in [0, n), by rejection from whole bytes (no modulo bias).
 * @throws RangeError when n < 1.
 */
export function uniformBelow(source: RandomBytes, n: bigint): bigint {
  if (n < 1n) throw new RangeError(`uniformBelow needs n ≥ 1, got ${n.toString()}`);
  if (n === 1n) return 0n;
  const bits = (n - 1n).toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const buf = source(bytes);
    if (buf.length !== bytes) throw new RangeError('the random source returned too few bytes');
    let x = 0n;
    for (const b of buf) x = (x << 8n) | BigInt(b);
    x &= mask;
    // At most half the draws are rejected, as the mask is under 2n.
    if (x < n) return x;
  }
}

/** True with probability num / den exactly (0 ≤ num ≤ den). */
export function bernoulli(source: RandomBytes, p: Fraction): boolean {
  return uniformBelow(source, p.den) < p.num;
}

/**
 * True with probability exp(−γ) exactly, for a rational γ ≥ 0 (Canonne, Kamath & Steinke 2020,
 * Algorithm 1: for γ ≤ 1 the first k with Bernoulli(γ/k) false is odd with probability e^−γ).
 */
export function bernoulliExp(source: RandomBytes, gamma: Fraction): boolean {
  let g = gamma;
  while (g.num > g.den) {
    if (!bernoulliExpAtMostOne(source, { num: 1n, den: 1n })) return false;
    g = { num: g.num - g.den, den: g.den };
  }
  return bernoulliExpAtMostOne(source, g);
}

function bernoulliExpAtMostOne(source: RandomBytes, g: Fraction): boolean {
  let k = 1n;
  while (bernoulli(source, { num: g.num, den: g.den * k })) k++;
  return k % 2n === 1n;
}

/**
 * The exact value of a finite double x ≥ 0 as a fraction (every double is a dyadic rational),
 * so a mechanism run on it is exactly the mechanism with that parameter.
 * @throws RangeError for a negative or non-finite x.
 */
export function exactFraction(x: number): Fraction {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`expected a finite x ≥ 0, got ${x}`);
  if (x === 0) return { num: 0n, den: 1n };
  let num = x;
  let den = 1n;
  // Doubling is exact until the value is an integer (at most 1074 times, for subnormals).
  while (!Number.isInteger(num)) {
    num *= 2;
    den *= 2n;
  }
  return { num: BigInt(num), den };
}
