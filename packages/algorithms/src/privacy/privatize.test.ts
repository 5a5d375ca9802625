import { describe, expect, it } from 'vitest';
import { createRng } from '../numerics/random.js';
import { discreteLaplaceVariance } from './discrete.js';
import { composeReports, privatizeCounts, privatizeSums, splitBudget } from './privatize.js';
import type { RandomBytes } from './random-source.js';
import { dpSpecSchema, privacyReportSchema } from './schemas.js';

function seeded(seed: number): RandomBytes {
  const rng = createRng(seed);
  return (n) => Uint8Array.from({ length: n }, () => rng.int(256));
}

function variance(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
}

describe('privatizeCounts', () => {
  it('adds integer Laplace noise of scale 1/ε to histogram cells, with the variance it states', () => {
    const cells = Array.from({ length: 10_000 }, () => 50);
    const r = privatizeCounts(cells, { mechanism: 'laplace', epsilon: 0.5 }, seeded(1), {
      statistic: 'histogram',
    });
    expect(r.values.every((v) => Number.isInteger(v))).toBe(true);
    expect(r.release).toMatchObject({
      mechanism: 'laplace',
      epsilon: 0.5,
      delta: 0,
      resolution: 1,
    });
    expect(r.release.noiseScale).toBeCloseTo(2, 9);
    const noise = r.values.map((v) => v - 50);
    // Relative sd of a Laplace sample variance √(5/N) ≈ 2.2%; tolerance 9%.
    expect(Math.abs(variance(noise) / discreteLaplaceVariance(2) - 1)).toBeLessThan(0.09);
  });

  it('scales the noise with the number of counts one row may change', () => {
    const r = privatizeCounts([10, 20, 30], { mechanism: 'laplace', epsilon: 1 }, seeded(2), {
      statistic: 'counts',
    });
    expect(r.release.noiseScale).toBeCloseTo(3, 9);
  });

  it('uses the analytic Gaussian σ for the Gaussian mechanism', () => {
    const r = privatizeCounts([5], { mechanism: 'gaussian', epsilon: 1, delta: 1e-5 }, seeded(3), {
      statistic: 'count',
    });
    expect(r.release.noiseScale).toBeCloseTo(3.7306, 3);
    expect(r.release.delta).toBe(1e-5);
  });

  it('refuses a count that is not a non-negative integer, and bad parameters', () => {
    const dp = { mechanism: 'laplace', epsilon: 1 } as const;
    expect(() => privatizeCounts([1.5], dp, seeded(1), { statistic: 'count' })).toThrow(/integer/);
    expect(() =>
      privatizeCounts([1], { mechanism: 'gaussian', epsilon: 1 }, seeded(1), {
        statistic: 'count',
      }),
    ).toThrow(/δ/);
    expect(() =>
      privatizeCounts([1], { ...dp, delta: 1e-5 }, seeded(1), { statistic: 'count' }),
    ).toThrow(/no δ/);
    expect(() =>
      privatizeCounts([1], { ...dp, epsilon: 0 }, seeded(1), { statistic: 'count' }),
    ).toThrow(RangeError);
  });
});

describe('privatizeSums', () => {
  it('snaps sums to a power-of-two grid and adds noise of scale Δ₁/ε there', () => {
    const sums = Array.from({ length: 5000 }, () => 1234.5678);
    const r = privatizeSums(
      sums,
      sums.map(() => [0, 120] as const),
      { mechanism: 'laplace', epsilon: 1 },
      seeded(4),
    );
    const g = r.release.resolution;
    expect(Math.log2(g)).toBe(Math.floor(Math.log2(g)));
    expect(g).toBeLessThanOrEqual(120 / 2 ** 20);
    expect(r.values.every((v) => Number.isInteger(v / g))).toBe(true);
    // Δ₁ = 5000 × 120 plus one grid step per value for the rounding.
    expect(r.release.noiseScale / (5000 * 120) - 1).toBeLessThan(1e-4);
    expect(r.release.noiseScale).toBeGreaterThan(5000 * 120);
  });

  it('gives each sum the stated Laplace variance (one sum of bounds [0, 120], ε = 1)', () => {
    const source = seeded(5);
    const noise = Array.from({ length: 4000 }, () => {
      const r = privatizeSums([100], [[0, 120]], { mechanism: 'laplace', epsilon: 1 }, source);
      return r.values[0]! - 100;
    });
    // Continuous-equivalent variance 2b², b ≈ 120; relative sd √(5/N) ≈ 3.5%, tolerance 14%.
    expect(Math.abs(variance(noise) / (2 * 120 * 120) - 1)).toBeLessThan(0.14);
  });

  it('halves the sensitivity for centred sums (a mean’s numerator)', () => {
    const r = privatizeSums([-3.25], [[0, 120]], { mechanism: 'laplace', epsilon: 2 }, seeded(6), {
      centred: true,
    });
    expect(r.release.noiseScale / 30 - 1).toBeLessThan(1e-5);
  });

  it('refuses mismatched bounds and non-finite sums', () => {
    const dp = { mechanism: 'laplace', epsilon: 1 } as const;
    expect(() => privatizeSums([1, 2], [[0, 1]], dp, seeded(1))).toThrow(/2 sums but 1 bounds/);
    expect(() => privatizeSums([Number.NaN], [[0, 1]], dp, seeded(1))).toThrow(/finite/);
  });
});

describe('reports and the dp spec', () => {
  it('composes releases by adding ε and δ (basic composition)', () => {
    const half = splitBudget({ mechanism: 'gaussian', epsilon: 1, delta: 1e-6 }, 2);
    expect(half).toEqual({ mechanism: 'gaussian', epsilon: 0.5, delta: 5e-7 });
    const a = privatizeSums([10], [[0, 10]], half, seeded(7), { centred: true });
    const b = privatizeCounts([4], half, seeded(8), { statistic: 'count' });
    const report = composeReports([a.release, b.release]);
    expect(report.epsilon).toBe(1);
    expect(report.delta).toBe(1e-6);
    expect(privacyReportSchema.parse(report)).toEqual(report);
    expect(() => composeReports([])).toThrow(RangeError);
  });

  it('accepts the job’s dp field and refuses a Gaussian without δ or bad bounds', () => {
    const ok = dpSpecSchema.parse({ mechanism: 'laplace', epsilon: 1, bounds: { age: [0, 120] } });
    expect(ok.bounds).toEqual({ age: [0, 120] });
    expect(dpSpecSchema.safeParse({ mechanism: 'gaussian', epsilon: 1 }).success).toBe(false);
    expect(dpSpecSchema.safeParse({ mechanism: 'laplace', epsilon: 1, delta: 1e-5 }).success).toBe(
      false,
    );
    expect(
      dpSpecSchema.safeParse({ mechanism: 'laplace', epsilon: 1, bounds: { age: [120, 0] } })
        .success,
    ).toBe(false);
    expect(dpSpecSchema.safeParse({ mechanism: 'laplace', epsilon: -1 }).success).toBe(false);
  });
});
