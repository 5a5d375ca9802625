import { describe, expect, it } from 'vitest';
import { composedGaussianEpsilon } from '../../privacy/rdp.js';
import { privacyReportSchema } from '../../privacy/schemas.js';
import { seededRandomBytes } from '../../simulate.js';
import {
  privatizeUpdate,
  trainAccountant,
  trainEpsilon,
  trainPrivacy,
  trainDpSchema,
} from './dp.js';

/*
 * DP-FedAvg at the site: the clipped update plus discrete Gaussian noise of SD z·C per
 * coordinate. Statistical checks with a seeded source, each at about 4 standard errors, so a
 * correct sampler fails them with probability ~1e-4 (and, seeded, never between runs).
 */

const mean = (x: readonly number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
const sd = (x: readonly number[]): number => {
  const m = mean(x);
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1));
};

describe('privatizeUpdate', () => {
  it('adds noise of SD noiseMultiplier·clip per coordinate, centred on the update', () => {
    const dp = { clip: 2, noiseMultiplier: 1.3, delta: 1e-5 };
    const p = 20_000;
    const update = Array.from({ length: p }, (_, j) => (j % 2 === 0 ? 0.005 : -0.005));
    const out = privatizeUpdate(update, dp, seededRandomBytes(17));
    const noise = out.update.map((v, j) => v - (update[j] ?? 0));
    // SE of the mean: σ/√p ≈ 0.018; of the SD: σ/√(2p) ≈ 0.013 (relative 0.5%).
    expect(Math.abs(mean(noise))).toBeLessThan((4 * 2.6) / Math.sqrt(p));
    expect(Math.abs(sd(noise) / 2.6 - 1)).toBeLessThan(4 / Math.sqrt(2 * p));
    // Gaussian tails: the share beyond 2σ is 4.55% (SE 0.15%).
    const beyond = noise.filter((v) => Math.abs(v) > 2 * 2.6).length / p;
    expect(Math.abs(beyond - 0.0455)).toBeLessThan(4 * Math.sqrt((0.0455 * 0.9545) / p));
    expect(out.report.releases[0]?.noiseScale).toBeCloseTo(2.6, 4);
  });

  it('clips the update to the clip norm before the noise', () => {
    const dp = { clip: 1, noiseMultiplier: 0.5, delta: 1e-5 };
    const update = [3, 4, 0, 0];
    const draws = 2000;
    const sums = [0, 0, 0, 0];
    for (let i = 0; i < draws; i++) {
      const out = privatizeUpdate(update, dp, seededRandomBytes(1000 + i));
      out.update.forEach((v, j) => (sums[j] = (sums[j] ?? 0) + v));
    }
    // The mean of the noisy updates estimates the clipped update (0.6, 0.8, 0, 0), SE 0.5/√2000.
    const tol = (4 * 0.5) / Math.sqrt(draws);
    [0.6, 0.8, 0, 0].forEach((want, j) => {
      expect(Math.abs((sums[j] ?? 0) / draws - want)).toBeLessThan(tol);
    });
    // An update inside the ball is not scaled: the mean of its noisy copies is itself.
    const small = [0.3, -0.2];
    const acc = [0, 0];
    for (let i = 0; i < draws; i++)
      privatizeUpdate(small, dp, seededRandomBytes(9000 + i)).update.forEach(
        (v, j) => (acc[j] = (acc[j] ?? 0) + v),
      );
    expect(Math.abs((acc[0] ?? 0) / draws - 0.3)).toBeLessThan(tol);
    expect(Math.abs((acc[1] ?? 0) / draws + 0.2)).toBeLessThan(tol);
  });

  it('reports one Gaussian release at σ = z/2 of the 2·clip sensitivity, and its accountant', () => {
    const dp = { clip: 0.5, noiseMultiplier: 2, delta: 1e-6 };
    const out = privatizeUpdate([0.1, 0.2, 0.3], dp, seededRandomBytes(3));
    const report = privacyReportSchema.parse(out.report);
    expect(report.accountant).toEqual({ method: 'rdp-gaussian', sigma: 1, delta: 1e-6 });
    expect(report.epsilon).toBe(composedGaussianEpsilon(1, 1, 1e-6).epsilon);
    expect(report.releases[0]).toMatchObject({ mechanism: 'gaussian', statistic: 'update' });
    // The grid is fine: at most 2C·2^-20/√P.
    expect(report.releases[0]?.resolution).toBeLessThanOrEqual((2 * 0.5 * 2 ** -20) / Math.sqrt(3));
    // The noise SD is z·C, widened by at most 2^-20 for the rounding to the grid.
    const scale = report.releases[0]?.noiseScale ?? 0;
    expect(scale).toBeGreaterThanOrEqual(1);
    expect(scale / 1 - 1).toBeLessThanOrEqual(2 ** -20);
  });

  it('refuses an empty or non-finite update', () => {
    const dp = { clip: 1, noiseMultiplier: 1, delta: 1e-5 };
    expect(() => privatizeUpdate([], dp, seededRandomBytes(1))).toThrow(/empty/);
    expect(() => privatizeUpdate([1, Number.NaN], dp, seededRandomBytes(1))).toThrow(
      /coordinate 1/,
    );
  });
});

describe('the DP-FedAvg accountant', () => {
  it('composes the rounds at σ = z/2 and states the assumptions in the result block', () => {
    const dp = { clip: 1, noiseMultiplier: 1.1, delta: 1e-5 };
    expect(trainAccountant(dp)).toEqual({ method: 'rdp-gaussian', sigma: 0.55, delta: 1e-5 });
    const eps = [1, 5, 20].map((k) => trainEpsilon(dp, k));
    expect(eps[0]).toBeLessThan(eps[1] ?? 0);
    expect(eps[1]).toBeLessThan(eps[2] ?? 0);
    expect(trainPrivacy(dp, 20)).toMatchObject({
      mechanism: 'gaussian',
      epsilon: eps[2],
      delta: 1e-5,
      rounds: 20,
      noiseMultiplier: 1.1,
      clip: 1,
      sensitivity: 2,
    });
  });

  it.each([
    [{ clip: 0, noiseMultiplier: 1, delta: 1e-5 }, 'clip'],
    [{ clip: 1, noiseMultiplier: 0.01, delta: 1e-5 }, 'noiseMultiplier'],
    [{ clip: 1, noiseMultiplier: 1, delta: 1 }, 'delta'],
    [{ clip: 1, noiseMultiplier: 1 }, 'delta'],
  ])('rejects dp %j', (dp, field) => {
    const parsed = trainDpSchema.safeParse(dp);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toContain(field);
  });
});
