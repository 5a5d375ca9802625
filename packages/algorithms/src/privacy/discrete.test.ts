import { describe, expect, it, vi } from 'vitest';
import { createRng } from '../numerics/random.js';
import {
  discreteLaplaceVariance,
  sampleDiscreteGaussian,
  sampleDiscreteLaplace,
} from './discrete.js';
import { bernoulliExp, exactFraction, uniformBelow, type RandomBytes } from './random-source.js';

/** A seeded byte source: reproducible tests, never used at a node. */
function seeded(seed: number): RandomBytes {
  const rng = createRng(seed);
  return (n) => Uint8Array.from({ length: n }, () => rng.int(256));
}

const N = 20_000;

function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/** Exact variance of the discrete Gaussian, by summing its mass (the reference). */
function discreteGaussianVariance(sigma: number): number {
  let z = 0;
  let m2 = 0;
  for (let k = -Math.ceil(40 * sigma); k <= 40 * sigma; k++) {
    const p = Math.exp(-(k * k) / (2 * sigma * sigma));
    z += p;
    m2 += k * k * p;
  }
  return m2 / z;
}

describe('exact samplers', () => {
  it('draws uniform integers below n without bias', () => {
    const source = seeded(1);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < N; i++) counts[Number(uniformBelow(source, 5n))]! += 1;
    // Each cell expects N/5 = 4000 with sd ≈ 57; 5 sd is a failure.
    for (const c of counts) expect(Math.abs(c - N / 5)).toBeLessThan(5 * 57);
  });

  it('accepts Bernoulli(exp(−γ)) at the right rate below and above γ = 1', () => {
    for (const gamma of [0.5, 2.5]) {
      const source = seeded(2);
      let hits = 0;
      for (let i = 0; i < N; i++) if (bernoulliExp(source, exactFraction(gamma))) hits++;
      const p = Math.exp(-gamma);
      // Binomial sd √(p(1−p)/N); 4 sd tolerance.
      expect(Math.abs(hits / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('turns a double into its exact fraction', () => {
    expect(exactFraction(0.75)).toEqual({ num: 3n, den: 4n });
    expect(exactFraction(5)).toEqual({ num: 5n, den: 1n });
    const f = exactFraction(0.1);
    expect(Number(f.num) / Number(f.den)).toBe(0.1);
    expect(() => exactFraction(-1)).toThrow(RangeError);
  });

  it('discrete Laplace: variance 2e^{−1/b}/(1−e^{−1/b})², mass at 0 and mean 0 (20,000 seeded draws)', () => {
    for (const scale of [1, 3, 12.5]) {
      const source = seeded(3);
      const xs = Array.from({ length: N }, () => Number(sampleDiscreteLaplace(source, scale)));
      const { mean, variance } = moments(xs);
      const expected = discreteLaplaceVariance(scale);
      // The sample variance of a Laplace has relative sd √(5/N) ≈ 1.6%; tolerance 6%.
      expect(Math.abs(variance / expected - 1)).toBeLessThan(0.06);
      expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(expected / N));
      const q = Math.exp(-1 / scale);
      const p0 = (1 - q) / (1 + q);
      const zeros = xs.filter((x) => x === 0).length / N;
      expect(Math.abs(zeros - p0)).toBeLessThan(4 * Math.sqrt((p0 * (1 - p0)) / N));
    }
  });

  it('discrete Gaussian: variance matches the summed exact variance (20,000 seeded draws)', () => {
    for (const sigma of [1, 3.73, 20]) {
      const source = seeded(4);
      const xs = Array.from({ length: N }, () => Number(sampleDiscreteGaussian(source, sigma)));
      const { mean, variance } = moments(xs);
      const expected = discreteGaussianVariance(sigma);
      // The sample variance of a Gaussian has relative sd √(2/N) ≈ 1%; tolerance 4%.
      expect(Math.abs(variance / expected - 1)).toBeLessThan(0.04);
      expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(expected / N));
    }
  });

  it('is reproducible from a seeded source and never calls Math.random', () => {
    const spy = vi.spyOn(Math, 'random');
    const a = Array.from(
      { length: 50 },
      (
        (s) => () =>
          sampleDiscreteGaussian(s, 5)
      )(seeded(9)),
    );
    const b = Array.from(
      { length: 50 },
      (
        (s) => () =>
          sampleDiscreteGaussian(s, 5)
      )(seeded(9)),
    );
    expect(a).toEqual(b);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('refuses a scale that is not positive and finite', () => {
    expect(() => sampleDiscreteLaplace(seeded(1), 0)).toThrow(RangeError);
    expect(() => sampleDiscreteGaussian(seeded(1), Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
