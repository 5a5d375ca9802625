import { describe, expect, it } from 'vitest';
import { expectWithin, GAUSSIAN, LAPLACE, noiseSd, plainAndNoisy } from '../../test/support/dp.js';
import { createRng } from '../numerics/random.js';
import { analyticGaussianSigma } from '../privacy/gaussian-sigma.js';
import { makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { histogram } from './index.js';
import type { HistogramResult } from './schemas.js';

function site(seed: number, rows: number, extra: readonly (number | null)[] = []): Table {
  const rng = createRng(seed);
  const xs = Array.from({ length: rows }, () =>
    rng.uniform() < 0.05 ? null : rng.normal() * 15 + 50,
  );
  return makeTable({ x: numberColumn([...xs, ...extra]) });
}

const PARAMS = { variable: 'x', bins: 10, range: [0, 100] };
// Site 3 holds three values above 100 and the others none: that cell is suppressed there.
const TABLES = [site(1, 400), site(2, 300), site(3, 200, [120, 130, 140])];

describe('histogram with dp', () => {
  it('adds Laplace noise of scale 1/ε to every cell, within 6 sd of the exact counts', () => {
    const { plain, noisy } = plainAndNoisy<HistogramResult>(histogram, PARAMS, LAPLACE, TABLES);
    expect(noisy.privacy).toMatchObject({
      mechanism: 'laplace',
      epsilonPerSite: 1,
      deltaPerSite: 0,
      sites: 3,
    });
    expect(noisy.privacy.noiseScale['cells']).toBeCloseTo(1, 9);
    const sd = Math.sqrt(3) * noiseSd('laplace', 1);
    plain.counts.forEach((c, i) => {
      if (c === null) expect(noisy.counts[i]).toBeNull();
      else expectWithin(noisy.counts[i] ?? Number.NaN, c, sd, `bin ${i}`);
    });
    expect(noisy.counts).not.toEqual(plain.counts);
    expect(noisy.counts.every((c) => c === null || (Number.isInteger(c) && c >= 0))).toBe(true);
    expectWithin(noisy.missing, plain.missing, sd, 'missing');
    expectWithin(noisy.n, plain.n, Math.sqrt(13) * sd, 'n');
  });

  it('keeps a cell suppressed at a site suppressed, whatever the noise', () => {
    const { plain, noisy } = plainAndNoisy<HistogramResult>(histogram, PARAMS, LAPLACE, TABLES);
    expect(plain.above).toBeNull();
    expect(noisy.above).toBeNull();
    expect(noisy.suppressed).toEqual(plain.suppressed);
  });

  it('states the Gaussian σ for (ε, δ) and stays within 6σ', () => {
    const { plain, noisy } = plainAndNoisy<HistogramResult>(histogram, PARAMS, GAUSSIAN, TABLES);
    expect(noisy.privacy).toMatchObject({ mechanism: 'gaussian', epsilonPerSite: 1 });
    expect(noisy.privacy.deltaPerSite).toBeCloseTo(1e-6, 15);
    // The analytic Gaussian σ for Δ₂ = 1 (Balle & Wang 2018), below the classical bound.
    const sigma = noisy.privacy.noiseScale['cells'] ?? 0;
    expect(sigma / analyticGaussianSigma(1, 1, 1e-6) - 1).toBeLessThan(1e-9);
    expect(sigma).toBeLessThan(Math.sqrt(2 * Math.log(1.25 / 1e-6)));
    plain.counts.forEach((c, i) => {
      if (c !== null)
        expectWithin(noisy.counts[i] ?? Number.NaN, c, Math.sqrt(3) * sigma, `bin ${i}`);
    });
  });

  it('adds noise whose spread matches the stated scale over 1000 cells', () => {
    const many = { variable: 'x', bins: 1000, range: [0, 100] };
    const one = [site(4, 20_000)];
    const { plain, noisy } = plainAndNoisy<HistogramResult>(histogram, many, LAPLACE, one, {
      policy: { minCount: 1, allowMinMax: false },
    });
    const d = noisy.counts.flatMap((c, i) => {
      const p = plain.counts[i];
      // Cells clamped at 0 are biased; only cells far from 0 measure the spread.
      return c === null || p === null || p === undefined || p < 20 ? [] : [c - p];
    });
    expect(d.length).toBeGreaterThan(400);
    const variance = d.reduce((a, x) => a + x * x, 0) / d.length;
    const stated = noiseSd('laplace', noisy.privacy.noiseScale['cells'] ?? 0) ** 2;
    // Relative sd of a Laplace variance estimate from N values is √(5/N) ≈ 11% at N = 400.
    expect(Math.abs(variance / stated - 1)).toBeLessThan(0.35);
  });
});
