import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyticGaussianSigma, classicalGaussianSigma, gaussianDelta } from './gaussian-sigma.js';

interface Case {
  l2: number;
  epsilon: number;
  delta: number;
  analytic: number;
  classical: number | null;
}
// Written by fixtures/make-gaussian-reference.py (scipy norm.cdf + brentq).
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/gaussian-reference.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('Gaussian σ', () => {
  it('matches scipy for the analytic Gaussian mechanism (rtol 1e-6)', () => {
    for (const c of reference.cases) {
      const s = analyticGaussianSigma(c.l2, c.epsilon, c.delta);
      expect(Math.abs(s / c.analytic - 1), `ε=${c.epsilon} δ=${c.delta}`).toBeLessThan(1e-6);
      // Conservative: the σ returned never gives more than the δ asked for.
      expect(gaussianDelta(s, c.l2, c.epsilon)).toBeLessThanOrEqual(c.delta);
    }
  });

  it('gives Balle & Wang’s σ ≈ 3.73 for ε = 1, δ = 1e-5, Δ₂ = 1', () => {
    expect(analyticGaussianSigma(1, 1, 1e-5)).toBeCloseTo(3.7306, 3);
  });

  it('matches the classical bound where it applies, and the analytic σ is never larger', () => {
    for (const c of reference.cases.filter((x) => x.classical !== null)) {
      const classical = classicalGaussianSigma(c.l2, c.epsilon, c.delta);
      expect(Math.abs(classical / (c.classical ?? 0) - 1)).toBeLessThan(1e-12);
      expect(analyticGaussianSigma(c.l2, c.epsilon, c.delta)).toBeLessThan(classical);
    }
    // Dwork & Roth's textbook value: ε = 0.5, δ = 1e-5 → σ = √(2 ln 125000)/0.5 ≈ 9.69.
    expect(classicalGaussianSigma(1, 0.5, 1e-5)).toBeCloseTo(9.6896, 3);
  });

  it('refuses parameters outside their ranges', () => {
    expect(() => analyticGaussianSigma(1, 0, 1e-5)).toThrow(RangeError);
    expect(() => analyticGaussianSigma(1, 1, 0)).toThrow(RangeError);
    expect(() => analyticGaussianSigma(0, 1, 1e-5)).toThrow(RangeError);
    expect(() => classicalGaussianSigma(1, 1, 1e-5)).toThrow(/ε < 1/);
  });
});
