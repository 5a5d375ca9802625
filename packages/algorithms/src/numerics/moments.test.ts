import { describe, expect, it } from 'vitest';
import { compensatedSum, moments, poolMoments, sampleVariance } from './moments.js';
import { createRng } from './random.js';

describe('moments', () => {
  it('gives a textbook variance', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance 4, sample variance 32/7.
    const m = moments([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(m).toEqual({ count: 8, mean: 5, m2: 32 });
    expect(sampleVariance(m)).toBeCloseTo(32 / 7, 14);
  });

  it('skips NaN (missing) and handles empty input', () => {
    expect(moments([Number.NaN, 1, 3]).count).toBe(2);
    expect(moments([Number.NaN])).toEqual({ count: 0, mean: 0, m2: 0 });
    expect(sampleVariance({ count: 1, mean: 3, m2: 0 })).toBeNull();
  });

  it('stays accurate with a large offset (where sum-of-squares pooling fails)', () => {
    // Values 1e9 + {4, 7, 13, 16}: variance 30, which naive Σx² − n·mean² loses entirely.
    const m = moments([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
    expect(sampleVariance(m)).toBe(30);
  });

  it('compensated summation recovers what naive summation loses', () => {
    expect(compensatedSum([1, 1e100, 1, -1e100])).toBe(2);
  });

  it('pools split data to the moments of the whole within 1e-13 relative', () => {
    const rng = createRng(7);
    const xs = Array.from({ length: 1000 }, () => 120 + 15 * rng.normal());
    const whole = moments(xs);
    const pooled = [0, 3, 250, 251, 700, 1000]
      .slice(1)
      .map((end, i, ends) => moments(xs.slice(i === 0 ? 0 : ends[i - 1], end)))
      .reduce(poolMoments);
    expect(pooled.count).toBe(1000);
    expect(Math.abs(pooled.mean - whole.mean) / whole.mean).toBeLessThan(1e-13);
    expect(Math.abs(pooled.m2 - whole.m2) / whole.m2).toBeLessThan(1e-13);
  });
});

describe('createRng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(seqA);
  });

  it('draws uniforms in [0, 1) and normals with mean 0 and sd 1 (n = 100000, 5 sigma)', () => {
    const rng = createRng(1);
    const n = 100_000;
    const us = Array.from({ length: n }, () => rng.uniform());
    expect(Math.min(...us)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...us)).toBeLessThan(1);
    const z = moments(Array.from({ length: n }, () => rng.normal()));
    // Standard error of the mean is 1/sqrt(n) ≈ 0.0032; of the variance ≈ sqrt(2/n) ≈ 0.0045.
    expect(Math.abs(z.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(z.m2 / (n - 1) - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});
