import {
  bernoulli,
  bernoulliExp,
  exactFraction,
  uniformBelow,
  type RandomBytes,
} from './random-source.js';

/*
 * Exact samplers for the discrete Laplace and discrete Gaussian distributions on the integers
 * (Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential Privacy", NeurIPS 2020,
 * Algorithms 2 and 3). The released value is an integer number of grid steps, so the
 * floating-point attack on a naive continuous sampler (Mironov 2012) has nothing to read.
 */

/**
 * A draw from the discrete Laplace distribution P(k) ∝ exp(−|k| / scale), k ∈ ℤ.
 * @param scale in grid steps, finite and > 0.
 * @throws RangeError for a scale that is not finite and positive.
 */
export function sampleDiscreteLaplace(source: RandomBytes, scale: number): bigint {
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new RangeError(`the discrete Laplace scale must be finite and > 0, got ${scale}`);
  const f = exactFraction(scale);
  return discreteLaplace(source, f.num, f.den);
}

// CKS Algorithm 2: scale t/s for positive integers t and s.
function discreteLaplace(source: RandomBytes, t: bigint, s: bigint): bigint {
  for (;;) {
    const u = uniformBelow(source, t);
    if (!bernoulliExp(source, { num: u, den: t })) continue;
    let v = 0n;
    while (bernoulliExp(source, { num: 1n, den: 1n })) v++;
    const y = (u + t * v) / s;
    const negative = bernoulli(source, { num: 1n, den: 2n });
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/**
 * A draw from the discrete Gaussian P(k) ∝ exp(−k² / 2σ²), k ∈ ℤ.
 * @param sigma in grid steps, finite and > 0.
 * @throws RangeError for a sigma that is not finite and positive.
 */
export function sampleDiscreteGaussian(source: RandomBytes, sigma: number): bigint {
  if (!(sigma > 0) || !Number.isFinite(sigma))
    throw new RangeError(`the discrete Gaussian sigma must be finite and > 0, got ${sigma}`);
  const s2 = exactFraction(sigma * sigma);
  const t = BigInt(Math.floor(sigma)) + 1n;
  // CKS Algorithm 3: a discrete Laplace proposal of scale t, accepted with probability
  // exp(−(|y| − σ²/t)² / 2σ²); with σ² = p/q that exponent is (|y|·t·q − p)² / (2·p·q·t²).
  for (;;) {
    const y = discreteLaplace(source, t, 1n);
    const a = (y < 0n ? -y : y) * t * s2.den - s2.num;
    if (bernoulliExp(source, { num: a * a, den: 2n * s2.num * s2.den * t * t })) return y;
  }
}

/** Variance of the discrete Laplace of `scale` grid steps: 2e^{−1/b} / (1 − e^{−1/b})². */
export function discreteLaplaceVariance(scale: number): number {
  const q = Math.exp(-1 / scale);
  return (2 * q) / (1 - q) ** 2;
}
