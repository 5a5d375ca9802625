import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accountantIncrement,
  accountantKey,
  composedGaussianEpsilon,
  gaussianRdp,
  rdpToEpsilon,
} from './rdp.js';

interface Case {
  sigma: number;
  releases: number;
  delta: number;
  rdp: number;
  mironov: number;
  exact: number;
}
// Written by fixtures/make-rdp-reference.py (scipy's bounded Brent minimiser, a closed form, and
// brentq on the exact composed Gaussian): 40 cases, σ 0.5–20, 1–1000 releases, δ 1e-5 and 1e-7.
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/rdp-reference.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('the RDP accountant of repeated Gaussian releases', () => {
  it('matches scipy’s minimum of the improved conversion over α (rtol 1e-9)', () => {
    for (const c of reference.cases) {
      const { epsilon } = composedGaussianEpsilon(c.releases, c.sigma, c.delta);
      expect(Math.abs(epsilon / c.rdp - 1), JSON.stringify(c)).toBeLessThan(1e-9);
    }
  });

  it('matches the closed form of Mironov’s conversion, ρ + 2√(ρ log 1/δ) (rtol 1e-9)', () => {
    for (const c of reference.cases) {
      const { epsilon } = composedGaussianEpsilon(c.releases, c.sigma, c.delta, 'mironov');
      expect(Math.abs(epsilon / c.mironov - 1), JSON.stringify(c)).toBeLessThan(1e-9);
    }
  });

  it('is sound and close: exact ε ≤ accountant ε ≤ 1.12 · exact ε, below Mironov’s', () => {
    for (const c of reference.cases) {
      const { epsilon } = composedGaussianEpsilon(c.releases, c.sigma, c.delta);
      expect(epsilon).toBeGreaterThanOrEqual(c.exact);
      expect(epsilon).toBeLessThanOrEqual(1.12 * c.exact);
      expect(epsilon).toBeLessThan(c.mironov);
    }
  });

  it('charges increments that add up to the accountant’s ε after k releases, δ once', () => {
    const acc = { method: 'rdp-gaussian', sigma: 1.5, delta: 1e-5 } as const;
    let epsilon = 0;
    let delta = 0;
    let last = Infinity;
    for (let j = 0; j < 50; j++) {
      const step = accountantIncrement(acc, j);
      expect(step.epsilon).toBeGreaterThan(0);
      // Composition is sublinear: each further release costs less.
      expect(step.epsilon).toBeLessThan(last);
      last = step.epsilon;
      epsilon += step.epsilon;
      delta += step.delta;
      const k = composedGaussianEpsilon(j + 1, acc.sigma, acc.delta).epsilon;
      expect(Math.abs(epsilon - k)).toBeLessThan(1e-12 * k);
      expect(delta).toBe(1e-5);
    }
    expect(accountantKey(acc)).toBe('rdp-gaussian:sigma=1.5:delta=0.00001');
  });

  it('costs nothing for no release and refuses bad parameters', () => {
    expect(composedGaussianEpsilon(0, 1, 1e-5).epsilon).toBe(0);
    expect(() => composedGaussianEpsilon(-1, 1, 1e-5)).toThrow(RangeError);
    expect(() => composedGaussianEpsilon(1.5, 1, 1e-5)).toThrow(RangeError);
    expect(() => composedGaussianEpsilon(1, 0, 1e-5)).toThrow(/σ/);
    expect(() => composedGaussianEpsilon(1, 1, 1)).toThrow(/δ/);
    expect(() => gaussianRdp(1, 1)).toThrow(/α/);
    expect(() => rdpToEpsilon((a) => a, 0)).toThrow(/δ/);
  });
});
